"""`kalo eval …`: the evaluation commands. Formatting only: what a command does lives in eval/
(eval.orchestrate for `eval run`, eval.compare, eval.interop, eval.feedback)."""

# No `from __future__ import annotations`: typer reads every command's annotations at each start, and
# string annotations would be compiled and evaluated again every time (≈ 10 ms of a cold `kalo ask`).

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli_support import console, err, friendly

eval_app = typer.Typer(
    help="Evaluate answer quality on a question set: run, compare runs, import/export sets, import user feedback.",
    no_args_is_help=True,
)
ModeOpt = Annotated[
    str | None, typer.Option("--retrieval-mode", "-m", help="hybrid | dense | bm25 (default: from the settings)")
]
SplitOpt = Annotated[
    str | None, typer.Option("--split", help="dev | test | v1: a named set from eval/datasets/datasets.toml")
]
FormatOpt = Annotated[str | None, typer.Option("--format", help="jsonl | csv | ragas (default: from the file)")]
MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help="FIELD=COLUMN for CSV/RAGAS files, e.g. question=Ερώτηση; repeatable"),
]


def _mapping(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise typer.BadParameter(f"--map expects FIELD=COLUMN, got '{pair}'")
        out[field.strip()] = column.strip()
    return out


@eval_app.command("run")
@friendly
def eval_run(
    dataset: Annotated[
        Path | None, typer.Option(help="Question set: our JSONL, CSV or RAGAS JSONL (default: kalo_v1)")
    ] = None,
    split: SplitOpt = None,
    dataset_format: FormatOpt = None,
    map_: MapOpt = None,
    config: Annotated[Path | None, typer.Option(help="Settings TOML for this run (same keys as kalo.toml)")] = None,
    retrieval_mode: ModeOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="Run folder (default: <data_dir>/eval-runs/<timestamp>-<dataset>-<mode>)")
    ] = None,
    min_: Annotated[
        list[str] | None, typer.Option("--min", help="METRIC=VALUE: fail (exit 1) if the metric is lower; repeatable")
    ] = None,
    max_: Annotated[
        list[str] | None, typer.Option("--max", help="METRIC=VALUE: fail if a lower-is-better metric is higher")
    ] = None,
    thresholds: Annotated[
        Path | None, typer.Option(help="TOML of metric = minimum (and a [max] table), e.g. eval/thresholds.toml")
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only the first N cases")] = None,
    compare_modes: Annotated[
        bool, typer.Option("--compare-modes", help="Run hybrid, dense and bm25 in one go and write a combined table")
    ] = False,
    repeat: Annotated[int, typer.Option(min=1, help="Ask each question N times: latency as median with spread")] = 1,
    baseline: Annotated[
        Path | None, typer.Option(help="A run folder to compare with: «what changed» in the memo and the report")
    ] = None,
    llm_judge: Annotated[
        bool,
        typer.Option("--llm-judge", help="Also score faithfulness/relevance with the answerer's LLM (generative only)"),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary metrics as JSON")] = False,
) -> None:
    """Run the question set through the assistant (the same path as the app), score every case and write
    cases.jsonl, summary.json, report.html and memo.txt. Thresholds (--min/--max/--thresholds) make it exit 1 when missed.
    Settings: command-line options, then KALO_* variables, then --config (or kalo.toml), then defaults."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from eval.orchestrate import RunRequest, execute, prepare
    from eval.terminal import metrics_table, run_lines, wide

    request = RunRequest(
        dataset=dataset,
        split=split,
        dataset_format=dataset_format,
        mapping=_mapping(map_),
        config=config,
        retrieval_mode=retrieval_mode,
        out=out,
        minimum=min_ or [],
        maximum=max_ or [],
        thresholds=thresholds,
        limit=limit,
        compare_modes=compare_modes,
        llm_judge=llm_judge,
        repeat=repeat,
        baseline=baseline,
    )
    plan = prepare(request)
    for warning in plan.warnings:
        err.print(f"[yellow]{warning}[/]")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err) as bars:
        task = bars.add_task("Evaluating", total=plan.total)
        outcome = execute(plan, lambda step: bars.update(task, advance=1, description=f"{step.mode}: {step.case.id}"))
    summaries = outcome.summaries
    if as_json:
        console.print_json(json.dumps({m: s["metrics"] for m, s in summaries.items()}, ensure_ascii=False))
    else:
        n = outcome.summary["metrics"]["n_cases"]
        wide(console).print(metrics_table(f"Evaluation: {plan.info.label}, {n} cases", summaries))
        for line in run_lines(outcome.summary):
            console.print(line)
        if outcome.summary.get("llm_judge"):
            console.print(f"[bold]llm_judge[/] {outcome.summary['llm_judge']}")
    console.print(f"Run written to [bold]{plan.out}[/] (report: {outcome.report})")
    metrics = outcome.summary["metrics"]
    if metrics.get("n_errors"):
        err.print(f"[yellow]{metrics['n_errors']} cases failed; see summary.json[/]")
    if outcome.missed:
        err.print(f"[bold red]Below thresholds ({plan.settings.retrieval_mode}):[/]")
        for line in outcome.missed:
            err.print(f"  [red]✗[/] {line}")
        raise typer.Exit(1)
    if plan.gates:
        console.print(f"[green]All {len(plan.gates.minimum) + len(plan.gates.maximum)} thresholds met.[/]")


@eval_app.command("compare")
@friendly
def eval_compare(
    run_a: Annotated[Path, typer.Argument(help="Run folder A (the baseline)")],
    run_b: Annotated[Path, typer.Argument(help="Run folder B")],
    html: Annotated[Path | None, typer.Option(help="Also write the comparison as an HTML file")] = None,
    memo: Annotated[Path | None, typer.Option(help="Also write the Greek memo summary as a text file")] = None,
    limit: Annotated[int, typer.Option(help="Cases listed per group")] = 15,
) -> None:
    """Paired comparison of two runs on their common cases: each metric's difference with its 95 % interval,
    p-value and significance, and the cases that changed (newly refused, wrong source, key facts lost/gained)."""
    from eval.compare import compare, load_run
    from eval.memo import compare_memo
    from eval.report_compare import render_html
    from eval.terminal import print_comparison

    comparison = compare(load_run(run_a), load_run(run_b))
    print_comparison(console, comparison, limit)
    if html is not None:
        html.write_text(render_html(comparison, limit), encoding="utf-8")
        console.print(f"HTML written to [bold]{html}[/]")
    if memo is not None:
        memo.write_text(compare_memo(comparison), encoding="utf-8")
        console.print(f"Memo written to [bold]{memo}[/]")


@eval_app.command("import")
@friendly
def eval_import(
    file: Annotated[Path, typer.Argument(help="A CSV (header row) or RAGAS-style JSONL evaluation set")],
    out: Annotated[Path | None, typer.Option(help="Where to write our JSONL (default: FILE.cases.jsonl)")] = None,
    dataset_format: FormatOpt = None,
    map_: MapOpt = None,
) -> None:
    """Convert a CSV or RAGAS set (question, ground_truth/reference, contexts, …) into our case format. Rows that
    lack gold sections or key facts become drafts for an evaluator to complete."""
    from eval.dataset import write_dataset
    from eval.interop import read_cases

    cases = read_cases(file, dataset_format, _mapping(map_))
    out = out or file.with_name(file.stem + ".cases.jsonl")
    write_dataset(cases, out)
    drafts = sum(c.draft for c in cases)
    console.print(f"{len(cases)} cases written to [bold]{out}[/] ({drafts} drafts to complete)")


@eval_app.command("export")
@friendly
def eval_export(
    run_dir: Annotated[Path, typer.Argument(help="A run folder")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")],
    fmt: Annotated[str, typer.Option("--format", help="ragas (JSONL) or csv")] = "ragas",
    names: Annotated[str, typer.Option(help="v1: question/answer/contexts/ground_truth; v2: user_input/…")] = "v1",
) -> None:
    """Write a run in the RAGAS shape (question, answer, contexts, ground_truth) plus our case fields, so it can
    be scored by other tools or read back as a set."""
    from eval.compare import load_run
    from eval.interop import NAMES, write_export

    if fmt not in {"ragas", "csv"} or names not in NAMES:
        raise typer.BadParameter("--format is ragas or csv; --names is v1 or v2")
    count = write_export(load_run(run_dir).records.values(), output, fmt, names)
    console.print(f"{count} cases written to [bold]{output}[/]")


@eval_app.command("import-feedback")
@friendly
def eval_import_feedback(
    file: Annotated[
        Path, typer.Argument(help="Feedback export (JSONL: question, answer, sources, comment, rating, audience, time)")
    ],
    out: Annotated[Path | None, typer.Option(help="Where to write the drafts (default: FILE.drafts.jsonl)")] = None,
    dataset: Annotated[
        Path | None, typer.Option(help="Skip questions already in this dataset (default: kalo_v1)")
    ] = None,
    include_positive: Annotated[bool, typer.Option("--all", help="Import every line, not only 👎")] = False,
) -> None:
    """Turn 👎 feedback into draft cases ("draft": true) for an evaluator to complete and move into a dataset."""
    from eval import DEFAULT_DATASET
    from eval.dataset import load_dataset, write_dataset
    from eval.feedback import import_feedback

    known = {c.question for c in load_dataset(dataset or DEFAULT_DATASET)}
    result = import_feedback(file, include_positive=include_positive, known_questions=known)
    out = out or file.with_name(file.name.removesuffix(".jsonl") + ".drafts.jsonl")
    if result.drafts:
        write_dataset(result.drafts, out)
    for line in result.skipped:
        err.print(f"[yellow]Skipped[/] {line}")
    console.print(f"{len(result.drafts)} draft cases written to [bold]{out}[/]" if result.drafts else "No draft cases.")


@eval_app.command("validate")
@friendly
def eval_validate(
    dataset: Annotated[Path | None, typer.Argument(help="Question set: JSONL, CSV or RAGAS (default: kalo_v1)")] = None,
    split: SplitOpt = None,
) -> None:
    """Check a question set and show its identity (name, version, content hash) and how its cases spread over
    audiences, guides, sections and tags."""
    from collections import Counter

    from rich.table import Table

    from eval.identity import describe, resolve
    from eval.interop import read_cases

    path = resolve(dataset, split)
    cases = read_cases(path)
    console.print(f"Dataset {describe(path, [c for c in cases if not c.draft]).label}: {path}")
    counts = {
        "audience": Counter(c.audience or "none" for c in cases),
        "guide": Counter(c.gold.guide_id if c.gold else "unanswerable" for c in cases),
        "section": Counter(f"{c.gold.guide_id} §{s}" for c in cases if c.gold for s in c.top_sections),
        "tag": Counter(t for c in cases for t in c.tags),
    }
    console.print(f"[green]{len(cases)} valid cases[/] ({sum(c.draft for c in cases)} drafts)")
    for name, counter in counts.items():
        table = Table(title=f"Cases per {name}")
        table.add_column(name)
        table.add_column("cases", justify="right")
        for key, n in sorted(counter.items()):
            table.add_row(key, str(n))
        console.print(table)


@eval_app.command("gold-pages")
@friendly
def eval_gold_pages(
    dataset: Annotated[Path | None, typer.Option(help="JSONL question set (default: kalo_v1)")] = None,
    corpus: Annotated[Path | None, typer.Option(help="Folder of the guide PDFs (default: corpus/guides)")] = None,
    check: Annotated[bool, typer.Option("--check", help="Only report; exit 1 if gold pages are stale")] = False,
) -> None:
    """Fill or refresh gold.pages from the current PDFs (after the guides are re-rendered)."""
    from eval.build_gold_pages import main

    argv = [*(["--dataset", str(dataset)] if dataset else []), *(["--corpus", str(corpus)] if corpus else [])]
    code = main(argv + (["--check"] if check else []))
    if code:
        raise typer.Exit(code)
