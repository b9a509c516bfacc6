"""Benchmark: ingestion of the bundled corpus (seconds, pages/s) and `ask` latency (p50/p95).

Usage: python benchmarks/bench.py [--repeat 1] [--out benchmarks/RESULTS.md]
Runs fully offline with the default configuration, in a temporary data dir.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "Πώς ξεκινάει ένας Δήμος συνεργασία με φορέα ΚΑΛΟ;",
    "Τι τύποι δικτύων υπάρχουν και ποιος μας ταιριάζει;",
    "Τι είναι οι συμβάσεις με επιφύλαξη;",
    "pws vriskw forea kalo stin periochi mou",
    "ΤΙ ΕΙΝΑΙ ΤΟ ΓΕΝΙΚΟ ΜΗΤΡΩΟ ΦΟΡΕΩΝ ΚΑΛΟ",
    "τι ειναι οι ασθενεις δεσμοι",
    "Ποιοι κίνδυνοι υπάρχουν όταν συνεργαζόμαστε με επιχειρήσεις;",
    "Ποιος είναι ο ρόλος των κοινωνικών υπηρεσιών του Δήμου;",
    "Πώς αξιολογούμε ένα δίκτυο;",
    "Τι καιρό θα κάνει αύριο;",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the question list")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "RESULTS.md")
    args = parser.parse_args()
    os.environ["KALO_CONFIG"] = "/nonexistent/kalo.toml"

    from assistant.core.settings import Settings
    from assistant.service import Assistant
    from ingest.pipeline import Ingestor

    root = Path(tempfile.mkdtemp(prefix="kalo-bench-"))
    try:
        corpus = root / "corpus"
        shutil.copytree(REPO / "corpus" / "guides", corpus)
        settings = Settings(corpus_dir=corpus, data_dir=root / "data")
        report = Ingestor(settings).run()
        chunks = sum(f.chunks for f in report.files)
        again = Ingestor(settings).run()

        assistant = Assistant(settings)
        started = time.perf_counter()
        assistant.ask(QUESTIONS[0])  # first question opens the index and loads the model
        cold = time.perf_counter() - started
        latencies = []
        for _ in range(args.rounds):
            for question in QUESTIONS:
                started = time.perf_counter()
                assistant.ask(question)
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC — {platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()})",
        "",
        f"- Ingest bundled corpus: {len(report.files)} files, {report.pages} pages, {chunks} chunks in "
        f"{report.seconds:.1f} s → {report.pages / report.seconds:.2f} pages/s, {chunks / report.seconds:.2f} chunks/s",
        f"- Re-ingest unchanged corpus: {again.seconds:.2f} s, {again.embedded} chunks embedded",
        f"- `ask` (extractive, hybrid): first question {cold * 1000:.0f} ms (opens index, loads model); then "
        f"{len(latencies)} questions: p50 {statistics.median(latencies):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms, "
        f"max {max(latencies):.0f} ms",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    header = "# Benchmarks\n\nWritten by `python benchmarks/bench.py`; newest first.\n\n"
    old = args.out.read_text(encoding="utf-8").removeprefix(header) if args.out.exists() else ""
    args.out.write_text(header + text + "\n" + old, encoding="utf-8")


if __name__ == "__main__":
    main()
