"""One exception hierarchy; each error carries a Greek message for the UI and an English one for the CLI."""

from __future__ import annotations

import os


class KaloError(Exception):
    """Base error. `el` is shown in the web app, `en` (the str()) in the CLI and logs."""

    def __init__(self, en: str, el: str) -> None:
        super().__init__(en)
        self.en = en
        self.el = el


class ConfigError(KaloError):
    """A setting is missing or invalid."""


class IngestError(KaloError):
    """A file could not be ingested; the rest of the batch goes on."""


class IndexMissingError(KaloError):
    """There is no index to search yet."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"No index found at {where}. Run `kalo ingest` first. If the guides were ingested elsewhere, run "
            f"from that folder or set KALO_DATA_DIR (a relative data_dir is read from the current folder, "
            f"{os.getcwd()}, or from the folder of the kalo.toml that sets it).",
            # No server path in the Greek text: it is shown to chat users, not to the operator.
            "Δεν υπάρχει ακόμη ευρετήριο οδηγών. Ο διαχειριστής πρέπει πρώτα να εκτελέσει «kalo ingest».",
        )


class ModelMismatchError(KaloError):
    """The index was built with another embedding model."""

    def __init__(self, index_model: str, configured: str) -> None:
        super().__init__(
            f"The index was built with embedding model '{index_model}' but '{configured}' is configured. "
            "Re-ingest with `kalo ingest --rebuild` or configure the original model.",
            f"Το ευρετήριο δημιουργήθηκε με το μοντέλο «{index_model}», ενώ έχει ρυθμιστεί το «{configured}». "
            "Ξαναδημιουργήστε το ευρετήριο («kalo ingest --rebuild») ή επαναφέρετε το αρχικό μοντέλο.",
        )


class StoreUnavailableError(KaloError):
    """The Chroma server cannot be reached, or the local store cannot be opened."""


class IndexBusyError(KaloError):
    """Another process is writing to the index."""


class LLMError(KaloError):
    """The language-model server failed, timed out or could not be reached."""


class EmbeddingServerError(KaloError):
    """A remote embeddings server failed, timed out, refused the request or serves another model."""


class GuideNotFoundError(KaloError):
    """A guide named by the user (to remove or open) is not in the guides folder."""

    def __init__(self, source: str) -> None:
        super().__init__(f"No such guide: {source}", f"Δεν υπάρχει οδηγός «{source}».")


class DatasetError(KaloError):
    """An evaluation dataset file is missing or has an invalid line."""


class RunNotFoundError(KaloError):
    """An evaluation run folder lacks summary.json or cases.jsonl."""
