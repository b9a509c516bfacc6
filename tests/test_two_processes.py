"""Several `kalo serve` processes over one Chroma server (`chroma run` on loopback), one ingest writer
(synthetic guides, fake-hash embeddings):
a guide added through the writer is answered by the other processes after a reload signal (SIGHUP or
POST /api/reload) or, without any signal, within their `refresh_interval`; GET /api/health shows the
store's version and the version each process answers from."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import httpx
import pytest
from support import synthetic
from support.processes import stop
from support.servers import BIN, free_port, wait_until_up

pytestmark = pytest.mark.slow

ADMIN = "διαχείριση-δοκιμής"  # non-ASCII on purpose: sent as UTF-8 in the header
HEADERS = {"X-Admin-Password": ADMIN.encode()}
REFRESH_S = 1.0  # process C's refresh_interval
NEW_GUIDES = {
    "koinoniko-farmakeio.md": (
        "# Κοινωνικό φαρμακείο\n\n## 1. Λειτουργία\n\n"
        "Το κοινωνικό φαρμακείο διαθέτει φάρμακα δωρεάν σε ανασφάλιστους και άπορους δημότες. "
        "Τα φάρμακα προέρχονται από δωρεές πολιτών και φαρμακευτικών εταιρειών και ελέγχονται από "
        "εθελοντές φαρμακοποιούς πριν από τη διάθεσή τους.\n",
        "Από πού προέρχονται τα φάρμακα του κοινωνικού φαρμακείου;",
    ),
    "dimotikos-lachanokipos.md": (
        "# Δημοτικοί λαχανόκηποι\n\n## 1. Παραχώρηση αγροτεμαχίων\n\n"
        "Οι δημοτικοί λαχανόκηποι παραχωρούν μικρά αγροτεμάχια σε οικογένειες με χαμηλό εισόδημα. "
        "Οι καλλιεργητές παίρνουν σπόρους και νερό άρδευσης από τον Δήμο και μοιράζονται τα εργαλεία.\n",
        "Ποιοι παίρνουν αγροτεμάχια στους δημοτικούς λαχανόκηπους;",
    ),
}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A Chroma server, the guides ingested once (by the writer's data dir), and three `kalo serve`
    processes: A (the writer, admin), B (reloads on a signal) and C (refresh_interval = REFRESH_S)."""
    from assistant.core.settings import Settings
    from ingest.pipeline import Ingestor

    root = tmp_path_factory.mktemp("two-processes")
    corpus = root / "corpus"  # one guides folder for all (a shared volume in production)
    synthetic.write_corpus(corpus)
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        chroma_port = free_port()
        log = root / "chroma.log"
        procs.append(
            subprocess.Popen(
                [
                    str(BIN / "chroma"),
                    "run",
                    "--path",
                    str(root / "db"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(chroma_port),
                ],
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
                env=os.environ | {"ANONYMIZED_TELEMETRY": "False"},
            )
        )
        wait_until_up(f"http://127.0.0.1:{chroma_port}/api/v2/heartbeat", procs[0], timeout=60, log=log)

        common = {
            "chroma_mode": "http",
            "chroma_port": chroma_port,
            "corpus_dir": corpus,
            "embedding_backend": "fake-hash",
        }
        report = Ingestor(Settings(**common, data_dir=root / "A" / "data")).run()
        assert not report.failed and report.embedded > 0

        env = {k: v for k, v in os.environ.items() if not k.startswith("KALO_")}
        env |= {
            "KALO_CONFIG": str(root / "none.toml"),
            "KALO_CHROMA_MODE": "http",
            "KALO_CHROMA_PORT": str(chroma_port),
            "KALO_CORPUS_DIR": str(corpus),
            "KALO_EMBEDDING_BACKEND": "fake-hash",
            "KALO_ADMIN_PASSWORD": ADMIN,
            "ANONYMIZED_TELEMETRY": "False",
            "GRADIO_ANALYTICS_ENABLED": "False",
        }
        urls = {}
        for name, extra in (("A", {}), ("B", {}), ("C", {"KALO_REFRESH_INTERVAL": str(REFRESH_S)})):
            port = free_port()
            log = root / f"{name}.log"
            logs.append(log)
            procs.append(
                subprocess.Popen(
                    [str(BIN / "kalo"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                    env=env | {"KALO_DATA_DIR": str(root / name / "data")} | extra,
                    cwd=root,
                )
            )
            urls[name] = f"http://127.0.0.1:{port}"
        for url, proc, log in zip(urls.values(), procs[1:], logs, strict=True):
            wait_until_up(f"{url}/api/health", proc, timeout=120, log=log)
        yield {"urls": urls, "procs": dict(zip(urls, procs[1:], strict=True)), "corpus": corpus}
    finally:
        for proc in reversed(procs):
            stop(proc, timeout=15)


def health(url: str) -> dict:
    return httpx.get(f"{url}/api/health", timeout=30).json()


def ask(url: str, question: str) -> dict:
    body = {"model": "kalo-assistant", "messages": [{"role": "user", "content": question}]}
    response = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def answered_from(url: str, question: str, source: str) -> bool:
    answer = ask(url, question)
    return answer["found"] and source in {s["source"] for s in answer["sources"]}


def add_guide(writer: str, name: str) -> None:
    text, _ = NEW_GUIDES[name]
    files = [("files", (name, text.encode("utf-8"), "text/markdown"))]
    response = httpx.post(f"{writer}/api/guides", files=files, headers=HEADERS, timeout=300)
    assert response.status_code == 201, response.text


def until(check, timeout: float, what: str):
    """Poll `check()` until it is truthy; fail after `timeout` seconds (bounded, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s")
        time.sleep(0.2)
    return result


def test_processes_share_the_store_and_report_its_version(cluster):
    urls = cluster["urls"]
    first = [health(url) for url in urls.values()]
    assert {h["status"] for h in first} == {"ok"}
    assert len({h["store_version"] for h in first}) == 1 and first[0]["store_version"]
    question = "Ποια είναι η μέγιστη επιχορήγηση του προγράμματος Ηλιαχτίδα;"
    for url in urls.values():
        assert ask(url, question)["found"] is True  # every process answers from the shared collection
    until(lambda: all(health(u)["index_version"] == first[0]["store_version"] for u in urls.values()), 30, "index open")


def test_a_guide_added_through_the_writer_reaches_the_others(cluster):
    urls, procs = cluster["urls"], cluster["procs"]
    name = "koinoniko-farmakeio.md"
    question = NEW_GUIDES[name][1]
    before = health(urls["B"])
    assert not answered_from(urls["B"], question, name)

    add_guide(urls["A"], name)  # A saves the file, embeds it into the shared collection, reloads itself
    assert answered_from(urls["A"], question, name)
    after = health(urls["A"])
    assert after["store_version"] != before["store_version"] == before["index_version"]
    assert after["index_version"] == after["store_version"]

    # B has not been told: it still answers from the index it opened, and its health says so.
    stale = health(urls["B"])
    assert stale["store_version"] == after["store_version"] and stale["index_version"] == before["index_version"]
    assert not answered_from(urls["B"], question, name)

    procs["B"].send_signal(signal.SIGHUP)  # the reload signal
    until(lambda: health(urls["B"])["index_version"] == after["store_version"], 60, "B reloads on SIGHUP")
    assert answered_from(urls["B"], question, name)

    # C reloads by itself within its refresh interval (plus the reopening of the index).
    until(lambda: health(urls["C"])["index_version"] == after["store_version"], REFRESH_S + 60, "C refreshes")
    assert answered_from(urls["C"], question, name)


def test_post_api_reload(cluster):
    urls = cluster["urls"]
    name = "dimotikos-lachanokipos.md"
    question = NEW_GUIDES[name][1]
    add_guide(urls["A"], name)
    version = health(urls["A"])["store_version"]

    refused = httpx.post(f"{urls['B']}/api/reload", headers={"X-Admin-Password": "wrong"}, timeout=30)
    assert refused.status_code == 401 and "κωδικός διαχειριστή" in refused.json()["detail"]
    response = httpx.post(f"{urls['B']}/api/reload", headers=HEADERS, timeout=120)
    assert response.status_code == 200
    assert response.json() == {"reloaded": True, "store_version": version, "index_version": version}
    assert answered_from(urls["B"], question, name)


def test_a_reindex_on_the_writer_is_followed_by_the_others_without_a_gap(cluster):
    """The writer's re-index builds a new generation beside the served one in the shared Chroma and switches
    the pointer there: B (its own data folder) answers throughout, then serves the new generation."""
    import threading

    urls = cluster["urls"]
    before = health(urls["B"])
    assert before["generation"]
    question = "Ποια είναι η μέγιστη επιχορήγηση του προγράμματος Ηλιαχτίδα;"
    body = {"model": "kalo-assistant", "messages": [{"role": "user", "content": question}]}
    outcomes: list[tuple[int, bool]] = []
    done = threading.Event()

    def keep_asking() -> None:
        while not done.is_set():
            r = httpx.post(f"{urls['B']}/v1/chat/completions", json=body, timeout=120)
            outcomes.append((r.status_code, r.status_code == 200 and r.json()["found"]))

    reader = threading.Thread(target=keep_asking)
    reader.start()
    try:
        response = httpx.post(f"{urls['A']}/api/reindex", headers=HEADERS, timeout=300)
    finally:
        done.set()
        reader.join(timeout=180)
    assert response.status_code == 200, response.text
    writer = health(urls["A"])
    assert writer["generation"] != before["generation"] and writer["built_at"]
    assert outcomes and set(outcomes) == {(200, True)}, outcomes  # B answered from a whole index throughout
    until(lambda: health(urls["B"])["generation"] == writer["generation"], 60, "B follows the switch")
    assert ask(urls["B"], question)["found"] is True
