"""The query-time snapshot of a collection, persisted beside the index (data/index/<collection>/snapshot):
records, the vector matrix and the corpus statistics, so that a process opens in one read instead of
reading Chroma and re-tokenising every chunk. Chroma stays the store of record: a snapshot whose
fingerprint (chunk ids, embedding model, format version) differs from the collection is rebuilt from it.

An embedded store is checked without importing chromadb: the collection's ids and write sequence are read
from its SQLite file, read-only. A Chroma server is asked for the collection's id, count and the token our
writes leave in its metadata (`ingest.store.WRITES_KEY`): two small requests instead of reading every record
over HTTP. Anything unexpected just means "read Chroma and check properly".
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.core.greek_text import stem, words
from assistant.core.settings import Settings
from ingest.lexical import fingerprint
from ingest.store import VectorStore

log = logging.getLogger("kalo.snapshot")

# Bump when what is stored, or how it is derived (tokens, orthography), changes.
FORMAT_VERSION = 4  # 3: abbreviations typed without full stops (orthography); 4: their long forms


@dataclass
class Snapshot:
    ids: list[str]
    docs: list[str]
    metas: list[dict]
    matrix: np.ndarray | None  # None when the collection is searched through Chroma (too large)
    doc_freq: Counter[str]
    by_form: dict[str, str]  # the Orthography's maps (assistant.query)
    by_sound: dict[str, str]
    model_id: str
    fingerprint: str
    stems: dict[str, str]  # every word of the corpus → its stem (greek_text.stem), so no process stems them again
    long_forms: dict[str, str] = field(default_factory=dict)  # abbreviations the corpus defines (assistant.query)

    @property
    def texts(self) -> list[str]:
        return [f"{m.get('section', '')}\n{d}" for d, m in zip(self.docs, self.metas, strict=True)]


def key(ids: list[str], model_id: str) -> str:
    """What a snapshot must match: the chunks (by the lexical fingerprint), the model and this format."""
    return hashlib.sha1(f"snapshot-v{FORMAT_VERSION}\n{model_id}\n{fingerprint(ids)}".encode()).hexdigest()


def folder(settings: Settings) -> Path:
    return settings.index_dir / "snapshot"


def store_stamp(settings: Settings, store: VectorStore | None = None) -> dict | None:
    """What the snapshot must have been taken of. Embedded: the collection's (id, write sequence, ids
    fingerprint), read straight from Chroma's SQLite file without chromadb. Server: `store.write_stamp()`.
    None for a missing file or collection, a schema we do not recognise, or no store to ask."""
    if settings.chroma_mode != "embedded":
        return _server_stamp(store)
    db = settings.chroma_path / "chroma.sqlite3"
    if not db.exists():
        return None
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=2)
        try:
            row = con.execute("SELECT id FROM collections WHERE name = ?", (settings.collection,)).fetchone()
            if row is None:
                return None
            seg = con.execute(
                "SELECT id FROM segments WHERE collection = ? AND scope = 'METADATA'", (row[0],)
            ).fetchone()
            if seg is None:
                return None
            ids = [r[0] for r in con.execute("SELECT embedding_id FROM embeddings WHERE segment_id = ?", seg)]
            seq = con.execute("SELECT seq_id FROM max_seq_id WHERE segment_id = ?", seg).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return {"collection": row[0], "seq": None if seq is None else int(seq[0]), "ids": fingerprint(ids)}


def _server_stamp(store: VectorStore | None) -> dict | None:
    if store is None:
        return None
    try:
        stamp = store.write_stamp()
    except Exception:  # no collection, server down: reading Chroma reports it properly
        return None
    return stamp if stamp["writes"] else None  # written before tokens existed: nothing to compare with


def load(settings: Settings, model_id: str, exact_max: int = 0, store: VectorStore | None = None) -> Snapshot | None:
    """The persisted snapshot if it matches the store's stamp (embedded: the collection, its ids and its
    write sequence; server: the collection, its count and our last write's token — any write, metadata
    alone too, makes it stale). None when there is none, it is stale, it cannot be read, or it lacks the
    matrix that a collection of up to `exact_max` chunks is searched with (or has one it should not)."""
    where = folder(settings)
    try:
        meta = json.loads((where / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("format") != FORMAT_VERSION or meta.get("model_id") != model_id:
        return None
    if bool(meta.get("matrix")) != (int(meta.get("count", 0)) <= exact_max):
        return None
    stamp = store_stamp(settings, store)
    if stamp is None or stamp != meta.get("stamp"):
        return None
    try:
        records = json.loads((where / "records.json").read_text(encoding="utf-8"))
        derived = json.loads((where / "derived.json").read_text(encoding="utf-8"))
        matrix = np.load(where / "matrix.npy", mmap_mode="r") if meta.get("matrix") else None
    except (OSError, ValueError):
        return None
    if key(records["ids"], model_id) != meta.get("key"):
        return None
    return Snapshot(
        records["ids"],
        records["docs"],
        records["metas"],
        matrix,
        Counter(derived["doc_freq"]),
        derived["by_form"],
        derived["by_sound"],
        model_id,
        fingerprint(records["ids"]),
        derived.get("stems", {}),
        derived.get("long_forms", {}),
    )


def build(
    ids: list[str], docs: list[str], metas: list[dict], vectors, model_id: str, orthography_maps
) -> Snapshot:
    """Derive the statistics once; `orthography_maps(docs)` gives (by_form, by_sound, long_forms)."""
    snap = Snapshot(
        list(ids),
        list(docs),
        list(metas),
        None if vectors is None else np.asarray(vectors, dtype=np.float32),
        Counter(),
        {},
        {},
        model_id,
        fingerprint(list(ids)),
        {},
    )
    for text in snap.texts:
        found = words(text)
        snap.stems.update((w, stem(w)) for w in found if w not in snap.stems)
        snap.doc_freq.update({snap.stems[w] for w in found})
    snap.by_form, snap.by_sound, snap.long_forms = orthography_maps(snap.docs)
    return snap


def save(settings: Settings, snap: Snapshot, stamp: dict | None) -> None:
    """Written to a sibling folder and swapped in, so a reader never sees half a snapshot. `stamp` is the
    store's, taken before its records were read: a write after it only makes the next open read Chroma."""
    try:
        _save(settings, snap, stamp)
    except OSError as exc:  # a snapshot is only a cache: the index opened from Chroma serves regardless
        log.warning("query-time snapshot not saved: %s", exc)


