"""Soak test: N concurrent clients against a `kalo serve` started on loopback over the synthetic guides
(fake-hash embeddings, offline), for a set time. Reports errors, p50/p95 latency and the server's peak RSS.

Usage: python benchmarks/soak.py [--clients 20] [--seconds 60] [--out benchmarks/RESULTS.md]
Bounded: every request has a timeout, the run stops after --seconds, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from support import synthetic  # noqa: E402  (the synthetic guides live with the tests)

QUESTIONS = [
    "Ποια είναι η μέγιστη επιχορήγηση του προγράμματος Ηλιαχτίδα;",
    "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;",
    "Ποια είναι τα βήματα σύστασης μιας ενεργειακής κοινότητας;",
    "Τι κάνει ο Δήμος ως διευκολυντής;",
    "Ποια είναι η συνταγή για μουσακά;",
    "ti einai i energeiaki koinotita",
]
# Hostile requests mixed in: each must be refused with a 4xx, never a 5xx or a dropped connection.
HOSTILE = [
    (b'{"question": NaN}', 422),
    (b'{"question": "\\ud800"}', 422),
    (b'{"question": "x", "audience": ' + b"[" * 5000 + b"]" * 5000 + b"}", 422),
    (json.dumps({"question": "Τι;", "history": [{"role": "user", "content": "w " * 15000}]}).encode(), 422),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """The process's high-water resident set (VmHWM), in MB; 0 when /proc is not there."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def start_server(root: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALO_")}
    env |= {
        "KALO_CONFIG": str(root / "none.toml"),
        "KALO_CORPUS_DIR": str(root / "corpus"),
        "KALO_DATA_DIR": str(root / "data"),
        "KALO_EMBEDDING_BACKEND": "fake-hash",
        "KALO_AUDIENCE_GUIDES": json.dumps(synthetic.FAKE["audience_guides"]),
    }
    kalo = [sys.executable, "-m", "assistant.cli"]
    subprocess.run([*kalo, "ingest"], env=env, check=True, capture_output=True, timeout=300)
    log = (root / "serve.log").open("wb")  # a file, not a pipe: a full pipe would stall the server
    server = subprocess.Popen(
        [*kalo, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"kalo serve exited: {(root / 'serve.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)  # waiting for a process to listen: no event to wait on across processes
    server.kill()
    raise RuntimeError("kalo serve did not answer within 120 s")


def client(url: str, n: int, until: float, latencies: list[float], outcomes: Counter, lock: threading.Lock) -> None:
    with httpx.Client(base_url=url, timeout=30) as http:
        i = n
        while time.monotonic() < until:
            i += 1
            hostile = i % 10 == 0
            started = time.perf_counter()
            try:
                if hostile:
                    body, expected = HOSTILE[(i // 10) % len(HOSTILE)]
                    r = http.post("/api/ask", content=body, headers={"content-type": "application/json"})
                    kind = "refused as expected" if r.status_code == expected else f"hostile → {r.status_code}"
                else:
                    r = http.post("/api/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
                    kind = "ok" if r.status_code == 200 else f"HTTP {r.status_code}"
            except httpx.HTTPError as exc:
                kind = f"{type(exc).__name__}"
            elapsed = time.perf_counter() - started
            with lock:
                outcomes[kind] += 1
                if kind == "ok":
                    latencies.append(elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--log", action="store_true", help="print the end of the server's log")
    parser.add_argument("--out", type=Path, default=None, help="append a section to this Markdown file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kalo-soak-") as tmp:
        root = Path(tmp)
        synthetic.write_corpus(root / "corpus", pdf=True)
        port = free_port()
        server = start_server(root, port)
        url = f"http://127.0.0.1:{port}"
        latencies: list[float] = []
        outcomes: Counter = Counter()
        lock = threading.Lock()
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        until = started + args.seconds
        threads = [
            threading.Thread(target=client, args=(url, n, until, latencies, outcomes, lock), daemon=True)
            for n in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 60)
        wall = time.monotonic() - started
        alive = server.poll() is None
        rss = peak_rss_mb(server.pid)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        load_after = os.getloadavg()[0]
        server_log = (root / "serve.log").read_text(encoding="utf-8", errors="replace")
        if args.log:
            print(server_log[-6000:], file=sys.stderr)

    total = sum(outcomes.values())
    errors = {k: v for k, v in outcomes.items() if k not in ("ok", "refused as expected")}
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — soak: {args.clients} clients for {args.seconds:g} s "
        f"({platform.node() or 'host'}, {os.cpu_count()} cores, Python {platform.python_version()})",
        "",
        "Written by `python benchmarks/soak.py`: `kalo serve` on loopback over the synthetic guides (fake-hash",
        "embeddings, extractive answerer); every tenth request is hostile (NaN, lone surrogate, 5,000-deep",
        f"JSON, 30 KB history) and must be a 422. Load average before/after: {load_before:.1f}/{load_after:.1f}.",
        "",
        "| requests | per s | answered (200) | hostile refused (422) | errors | p50 s | p95 s | max s | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {total} | {total / wall:.1f} | {outcomes['ok']} | {outcomes['refused as expected']} | "
        f"{sum(errors.values())} | {percentile(latencies, 0.5):.2f} | {percentile(latencies, 0.95):.2f} | "
        f"{max(latencies, default=0):.2f} | {rss:.0f} |",
        "",
        f"Errors: {', '.join(f'{k}: {v}' for k, v in sorted(errors.items())) or 'none'}; server alive at the end: "
        f"{'yes' if alive else 'NO'}; mean answer {statistics.fmean(latencies) if latencies else 0:.2f} s.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.out:
        text = args.out.read_text(encoding="utf-8") if args.out.exists() else "# Benchmarks\n\n"
        head, sep, rest = text.partition("\n## ")
        args.out.write_text(
            head.rstrip() + "\n\n" + report + "\n" + (sep.lstrip("\n") + rest if sep else ""), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
