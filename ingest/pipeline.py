"""Incremental, crash-safe ingestion of a corpus folder into the index.

State lives in two places: Chroma (the chunks) and a manifest (file hashes, pages, chunk ids) written
after each file. Every run reconciles the two, so a killed run is finished by the next one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from assistant.core.errors import IndexBusyError, IngestError
from assistant.core.settings import Settings
from ingest import generations, sidecars
from ingest.chunk import chunk_document
from ingest.clean import clean_document
from ingest.dedup import Passages
from ingest.embed import EmbeddingBackend, get_embeddings
from ingest.loaders import Limits, check_file, load
from ingest.store import VectorStore
from ingest.titles import TITLES_FILE, title_overrides, unique_title


@dataclass
class FileReport:
    source: str
    status: str  # added | updated | unchanged | removed | failed (also: a link or special file, not read)
    pages: int = 0
    chunks: int = 0
    embedded: int = 0
    reason: str = ""  # English, for the CLI and logs
    reason_el: str = ""  # Greek, for the web app
    title: str = ""
    duplicates: int = 0  # passages already indexed from another file, not indexed again
    duplicate_of: list[str] = field(default_factory=list)  # those files
    warnings: list[str] = field(default_factory=list)  # e.g. OCR used, pages without a text layer


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""

    def count(self, *statuses: str) -> int:
        return sum(1 for f in self.files if f.status in statuses)

    @property
    def embedded(self) -> int:
        return sum(f.embedded for f in self.files)

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files if f.status != "removed")

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.status == "failed"]


class Progress(Protocol):
    """What a front end (rich in the CLI, gr.Progress in the app) is told while ingesting."""

    def start(self, total_files: int) -> None: ...
    def file(self, source: str, total_chunks: int) -> None: ...
    def embedded(self, n: int) -> None: ...
    def done(self, report: FileReport) -> None: ...


class _Silent:
    def start(self, total_files: int) -> None: ...
    def file(self, source: str, total_chunks: int) -> None: ...
    def embedded(self, n: int) -> None: ...
    def done(self, report: FileReport) -> None: ...


def _listed(corpus_dir: Path, rel: Path) -> bool:
    """Not hidden, not an editor's lock file, not the user's titles file."""
    return (
        not any(part.startswith(".") for part in rel.parts)
        and not rel.name.startswith("~$")
        and rel.as_posix() != TITLES_FILE
    )


def walk_corpus(corpus_dir: Path) -> tuple[list[Path], dict[str, str]]:
    """The regular files under the corpus folder, and what was passed over (relative path → reason).

    Symbolic links are never followed (a link could bring /etc/passwd or another folder into the index)
    and special files (FIFOs, sockets, devices) are never opened: only regular files count."""
    files: list[Path] = []
    skipped: dict[str, str] = {}
    for root, dirs, names in os.walk(corpus_dir, followlinks=False):
        base = Path(root)
        for name in list(dirs):
            rel = (base / name).relative_to(corpus_dir)
            if (base / name).is_symlink():
                dirs.remove(name)
                if _listed(corpus_dir, rel):
                    skipped[rel.as_posix()] = "symbolic link (not followed)"
            elif not _listed(corpus_dir, rel):
                dirs.remove(name)
        for name in names:
            path = base / name
            rel = path.relative_to(corpus_dir)
            if not _listed(corpus_dir, rel):
                continue
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                skipped[rel.as_posix()] = "symbolic link (not followed)"
            elif not stat.S_ISREG(mode):
                skipped[rel.as_posix()] = "not a regular file"
            else:
                files.append(path)
    return sorted(files), dict(sorted(skipped.items()))


def scan(corpus_dir: Path) -> list[Path]:
    """Every regular file under the corpus dir, except hidden files, editors' lock files and links."""
    return walk_corpus(corpus_dir)[0]


# The version of how a file becomes chunks (load → clean → chunk). Bump it when a change there gives
# different chunks for the same file: each file is then read again once (unchanged chunks keep their
# vectors). 2: the overlap carried into the next chunk keeps its line breaks. 3: a line wrapped after a
# one-letter abbreviation («ν.⏎3283/2004») is joined. 4: after any abbreviation a sentence never ends on
# («βλ.⏎ενότητα 10.4»).
READER_VERSION = 4

SKIPPED_EL = {
    "symbolic link (not followed)": "συμβολικός σύνδεσμος (δεν ακολουθείται)",
    "not a regular file": "δεν είναι κανονικό αρχείο",
}


def file_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Manifest:
    """index_dir/manifest.json: what each file contributed. Written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict = {"embedding_model": "", "files": {}}
        if path.exists():
            self.data = json.loads(path.read_text(encoding="utf-8"))

    @property
    def files(self) -> dict[str, dict]:
        return self.data["files"]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


@contextmanager
def writer_lock(settings: Settings):
    """Chroma is not safe for two writer processes on one path: one `kalo ingest` at a time."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with (settings.data_dir / ".ingest.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusyError(
                "Another ingestion is running on this index; wait for it to finish.",
                "Εκτελείται ήδη άλλη ενημέρωση του ευρετηρίου· περιμένετε να ολοκληρωθεί.",
            ) from None
        yield