def _save(settings: Settings, snap: Snapshot, stamp: dict | None) -> None:
    where = folder(settings)
    where.parent.mkdir(parents=True, exist_ok=True)
    # A folder of its own per writer: several threads (a server's first requests) may build at once.
    tmp = Path(tempfile.mkdtemp(prefix=f"{where.name}.tmp", dir=where.parent))
    (tmp / "records.json").write_text(
        json.dumps({"ids": snap.ids, "docs": snap.docs, "metas": snap.metas}, ensure_ascii=False), encoding="utf-8"
    )
    (tmp / "derived.json").write_text(
        json.dumps(
            {"doc_freq": dict(snap.doc_freq), "by_form": snap.by_form, "by_sound": snap.by_sound, "stems": snap.stems,
             "long_forms": snap.long_forms},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    if snap.matrix is not None:
        np.save(tmp / "matrix.npy", np.ascontiguousarray(snap.matrix, dtype=np.float32))
    if stamp is not None and (stamp.get("ids", snap.fingerprint), stamp.get("count", len(snap.ids))) != (
        snap.fingerprint,
        len(snap.ids),
    ):
        stamp = None  # the store moved on before we read it: the next process reads Chroma again
    meta = {
        "format": FORMAT_VERSION,
        "model_id": snap.model_id,
        "key": key(snap.ids, snap.model_id),
        "count": len(snap.ids),
        "matrix": snap.matrix is not None,
        "stamp": stamp,
    }
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    old = Path(tempfile.mkdtemp(prefix=f"{where.name}.old", dir=where.parent))
    old.rmdir()
    import shutil

    try:
        if where.exists():
            where.rename(old)
        tmp.rename(where)
    except OSError:  # another writer swapped its own in meanwhile: theirs is as good as ours
        shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
