"""What a fresh `kalo ask` process pays for (#13): with a valid query-time snapshot it imports neither
LangChain (and langsmith), chromadb, nor bm25s and scipy (the BM25 scores are read with numpy), nor what
only other commands use: the ingestion pipeline, loaders and chunker, rich's progress bars, the evaluation
harness, the web app, or the stemmers of Snowball's other languages. LangChain callers still get a retriever
and embeddings that LangChain accepts, from `assistant.lc_adapters`."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from support.synthetic import config_toml

GRANT = "Ποια είναι η μέγιστη επιχορήγηση του προγράμματος Ηλιαχτίδα;"
REPO = Path(__file__).resolve().parents[1]

# Runs the real CLI, then reports which modules the process imported.
PROBE = """
import json, sys
from assistant.cli import app
sys.argv = ["kalo", "ask", sys.argv[1], "--json"]
try:
    app()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + f" EXIT {code}\\n")
"""


def fresh_ask(settings, tmp_path: Path, question: str) -> tuple[dict, set[str]]:
    config = tmp_path / "kalo.toml"
    config.write_text(config_toml(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALO_")} | {
        "KALO_CONFIG": str(config),
        "KALO_CORPUS_DIR": str(settings.corpus_dir),
        "KALO_DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, question], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    report = done.stderr.rsplit("\nMODULES ", 1)[-1]
    modules, exit_code = report.rsplit(" EXIT ", 1)
    assert exit_code.strip() == "0", done.stderr
    return json.loads(done.stdout), set(json.loads(modules))


# Not imported by a fresh `kalo ask` (whole packages, or a module and everything under it).
NOT_FOR_ASK = {
    "langchain_core", "langsmith", "langchain", "chromadb", "bm25s", "scipy",  # the index is read from the snapshot
    "ingest.pipeline", "ingest.loaders", "ingest.chunk", "ingest.clean", "ingest.structure", "ingest.status",
    "assistant.service", "assistant.library",  # the facade's write side: `kalo ask` asks a Reader
    "rich.progress", "eval", "assistant.web", "gradio", "fastapi",
    "numpy.ma",  # np.median imports it (assistant.core.robust.median_of does not)
    "snowballstemmer",  # its __init__ imports ~38 languages; greek_text loads the Greek stemmer alone
}  # fmt: skip


def imported(modules: set[str], names: set[str]) -> set[str]:
    return {m for m in modules if m in names or any(m.startswith(n + ".") for n in names)}


def test_a_fresh_ask_imports_only_what_answering_needs(synthetic_assistant, synthetic_settings, tmp_path):
    synthetic_assistant.ask(GRANT)  # the index has been opened once: its snapshot is on disk
    answer, modules = fresh_ask(synthetic_settings, tmp_path, GRANT)
    assert answer["found"] is True and "12.345 ευρώ" in answer["text"]
    assert answer["text"] == synthetic_assistant.ask(GRANT).text  # the same answer as in this process
    # The probe does see what was imported.
    assert {"assistant.reader", "assistant.retrieve", "numpy", "pydantic_settings", "rich.console"} <= modules
    assert imported(modules, NOT_FOR_ASK) == set()


def test_a_fresh_ask_stems_a_new_word_with_the_greek_stemmer_alone(synthetic_assistant, synthetic_settings, tmp_path):
    question = "Ποια είναι η μέγιστη επιχορήγηση για καρχαρίες;"  # «καρχαρίες» is in no guide: it is stemmed
    answer, modules = fresh_ask(synthetic_settings, tmp_path, question)
    assert answer["text"] == synthetic_assistant.ask(question).text
    assert "_kalo_snowball.greek_stemmer" in modules
    assert imported(modules, NOT_FOR_ASK) == set()


def test_langchain_callers_get_a_retriever_and_embeddings_langchain_accepts(synthetic_assistant):
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_core.retrievers import BaseRetriever
    from langchain_core.vectorstores import InMemoryVectorStore

    retriever = synthetic_assistant.retriever(k=2)
    assert isinstance(retriever, BaseRetriever)
    docs = retriever.invoke(GRANT)
    assert len(docs) == 2 and all(isinstance(d, Document) for d in docs)
    assert [d.id for d in docs] == [p.chunk_id for p in synthetic_assistant.search(k=2).retrieve(GRANT).passages][:2]

    embeddings = synthetic_assistant.embeddings
    assert isinstance(embeddings, Embeddings)
    assert asyncio.run(embeddings.aembed_query(GRANT)) == embeddings.embed_query(GRANT)
    store = InMemoryVectorStore(embedding=embeddings)
    store.add_texts(["Η επιχορήγηση φτάνει τα 12.345 ευρώ.", "Οι εθελοντές ασφαλίζονται από τον φορέα."])
    assert store.similarity_search("μέγιστη επιχορήγηση ευρώ", k=1)[0].page_content.startswith("Η επιχορήγηση")
