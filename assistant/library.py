"""The guides folder as the web app and API change it: checked uploads (a file that ingestion could not
read never enters the folder), safe file names, removals. Ingestion itself is the facade's
(`Assistant.add_guides`, `remove`, `ingest`), which calls this module."""

from __future__ import annotations

import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assistant.core.errors import GuideNotFoundError, IngestError
from assistant.core.settings import Settings
from ingest.chunk import chunk_document
from ingest.clean import clean_document
from ingest.loaders import check_file, load, supported_suffixes
from ingest.pipeline import file_hash, scan

FORMAT_NAMES = "PDF, DOCX, Markdown, TXT, HTML"
_MAGIC = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04"}
_UNSAFE = re.compile(r"[^\w\-.()]+")


@dataclass
class UploadResult:
    name: str  # as the user sent it
    saved_as: str = ""  # file name in the corpus folder, when saved
    ok: bool = False
    message_el: str = ""


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
    """The corpus folder seen as a set of guide files. It never ingests: its caller does, afterwards."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def files(self) -> list[str]:
        corpus = self.settings.corpus_dir
        return [p.relative_to(corpus).as_posix() for p in scan(corpus)] if corpus.is_dir() else []

    def path(self, source: str) -> Path | None:
        """The file of a guide, only if it lies inside the corpus folder (see `resolve_in`)."""
        return resolve_in(self.settings.corpus_dir, source)

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
    def save(self, uploads: list[tuple[str, Path]], overwrite: bool = False) -> list[UploadResult]:
        """Check each upload (name as sent, path of its temporary file) and save those that pass; `ok` on
        a result means it is now in the corpus folder."""
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
                tmp = corpus / f".{result.saved_as}.upload"  # hidden, so a crash leaves nothing to ingest
                shutil.copyfile(path, tmp)
                tmp.replace(corpus / result.saved_as)
                taken.add(result.saved_as)
                result.message_el = "Αντικαταστάθηκε." if replaced else "Προστέθηκε."
            results.append(result)
        return results

    def delete(self, source: str) -> None:
        path = self.path(source)
        if path is None:
            raise GuideNotFoundError(source)
        path.unlink()
