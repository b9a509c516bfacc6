"""Managing the guides folder from the web app and API: checked uploads, removals and re-indexing,
one ingestion at a time, in the process that also answers questions (Chroma allows one writer)."""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import IndexBusyError, IngestError, KaloError
from assistant.core.settings import Settings
from ingest.pipeline import Ingestor, IngestReport, Progress, file_hash, scan
from ingest.status import GuideInfo, index_status
from ingest.store import VectorStore

FORMAT_NAMES = "PDF, DOCX, Markdown, TXT, HTML"
_MAGIC = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04"}
_UNSAFE = re.compile(r"[^\w\-.()]+")


class GuideNotFoundError(KaloError):
    def __init__(self, source: str) -> None:
        super().__init__(f"No such guide: {source}", f"Δεν υπάρχει οδηγός «{source}».")


@dataclass
class UploadResult:
    name: str  # as the user sent it
    saved_as: str = ""  # file name in the corpus folder, when saved
    ok: bool = False
    message_el: str = ""


def supported_suffixes() -> list[str]:
    from ingest.loaders import supported_suffixes as suffixes

    return suffixes()


def safe_filename(name: str) -> str:
    """A file name that is safe to create in the corpus folder: no folders, no hidden files, Greek kept."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").split("/")[-1].strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = _UNSAFE.sub("-", stem.replace(" ", "-"))
    stem = re.sub(r"-{2,}", "-", stem).strip("-._~$ ")[:100].strip("-._") or "odigos"
    suffix = _UNSAFE.sub("", suffix).lower()
    return f"{stem}.{suffix}" if suffix else stem


def resolve_in(folder: Path, relative: str) -> Path | None:
    """`relative` as a file inside `folder`, or None if it escapes it, is hidden or does not exist."""
    root = folder.resolve()
    if not relative or "\x00" in relative:
        return None
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    if any(part.startswith(".") for part in path.relative_to(root).parts):
        return None
    return path


class GuideLibrary:
    def __init__(self, settings: Settings, embeddings: Callable[[], object], on_change: Callable[[], None]):
        """`embeddings` returns the process's embedding backend (shared with the Assistant, loaded once);
        `on_change` runs after every ingestion (the Assistant reopens its index)."""
        self.settings = settings
        self._embeddings = embeddings
        self._on_change = on_change
        self._lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def guides(self) -> list[GuideInfo]:
        return index_status(self.settings).guides

    def files(self) -> list[str]:
        corpus = self.settings.corpus_dir
        return [p.relative_to(corpus).as_posix() for p in scan(corpus)] if corpus.is_dir() else []

    # -- checks -----------------------------------------------------------------------------------------
    def check_upload(self, name: str, path: Path, overwrite: bool) -> UploadResult:
        """Everything we can tell before touching the corpus folder; `ok` means it may be saved."""
        result = UploadResult(name=name, saved_as=safe_filename(name))
        suffix = Path(result.saved_as).suffix
        if suffix not in supported_suffixes():
            result.message_el = (
                f"Μη υποστηριζόμενος τύπος αρχείου «{suffix or name}». Επιτρέπονται μόνο αρχεία {FORMAT_NAMES}."
            )
            return result
        size = path.stat().st_size
        limit = self.settings.max_upload_mb
        if size > limit * 1024 * 1024:
            result.message_el = f"Το αρχείο είναι πολύ μεγάλο ({size / 1024 / 1024:.1f} MB). Το μέγιστο επιτρεπτό μέγεθος είναι {limit:g} MB."
            return result
        if size == 0:
            result.message_el = "Το αρχείο είναι κενό."
            return result
        magic = _MAGIC.get(suffix)
        if magic:
            with path.open("rb") as f:
                if f.read(len(magic)) != magic:
                    result.message_el = f"Το αρχείο δεν είναι έγκυρο {suffix.lstrip('.').upper()}."
                    return result
        digest = file_hash(path)
        corpus = self.settings.corpus_dir
        target = corpus / result.saved_as
        for existing in scan(corpus) if corpus.is_dir() else []:
            if existing != target and file_hash(existing) == digest:
                result.message_el = f"Ο ίδιος οδηγός υπάρχει ήδη ως «{existing.relative_to(corpus).as_posix()}»."
                return result
        if target.exists() and not overwrite:
            result.message_el = (
                f"Υπάρχει ήδη οδηγός με το όνομα «{result.saved_as}». "
                "Μετονομάστε το αρχείο ή επιλέξτε «Αντικατάσταση υπαρχόντων»."
            )
            return result
        problem = self._unreadable(path, result.saved_as)
        if problem:
            result.message_el = problem
            return result
        result.ok = True
        return result

    def _unreadable(self, path: Path, name: str) -> str:
        """Read the file the way ingestion will, so a broken file never enters the corpus folder."""
        from ingest.chunk import chunk_document
        from ingest.clean import clean_document
        from ingest.loaders import check_file, load

        with tempfile.TemporaryDirectory(prefix="kalo-upload-") as tmp:
            staged = Path(tmp) / name  # loaders choose by suffix; the upload's temp name may not carry it
            shutil.copyfile(path, staged)
            try:
                check_file(staged, self.settings.max_file_mb)
                doc = clean_document(load(staged, name))
                chunks = chunk_document(doc, self.settings.chunk_size, self.settings.chunk_overlap)
            except IngestError as exc:
                return f"Το αρχείο δεν μπορεί να διαβαστεί: {exc.el}."
            except Exception:
                return "Το αρχείο δεν μπορεί να διαβαστεί (κατεστραμμένο ή μη αναμενόμενης μορφής)."
        if not chunks:
            return "Το αρχείο δεν περιέχει κείμενο για ευρετηρίαση (π.χ. σαρωμένο PDF χωρίς κείμενο)."
        return ""

    # -- writes -----------------------------------------------------------------------------------------
    def add(
        self, uploads: list[tuple[str, Path]], overwrite: bool = False, progress: Progress | None = None
    ) -> tuple[list[UploadResult], IngestReport | None]:
        """Check and save each upload, then ingest once if anything was saved."""
        with self._exclusive():
            results = []
            corpus = self.settings.corpus_dir
            corpus.mkdir(parents=True, exist_ok=True)
            taken: set[str] = set()
            for name, path in uploads:
                result = self.check_upload(name, path, overwrite)
                if result.ok and result.saved_as in taken:
                    result.ok = False
                    result.message_el = f"Δύο αρχεία της ίδιας αποστολής έχουν το όνομα «{result.saved_as}»."
                if result.ok:
                    replaced = (corpus / result.saved_as).exists()
                    tmp = corpus / f".{result.saved_as}.upload"
                    shutil.copyfile(path, tmp)
                    tmp.replace(corpus / result.saved_as)
                    taken.add(result.saved_as)
                    result.message_el = "Αντικαταστάθηκε." if replaced else "Προστέθηκε."
                results.append(result)
            report = self._ingest(progress) if taken else None
            return results, report

    def remove(self, source: str, progress: Progress | None = None) -> IngestReport:
        with self._exclusive():
            path = resolve_in(self.settings.corpus_dir, source)
            if path is None:
                raise GuideNotFoundError(source)
            path.unlink()
            return self._ingest(progress)

    def reindex(self, progress: Progress | None = None) -> IngestReport:
        with self._exclusive():
            return self._ingest(progress)

    def _ingest(self, progress: Progress | None) -> IngestReport:
        try:
            ingestor = Ingestor(self.settings, embeddings=self._embeddings(), store=VectorStore(self.settings))
            return ingestor.run(progress=progress)
        finally:
            self._on_change()

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        if not self._lock.acquire(blocking=False):
            raise IndexBusyError(
                "An ingestion is already running in this app; wait for it to finish.",
                "Εκτελείται ήδη ενημέρωση του ευρετηρίου· περιμένετε να ολοκληρωθεί και δοκιμάστε ξανά.",
            )
        try:
            yield
        finally:
            self._lock.release()