class Ingestor:
    def __init__(
        self, settings: Settings, embeddings: EmbeddingBackend | None = None, store: VectorStore | None = None
    ):
        self.settings = settings
        self.embeddings = embeddings or get_embeddings(settings)
        self.store = store or VectorStore(settings)  # the served generation; after a rebuild, the new one
        self.titles: dict[str, str] = {}  # titles the user set (corpus/titles.toml), read at each run
        self.passages = Passages({})  # which file holds each indexed passage, rebuilt at each run

    @property
    def manifest_path(self) -> Path:
        return self.store.served_settings.index_dir / "manifest.json"

    def run(self, rebuild: bool = False, progress: Progress | None = None, beside: bool = False) -> IngestReport:
        """Bring the index up to date with the corpus folder. `rebuild` (or another embedding model) embeds
        everything again into a new generation; `beside` updates a copy of the served generation (vectors
        reused) — both switch readers to it only once it is complete. Otherwise files are updated in place."""
        progress = progress or _Silent()
        started = time.perf_counter()
        report = IngestReport()
        with writer_lock(self.settings):
            served = self.store
            for stray in generations.strays(self.settings, served.client, keep=served.generation):
                generations.remove(self.settings, stray, served.client)  # a build that crashed before its switch
            report.note = self._choose_generation(rebuild, beside)
            if beside and self.store is not served and not rebuild and not report.note:
                self._seed(served)
            manifest = Manifest(self.manifest_path)
            self._open_collection(manifest)
            self._ingest_all(manifest, report, progress)
            changed = bool(report.embedded or report.count("removed", "updated", "added"))
            sidecars.refresh(
                self.settings, self.store, served, self.embeddings, changed=changed, rebuild=rebuild, progress=progress
            )
            if self.store is not served:
                self._switch(served)
        report.seconds = time.perf_counter() - started
        return report

    def _choose_generation(self, rebuild: bool, beside: bool) -> str:
        """Write into the served index, or — for a rebuild, another embedding model or a `beside` update —
        into a new generation, so that readers keep answering from the whole old index until it is complete."""
        served, model_id = self.store, self.embeddings.model_id
        if not served.exists() or not (rebuild or beside or served.model_id != model_id):
            return ""
        note = ""
        if not rebuild and served.model_id != model_id:
            note = f"embedding model changed ({served.model_id} → {model_id}): index rebuilt"
        new = generations.fresh(self.settings, model_id)
        self.store = VectorStore(self.settings, client=served.client, generation=new)
        return note

    def _seed(self, served: VectorStore) -> None:
        """Start the new generation as a copy of the served one (same model): unchanged files keep their
        vectors and cost nothing; the run then updates what changed, out of the readers' sight."""
        ids, docs, metas, vectors = served.all_vectors()
        self.store.create(self.embeddings.model_id, int((served.collection.metadata or {}).get("embedding_dim", 0)))
        self.store.upsert(list(ids), [list(v) for v in vectors], list(docs), list(metas))
        old = Manifest(served.served_settings.index_dir / "manifest.json")
        seeded = Manifest(self.manifest_path)
        seeded.data = json.loads(json.dumps(old.data))
        seeded.save()

    def _switch(self, old: VectorStore) -> None:
        """Serve the new generation (one atomic pointer write), then remove the old one."""
        built = replace(self.store.generation, built_at=datetime.now(UTC).isoformat(timespec="seconds"))
        generations.write(self.settings, built, self.store.client)
        self.store = VectorStore(self.settings, client=self.store.client, generation=built)
        generations.remove(self.settings, old.generation, old.client)

    def _open_collection(self, manifest: Manifest) -> None:
        if not self.store.exists():
            dim = len(self.embeddings.embed_query("δοκιμή"))
            self.store.create(self.embeddings.model_id, dim)
            manifest.files.clear()
            if not self.store.generation.name:  # the first index: recorded as served from its creation
                first = replace(
                    self.store.generation,
                    built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                    model=self.embeddings.model_id,
                )
                generations.write(self.settings, first, self.store.client)
        manifest.data["embedding_model"] = self.embeddings.model_id
        manifest.save()

    def _ingest_all(self, manifest: Manifest, report: IngestReport, progress: Progress) -> None:
        by_source: dict[str, set[str]] = defaultdict(set)
        metadata = self.store.all_metadata()
        for chunk_id, meta in metadata.items():
            by_source[str(meta.get("source", ""))].add(chunk_id)
        self.passages = Passages(metadata)

        corpus = self.settings.corpus_dir
        if not corpus.is_dir():
            raise IngestError(f"Corpus folder not found: {corpus}", f"Δεν βρέθηκε ο φάκελος οδηγών: {corpus}")
        paths, passed_over = walk_corpus(corpus)
        self.titles = title_overrides(corpus)
        sources = {p.relative_to(corpus).as_posix(): p for p in paths}
        gone = (set(by_source) | set(manifest.files)) - set(sources)
        progress.start(len(paths) + len(gone) + len(passed_over))
        for source in sorted(gone):
            self.store.delete(by_source.pop(source, set()))
            self.passages.forget(source)
            manifest.files.pop(source, None)
            manifest.save()
            file_report = FileReport(source, "removed")
            report.files.append(file_report)
            progress.done(file_report)
        for source, why in passed_over.items():  # said per file, as a failure: nothing of it is read
            file_report = FileReport(source, "failed", reason=why, reason_el=SKIPPED_EL[why])
            report.files.append(file_report)
            progress.done(file_report)
        for source, path in sources.items():
            file_report = self._ingest_file(path, source, manifest, by_source.get(source, set()), progress)
            report.files.append(file_report)
            progress.done(file_report)
        # A file that left passages to another one takes them back when that one is removed or changed.
        changed = {f.source for f in report.files if f.status in ("removed", "updated")}
        for n, f in enumerate(report.files):
            entry = manifest.files.get(f.source)
            if entry and changed & set(entry.get("duplicate_of", [])) and f.source in sources:
                entry["file_hash"] = ""
                ids = set(entry["chunk_ids"])
                report.files[n] = self._ingest_file(sources[f.source], f.source, manifest, ids, progress)

    def _ingest_file(self, path: Path, source: str, manifest: Manifest, existing: set[str], progress) -> FileReport:
        try:
            check_file(path, self.settings.max_file_mb)
            digest = file_hash(path)
            entry = manifest.files.get(source)
            override = self.titles.get(source, "")
            if (
                entry
                and entry["file_hash"] == digest
                and set(entry["chunk_ids"]) == existing
                and entry.get("title_override", "") == override
                and entry.get("reader", 0) == READER_VERSION
            ):
                progress.file(source, 0)
                return FileReport(source, "unchanged", entry["pages"], len(existing), title=entry.get("title", ""))
            doc = clean_document(load(path, source, Limits.of(self.settings)))
            others = {e.get("title", "") for s, e in manifest.files.items() if s != source}
            doc.title = override or unique_title(doc.title, source, others)
            chunks = chunk_document(doc, self.settings.chunk_size, self.settings.chunk_overlap)
            if len(chunks) > self.settings.max_file_chunks:
                raise IngestError(
                    f"file too large to index: {len(chunks):,} chunks (limit {self.settings.max_file_chunks:,})",
                    f"πολύ μεγάλο αρχείο για ευρετηρίαση: {len(chunks):,} τμήματα (όριο {self.settings.max_file_chunks:,})",
                )
        except IngestError as exc:
            return FileReport(source, "failed", reason=exc.en, reason_el=exc.el)
        except Exception as exc:  # one bad file must not stop the batch
            return FileReport(
                source,
                "failed",
                reason=f"unexpected error: {type(exc).__name__}: {exc}",
                reason_el="απρόσμενο σφάλμα κατά την ανάγνωση του αρχείου",
            )
        if not chunks:
            return FileReport(
                source, "failed", reason="no text to index", reason_el="δεν υπάρχει κείμενο για ευρετηρίαση"
            )
        self.passages.forget(source)
        chunks, elsewhere = self.passages.split(chunks, source)
        # Chunk ids come from content and position: a chunk already stored needs no new embedding
        # (unless the title, which is part of what is embedded, changed).
        retitled = bool(entry) and entry.get("title") != doc.title
        todo = [c for c in chunks if c.id not in existing or retitled]
        progress.file(source, len(todo))
        batch = self.settings.embedding_batch_size * 2
        for i in range(0, len(todo), batch):
            part = todo[i : i + batch]
            vectors = self.embeddings.embed_documents([c.embedding_text() for c in part])
            self.store.upsert([c.id for c in part], vectors, [c.text for c in part], [c.metadata() for c in part])
            progress.embedded(len(part))
        new_ids = {c.id for c in chunks}
        self.store.delete(existing - new_ids)
        self.passages.add(chunks, source)
        manifest.files[source] = {
            "file_hash": digest,
            "title": doc.title,
            "kind": doc.kind,
            "pages": len(doc.pages),
            "chunk_ids": sorted(new_ids),
            "title_override": override,
            "reader": READER_VERSION,
            "duplicate_of": sorted(elsewhere),
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        manifest.save()
        status = "updated" if entry else "added"  # a rebuild writes a new generation: each file is added anew
        return FileReport(
            source,
            status,
            len(doc.pages),
            len(chunks),
            len(todo),
            title=doc.title,
            duplicates=sum(elsewhere.values()),
            duplicate_of=sorted(elsewhere),
            warnings=list(doc.notes.warnings),
        )


def report_dict(report: IngestReport) -> dict:
    return {"seconds": report.seconds, "note": report.note, "files": [asdict(f) for f in report.files]}
