"""The `Assistant` facade: the one entry point that the CLI, web app, API and evaluation all call.

Answers and searches are its read side, `Reader` (assistant/reader.py); this adds the guides folder and
ingestion, which a process that only asks does not import.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.answer import Answerer
from assistant.core.errors import IndexBusyError
from assistant.core.settings import Settings
from assistant.library import GuideLibrary, UploadResult
from assistant.reader import Reader
from ingest.embed import EmbeddingBackend
from ingest.pipeline import Ingestor, IngestReport, Progress
from ingest.status import GuideInfo, IndexStatus, index_status
from ingest.store import VectorStore


class Assistant(Reader):
    def __init__(
        self,
        settings: Settings,
        embeddings: EmbeddingBackend | None = None,
        store: VectorStore | None = None,
        answerer: Answerer | None = None,
    ) -> None:
        super().__init__(settings, embeddings, store, answerer)
        self.library = GuideLibrary(settings)  # the guides folder; ingestion stays here, in the facade
        self._writing = threading.Lock()  # one ingestion at a time in this process

    # -- the index and the guides folder: everything else the interfaces need ---------------------------
    # The CLI, the web app and the API call these and nothing below them: no interface opens Chroma, reads
    # the manifest or builds an Ingestor. All of them share this facade's one store (one Chroma client).

    @property
    def busy(self) -> bool:
        """Whether this process is ingesting right now (uploads, removals and re-indexing wait their turn)."""
        return self._writing.locked()

    def status(self) -> IndexStatus:
        """Guides with their pages and chunks, the embedding model and where the index lives.
        Raises `IndexMissingError` before the first ingestion, `StoreUnavailableError` if Chroma is down."""
        self._follow()
        try:
            return index_status(self.settings, self.store)
        except Exception:
            if self._store is None or not self._store.moved():
                raise
            self.reload()  # the generation it was reading was switched away meanwhile
            return index_status(self.settings, self.store)

    def guides(self) -> list[GuideInfo]:
        return self.status().guides

    def guide_files(self) -> list[str]:
        """The files in the guides folder (indexed or not), as paths relative to it."""
        return self.library.files()

    def guide_file(self, source: str) -> Path | None:
        """A guide's file, only when it lies inside the guides folder (the web app serves it)."""
        return self.library.path(source)

    def ingest(self, rebuild: bool = False, progress: Progress | None = None, beside: bool = False) -> IngestReport:
        """Bring the index up to date with the guides folder (incremental; `rebuild` embeds everything
        again), then answer from the new index. A rebuild, a new embedding model or `beside` (the web app's
        re-index) build a new generation beside the served one and switch to it when complete, so every
        reader sees a whole index throughout. One ingestion at a time per process."""
        with self._exclusive():
            return self._ingest(rebuild, progress, beside)

    def add_guides(
        self, uploads: list[tuple[str, Path]], overwrite: bool = False, progress: Progress | None = None
    ) -> tuple[list[UploadResult], IngestReport | None]:
        """Check and save uploaded files (name as sent, temporary path), then ingest once if any was saved.
        The report is None when nothing was accepted."""
        with self._exclusive():
            results = self.library.save(uploads, overwrite)
            return results, (self._ingest(False, progress) if any(r.ok for r in results) else None)

    def remove(self, source: str, progress: Progress | None = None) -> IngestReport:
        """Delete a guide's file and its chunks. Raises `GuideNotFoundError` for a file not in the folder."""
        with self._exclusive():
            self.library.delete(source)
            return self._ingest(False, progress)

    def _ingest(self, rebuild: bool, progress: Progress | None, beside: bool = False) -> IngestReport:
        try:
            ingestor = Ingestor(self.settings, embeddings=self.embeddings, store=self.store)
            return ingestor.run(rebuild, progress, beside=beside)
        finally:
            self.reload()

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        if not self._writing.acquire(blocking=False):
            raise IndexBusyError(
                "An ingestion is already running in this process; wait for it to finish.",
                "Εκτελείται ήδη ενημέρωση του ευρετηρίου· περιμένετε να ολοκληρωθεί και δοκιμάστε ξανά.",
            )
        try:
            yield
        finally:
            self._writing.release()
