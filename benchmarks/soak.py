"""Soak test: N concurrent clients against a `kalo serve` started on loopback over the synthetic guides
(fake-hash embeddings, offline), for a set time. Reports errors, p50/p95 latency and the server's peak RSS.

Usage: python benchmarks/soak.py [--clients 20] [--seconds 60] [--out benchmarks/RESULTS.md]
       python benchmarks/soak.py --questions 10 [--clients 20] [--out …]   (#14's Done-when figure)
With --questions, each client asks exactly that many questions, each carrying a history at the configured
maximum (max_history_turns turns, max_history_chars characters in all); then every client sends histories
one turn and one character over the limits, which must be refused (4xx) in under a second.
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
from collections.abc import Iterator
from contextlib import contextmanager
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


def start_server(root: Path, port: int, backend: str = "fake-hash") -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALO_")}
    env |= {
        "KALO_CONFIG": str(root / "none.toml"),
        "KALO_CORPUS_DIR": str(root / "corpus"),
        "KALO_DATA_DIR": str(root / "data"),
        "KALO_EMBEDDING_BACKEND": backend,
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


@contextmanager
def serving(backend: str) -> Iterator[tuple[Path, subprocess.Popen, str]]:
    """`kalo serve` over a fresh copy of the synthetic guides: (its folder, the process, its URL). The
    caller stops it (`stop_server`, to read its peak memory first); a run that fails is killed here."""
    with tempfile.TemporaryDirectory(prefix="kalo-soak-") as tmp:
        root = Path(tmp)
        synthetic.write_corpus(root / "corpus", pdf=True)
        port = free_port()
        server = start_server(root, port, backend)
        try:
            yield root, server, f"http://127.0.0.1:{port}"
        finally:
            if server.poll() is None:
                server.kill()


def run_clients(threads: list[threading.Thread], started: float, timeout: float) -> float:
    """Start every client, wait for them all; the wall time since `started`."""
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return time.monotonic() - started


def stop_server(server: subprocess.Popen) -> tuple[bool, float]:
    """Whether the server was still alive, and its peak RSS (MB), read before it is stopped."""
    alive = server.poll() is None
    rss = peak_rss_mb(server.pid)
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    return alive, rss


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


def history(turns: int, chars: int) -> list[dict]:
    """`turns` alternating user/assistant turns of Greek guide text, `chars` characters in all."""
    words = " ".join(QUESTIONS[:4]).split()
    out, left = [], chars
    for n in range(turns):
        size = left // (turns - n)
        text, i = "", n
        while len(text) < size:
            text += words[i % len(words)] + " "
            i += 1
        out.append({"role": "user" if n % 2 == 0 else "assistant", "content": text[:size]})
        left -= size
    return out


def fixed_client(url: str, n: int, questions: int, turns: int, chars: int, results: list, lock) -> None:
    """`questions` asks at the history limit, then one over the turn limit and one over the character limit."""
    at_limit = history(turns, chars)
    over = [history(turns + 1, min(chars, (turns + 1) * 10)), history(turns, chars + 1)]
    with httpx.Client(base_url=url, timeout=60) as http:
        for i in range(questions + len(over)):
            hostile = i >= questions
            body = {"question": QUESTIONS[(n + i) % len(QUESTIONS)], "history": over[i - questions] if hostile else at_limit}
            started = time.perf_counter()
            try:
                r = http.post("/api/ask", json=body)
                code, text = r.status_code, r.text
            except httpx.HTTPError as exc:
                code, text = 0, type(exc).__name__
            elapsed = time.perf_counter() - started
            with lock:
                results.append(("over" if hostile else "at", code, elapsed, len(text), text[:300]))


def run_fixed(args) -> str:
    from assistant.core.settings import Settings

    turns = Settings.model_fields["max_history_turns"].default
    chars = Settings.model_fields["max_history_chars"].default
    with serving(args.embedding_backend) as (root, server, url):
        if not args.cold:  # one question first: the model is loaded and the index open before the clock starts
            httpx.post(f"{url}/api/ask", json={"question": QUESTIONS[0]}, timeout=300)
        results: list = []
        lock = threading.Lock()
        load_before = os.getloadavg()[0]
        started = time.monotonic()
        threads = [
            threading.Thread(target=fixed_client, args=(url, n, args.questions, turns, chars, results, lock), daemon=True)
            for n in range(args.clients)
        ]
        wall = run_clients(threads, started, args.seconds + 600)
        alive, rss = stop_server(server)
        load_after = os.getloadavg()[0]
        if args.log:
            print((root / "serve.log").read_text(encoding="utf-8", errors="replace")[-20000:], file=sys.stderr)
    at = [r for r in results if r[0] == "at"]
    over = [r for r in results if r[0] == "over"]
    at_ok = [r[2] for r in at if r[1] == 200]
    at_errors = [r for r in at if r[1] != 200]
    refused = [r for r in over if 400 <= r[1] < 500]
    over_times = [r[2] for r in over]
    sample = next((r[4] for r in refused), "")
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — soak at the history limit (#14): {args.clients} clients × "
        f"{args.questions} questions ({platform.node() or 'host'}, {os.cpu_count()} cores, Python {platform.python_version()})",
        "",
        f"Written by `python benchmarks/soak.py --questions {args.questions} --clients {args.clients} --embedding-backend "
        f"{args.embedding_backend}`: `kalo serve` on loopback over the synthetic guides ({args.embedding_backend} "
        "embeddings, extractive answerer); every question carries a "
        f"history at the configured maximum ({turns} turns, {chars:,} characters in all); then each client sends a "
        f"history of {turns + 1} turns and one of {chars + 1:,} characters. "
        f"{'Cold: the clients start as soon as /api/health answers (the model may still be loading)' if args.cold else 'Warm: one question is answered before the clients start'}. "
        "Load average before/after: "
        f"{load_before:.1f}/{load_after:.1f}; wall {wall:.1f} s.",
        "",
        "| questions at the limit | answered (200) | errors | p50 s | p95 s | max s | over the limit | refused (4xx) | "
        "refusal max s | largest refusal body | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {len(at)} | {len(at_ok)} | {len(at_errors)} | {percentile(at_ok, 0.5):.2f} | {percentile(at_ok, 0.95):.2f} | "
        f"{max(at_ok, default=0):.2f} | {len(over)} | {len(refused)} | {max(over_times, default=0):.2f} | "
        f"{max((r[3] for r in over), default=0)} B | {rss:.0f} |",
        "",
        f"Targets: 0 errors ({'met' if not at_errors else 'NOT met'}), p95 < 3 s "
        f"({'met' if percentile(at_ok, 0.95) < 3 else 'NOT met'}), every over-limit history refused in < 1 s "
        f"({'met' if len(refused) == len(over) and max(over_times, default=0) < 1 else 'NOT met'}); server alive at "
        f"the end: {'yes' if alive else 'NO'}.",
        f"A refusal reads: `{sample}`",
        "",
    ]
    if at_errors:
        lines += [f"Errors: {sorted({(r[1], r[4][:120]) for r in at_errors})}", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--questions", type=int, default=0, help="per client, with histories at the limit")
    parser.add_argument("--embedding-backend", default="fake-hash", help="fake-hash or e5-bundled (the real model)")
    parser.add_argument("--cold", action="store_true", help="with --questions: no warm-up question first")
    parser.add_argument("--log", action="store_true", help="print the end of the server's log")
    parser.add_argument("--out", type=Path, default=None, help="append a section to this Markdown file")
    args = parser.parse_args()
    if args.questions:
        write(run_fixed(args), args.out)
        return

    with serving(args.embedding_backend) as (root, server, url):
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
        wall = run_clients(threads, started, args.seconds + 60)
        alive, rss = stop_server(server)
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
        f"Written by `python benchmarks/soak.py --clients {args.clients} --seconds {args.seconds:g} --embedding-backend "
        f"{args.embedding_backend}`: `kalo serve` on loopback over the synthetic guides ({args.embedding_backend}",
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
    write("\n".join(lines), args.out)


def write(report: str, out: Path | None) -> None:
    """Print the section, and put it first in `out` (newest first)."""
    print(report)
    if out:
        text = out.read_text(encoding="utf-8") if out.exists() else "# Benchmarks\n\n"
        head, sep, rest = text.partition("\n## ")
        out.write_text(head.rstrip() + "\n\n" + report + "\n" + (sep.lstrip("\n") + rest if sep else ""), encoding="utf-8")


if __name__ == "__main__":
    main()
