"""Generations of the index: a rebuild (or a new embedding model) is built beside the served index, in a
Chroma collection and an index folder of its own, and served by switching a small pointer atomically, so
readers see the old index until the new one is complete; the old generation is removed after the switch.

The pointer is `data/index/<collection>.served.json` (written with os.replace). With a Chroma server it is
also kept in the metadata of the collection `<collection>.served`, where readers with their own data
folders (other hosts) read it. No pointer means the first index: the collection named by the settings.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant.core.settings import Settings

log = logging.getLogger("kalo.ingest")

_KEYS = ("name", "collection", "built_at", "model")


@dataclass(frozen=True)
class Generation:
    name: str  # "" for the first index (the collection named by the settings), else "g<UTC time>"
    collection: str  # its Chroma collection; its files live in data/index/<collection>/
    built_at: str = ""  # UTC, ISO 8601: when it was complete and switched to ("" when not recorded)
    model: str = ""  # the embedding model it was built with

    def index_dir(self, settings: Settings) -> Path:
        return settings.data_dir / "index" / self.collection

    def settings_for(self, settings: Settings) -> Settings:
        """The settings as this generation's readers and writers use them: its collection, its folder."""
        return settings.model_copy(update={"collection": self.collection})

    @property
    def label(self) -> str:
        return self.name or "initial"


def initial(settings: Settings) -> Generation:
    return Generation("", settings.collection)


def fresh(settings: Settings, model: str) -> Generation:
    """A new generation's name: the UTC time to the microsecond (sorts in building order)."""
    name = "g" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return Generation(name, f"{settings.collection}.{name}", model=model)


def pointer_file(settings: Settings) -> Path:
    return settings.data_dir / "index" / f"{settings.collection}.served.json"


def pointer_collection(settings: Settings) -> str:
    return f"{settings.collection}.served"


def is_generation_of(settings: Settings, collection: str) -> bool:
    """Whether a collection name is one of this index's built generations (not the pointer, not the base)."""
    return collection.startswith(f"{settings.collection}.g") and collection != pointer_collection(settings)


def read(settings: Settings, client=None) -> Generation | None:
    """The served generation, or None when no pointer was ever written (the first index, if any)."""
    if settings.chroma_mode != "embedded" and client is not None:
        try:
            meta = client.get_collection(pointer_collection(settings), embedding_function=None).metadata or {}
        except Exception:  # no pointer collection yet (Chroma raises its own NotFoundError)
            return None
        return Generation(**{k: str(meta.get(k, "")) for k in _KEYS}) if meta.get("collection") else None
    try:
        data = json.loads(pointer_file(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # os.replace never leaves half a file: missing means never written
    return Generation(**{k: str(data.get(k, "")) for k in _KEYS}) if data.get("collection") else None


def served(settings: Settings, client=None) -> Generation:
    return read(settings, client) or initial(settings)


def write(settings: Settings, generation: Generation, client=None) -> None:
    """Point readers at `generation`: one atomic replace of the pointer file (and, with a Chroma server,
    one metadata write of the pointer collection)."""
    path = pointer_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(asdict(generation), handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())  # the pointer must not name a generation the disk does not hold
    os.replace(tmp, path)
    if settings.chroma_mode != "embedded" and client is not None:
        meta = asdict(generation)
        pointer = client.get_or_create_collection(pointer_collection(settings), embedding_function=None, metadata=meta)
        pointer.modify(metadata=meta)


def remove(settings: Settings, generation: Generation, client) -> None:
    """Delete a generation's collection and its folder (after the switch, or a crashed build's leftovers)."""
    try:
        if generation.collection in _names(client):
            client.delete_collection(generation.collection)
    except Exception as exc:  # a leftover is retried at the next run; it never blocks this one
        log.warning("could not delete collection %s: %s", generation.collection, exc)
    shutil.rmtree(generation.index_dir(settings), ignore_errors=True)


def strays(settings: Settings, client, keep: Generation) -> list[Generation]:
    """What a crash left behind: generations built but never switched to, and a served generation that was
    switched away from but not yet removed (the first index too, once another generation is served)."""
    listed = _names(client)
    names = {n for n in listed if is_generation_of(settings, n)}
    folder = settings.data_dir / "index"
    if folder.is_dir():
        names |= {p.name for p in folder.iterdir() if p.is_dir() and is_generation_of(settings, p.name)}
    found = [Generation(n.rsplit(".", 1)[1], n) for n in sorted(names - {keep.collection})]
    first = initial(settings)
    if keep.collection != first.collection and (first.collection in listed or first.index_dir(settings).is_dir()):
        found.insert(0, first)
    return found


def _names(client) -> set[str]:
    return {c.name if hasattr(c, "name") else str(c) for c in client.list_collections()}
