"""Runs: every case through the same `Assistant.ask` the app uses, scored, written to a run folder
(cases.jsonl, summary.json, report.html, memo.txt); the three retrieval modes in one go."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from assistant.core.errors import ConfigError, IndexMissingError, KaloError, ModelMismatchError
from assistant.service import Assistant
from eval.catalogue import median
from eval.dataset import Case
from eval.identity import DatasetInfo, code_version, describe
from eval.scoring import EmbeddingSimilarity, ScoringOptions, error_record, score_case
from eval.summary import summarize

MODES = ("hybrid", "dense", "bm25")


@dataclass(frozen=True)
class Step:
    """Progress: one case finished (the one callback signature of runs, single-mode or all modes)."""

    mode: str
    case: Case
    record: dict
    index: int  # 1-based, within this mode's run
    count: int  # cases in this mode's run


Progress = Callable[[Step], None]


def with_mode(assistant: Assistant, mode: str | None) -> Assistant:
    """The same assistant (embeddings, store, answerer shared) with another retrieval mode."""
    if not mode or mode == assistant.settings.retrieval_mode:
        return assistant
    settings = assistant.settings.model_copy(update={"retrieval_mode": mode})
    return Assistant(settings, embeddings=assistant.embeddings, store=assistant.store, answerer=assistant.answerer)


def default_run_dir(root: Path, label: str) -> Path:
    return root / "eval-runs" / f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{label}"


def runnable(cases: list[Case], limit: int | None = None) -> list[Case]:
    """The cases a run asks: drafts skipped, then the first `limit`."""
    return [c for c in cases if not c.draft][:limit]


def _ask(assistant: Assistant, case: Case, repeat: int):
    """The first answer (the one scored) and every latency; with repeat > 1 the question is asked again for
    timing only, and a changed answer text is flagged."""
    first = assistant.ask(case.question, case.audience, case.history)
    latencies, changed = [first.latency_ms], False
    for _ in range(repeat - 1):
        again = assistant.ask(case.question, case.audience, case.history)
        latencies.append(again.latency_ms)
        changed = changed or again.text != first.text
    return first, latencies, changed


def evaluate(
    assistant: Assistant,
    cases: list[Case],
    *,
    progress: Progress | None = None,
    options: ScoringOptions | None = None,
    judge=None,
    repeat: int = 1,
) -> list[dict]:
    """Ask every case (follow-ups with their history) and score it. Errors that would fail every case
    (no index, wrong model, bad configuration) stop the run; others are recorded on the case."""
    options = options or ScoringOptions()
    similarity = EmbeddingSimilarity(assistant.embeddings, options.cosine_floor)
    k = assistant.settings.top_k
    mode = assistant.settings.retrieval_mode
    records = []
    for index, case in enumerate(cases, start=1):
        try:
            answer, latencies, changed = _ask(assistant, case, max(1, repeat))
        except (IndexMissingError, ModelMismatchError, ConfigError):
            raise
        except KaloError as exc:
            record = error_record(case, exc)
        else:
            record = score_case(case, answer, k, similarity, options)
            if repeat > 1:
                record["latency_ms"] = round(median(latencies) or 0.0, 1)
                record["latency_runs_ms"] = [round(x, 1) for x in latencies]
                record["answer_changed_on_repeat"] = changed
            if judge is not None and answer.found:
                record["llm_judge"] = judge.score(case.question, answer, similarity)
        records.append(record)
        if progress is not None:
            progress(Step(mode, case, record, index, len(cases)))
    return records


def write_run(out_dir: Path, records: list[dict], summary: dict, html: bool = True, baseline=None) -> Path:
    """cases.jsonl, summary.json, report.html and memo.txt (the Greek summary, against `baseline` if given)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "cases.jsonl").open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    if html:
        from eval.memo import run_memo
        from eval.report import write_report

        comparison = None
        if baseline is not None:
            from eval.compare import Run, compare

            comparison = compare(baseline, Run(out_dir, summary, {r["id"]: r for r in records}))
        (out_dir / "memo.txt").write_text(run_memo(summary, comparison), encoding="utf-8")
        write_report(out_dir / "report.html", summary, records, comparison)
    return out_dir


def run(
    assistant: Assistant,
    cases: list[Case],
    out_dir: Path,
    *,
    mode: str | None = None,
    dataset: Path | None = None,
    info: DatasetInfo | None = None,
    progress: Progress | None = None,
    options: ScoringOptions | None = None,
    judge=None,
    limit: int | None = None,
    repeat: int = 1,
    baseline=None,
) -> dict:
    """One evaluation run written to `out_dir`; returns the summary. Drafts are skipped (and counted);
    `limit` keeps the first N of the others; `baseline` (a loaded run) adds «what changed» to the memo."""
    options = options or ScoringOptions()
    active = with_mode(assistant, mode)
    drafts = sum(1 for c in cases if c.draft)
    asked = runnable(cases, limit)
    info = info or describe(dataset or "", [c for c in cases if not c.draft])
    started = time.perf_counter()
    records = evaluate(active, asked, progress=progress, options=options, judge=judge, repeat=repeat)
    meta = {
        "id": out_dir.name,
        "created": datetime.now().isoformat(timespec="seconds"),
        "dataset": str(dataset) if dataset else info.path,
        "dataset_sha256": info.sha256,
        "dataset_info": info.as_dict() | {"n_cases": len(asked), "limit": limit},
        "code": code_version(),
        "skipped_drafts": drafts,
        "retrieval_mode": active.settings.retrieval_mode,
        "k": active.settings.top_k,
        "answerer": active.answerer.name,
        "repeat": repeat,
        "seconds": round(time.perf_counter() - started, 1),
        "scoring": {"cosine_floor": options.cosine_floor, "support_threshold": options.support_threshold},
        "settings": active.snapshot(),  # without secrets, as feedback records it
    }
    summary = summarize(records, meta)
    if judge is not None:
        from eval.judge import aggregate_judge

        summary["llm_judge"] = aggregate_judge(records, judge)
    write_run(out_dir, records, summary, baseline=baseline)
    return summary


def run_modes(
    assistant: Assistant,
    cases: list[Case],
    out_dir: Path,
    *,
    modes: tuple[str, ...] = MODES,
    dataset: Path | None = None,
    info: DatasetInfo | None = None,
    progress: Progress | None = None,
    options: ScoringOptions | None = None,
    limit: int | None = None,
    judge=None,
    repeat: int = 1,
) -> dict[str, dict]:
    """The same cases under each retrieval mode, one sub-folder per mode, plus a combined table
    (modes.json, modes.md, index.html) measured in this one invocation."""
    summaries: dict[str, dict] = {}
    for mode in modes:
        summaries[mode] = run(
            assistant,
            cases,
            out_dir / mode,
            mode=mode,
            dataset=dataset,
            info=info,
            progress=progress,
            options=options,
            limit=limit,
            judge=judge,
            repeat=repeat,
        )
    from eval.report import modes_markdown, write_modes_index

    table = {mode: s["metrics"] for mode, s in summaries.items()}
    (out_dir / "modes.json").write_text(json.dumps(table, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "modes.md").write_text(modes_markdown(table), encoding="utf-8")
    write_modes_index(out_dir / "index.html", summaries)
    return summaries
