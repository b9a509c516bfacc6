"""`kalo`: the command line. Thin: every command calls the same library functions the app uses."""

from __future__ import annotations

import json
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.core.errors import KaloError
from assistant.core.settings import Settings

app = typer.Typer(
    help="kalo-assistant: Greek guidance over the ΟΤΑ–ΚΑΛΟ guides (ingest, ask, chat, serve, eval).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err = Console(stderr=True)


def friendly(fn):
    """Our own errors end the command with their message and exit code 1, not a traceback."""

    @wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KaloError as exc:
            err.print(f"[bold red]Error:[/] {exc.en}")
            raise typer.Exit(1) from None

    return run


def load_settings(**overrides) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


class RichProgress:
    """The ingestion Progress protocol drawn with rich: one bar overall, one for the current file."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.overall = progress.add_task("Files", total=0)
        self.current = None

    def start(self, total_files: int) -> None:
        self.progress.update(self.overall, total=total_files)

    def file(self, source: str, total_chunks: int) -> None:
        if self.current is not None:
            self.progress.remove_task(self.current)
        self.current = self.progress.add_task(f"  {source}", total=max(total_chunks, 1))
        if total_chunks == 0:
            self.progress.update(self.current, completed=1)

    def embedded(self, n: int) -> None:
        if self.current is not None:
            self.progress.advance(self.current, n)

    def done(self, report) -> None:
        self.progress.advance(self.overall)
        mark = {"failed": "[red]✗[/]", "unchanged": "[dim]=[/]", "removed": "[yellow]-[/]"}.get(
            report.status, "[green]✓[/]"
        )
        detail = (
            report.reason
            if report.status == "failed"
            else f"{report.pages} pages, {report.chunks} chunks, {report.embedded} embedded"
        )
        self.progress.console.print(f"{mark} {report.source}: {report.status} ({detail})")


@app.command()
@friendly
def ingest(
    corpus: Annotated[Path | None, typer.Option(help="Folder of guides (default: settings corpus_dir)")] = None,
    rebuild: Annotated[bool, typer.Option(help="Drop the index and embed everything again")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Parse, chunk and embed the guides into the index. Incremental: unchanged files cost nothing."""
    from assistant.service import Assistant
    from ingest.pipeline import report_dict

    assistant = Assistant(load_settings(corpus_dir=corpus))
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, disable=as_json) as bars:
        report = assistant.ingest(rebuild=rebuild, progress=RichProgress(bars))
    if as_json:
        console.print_json(json.dumps(report_dict(report), ensure_ascii=False))
        return
    if report.note:
        console.print(f"[yellow]{report.note}[/]")
    console.print(
        f"[bold]Done[/] in {report.seconds:.1f}s: {len(report.files)} files "
        f"({report.count('added')} added, {report.count('updated')} updated, {report.count('unchanged')} unchanged, "
        f"{report.count('removed')} removed, {report.count('failed')} failed), {report.pages} pages, "
        f"{sum(f.chunks for f in report.files)} chunks, {report.embedded} embedded."
    )
    for f in report.failed:
        console.print(f"[red]Skipped[/] {f.source}: {f.reason}")


@app.command()
@friendly
def status(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON")] = False) -> None:
    """Show what the index holds: guides, pages, chunks, embedding model, store location."""
    from assistant.service import Assistant

    info = Assistant(load_settings()).status()
    if as_json:
        data = info.model_dump() | {"chunks": info.chunks, "pages": info.pages}
        console.print_json(json.dumps(data, ensure_ascii=False))
        return
    table = Table(title="Indexed guides")
    for column in ("Guide", "File", "Pages", "Chunks", "Ingested"):
        table.add_column(column)
    for g in info.guides:
        table.add_row(g.title, g.source, str(g.pages), str(g.chunks), g.ingested_at)
    console.print(table)
    console.print(f"Embedding model: {info.embedding_model}")
    console.print(f"Store: {info.store_location}")
    console.print(f"Total: {len(info.guides)} guides, {info.pages} pages, {info.chunks} chunks")


AudienceOpt = Annotated[
    str | None, typer.Option("--audience", "-a", help="municipal (στέλεχος Δήμου) or kalo (στέλεχος φορέα ΚΑΛΟ)")
]


def _check_audience(audience: str | None) -> str | None:
    from assistant.core.types import AUDIENCE_LABELS

    if audience is not None and audience not in AUDIENCE_LABELS:
        raise typer.BadParameter(f"audience must be one of: {', '.join(AUDIENCE_LABELS)}")
    return audience


def print_answer(answer) -> None:
    from rich.markdown import Markdown

    console.print(Markdown(answer.text))
    shown = answer.cited_sources if answer.found else answer.suggestions
    if shown:
        console.print("\n[bold]" + ("Sources" if answer.found else "Closest sections") + "[/]")
    for s in shown:
        console.print(f"[cyan][{s.n}][/] {s.guide_title} — {s.section} (p. {s.pages}) [dim]{s.source}[/]")
        if s.excerpt:
            console.print(f"    [dim]«{s.excerpt}»[/]")
    for n in answer.removed_citations:
        console.print(f"[yellow]Removed citation [{n}]: no such passage[/]")


@app.command()
@friendly
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Greek (Greeklish works too)")],
    audience: AudienceOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result")] = False,
) -> None:
    """Answer one question from the guides, with its sources."""
    from assistant.service import Assistant

    answer = Assistant(load_settings()).ask(question, _check_audience(audience))
    if as_json:
        data = answer.model_dump() | {"cited": [s.n for s in answer.cited_sources]}
        console.print_json(json.dumps(data, ensure_ascii=False))
    else:
        print_answer(answer)


@app.command()
@friendly
def chat(audience: AudienceOpt = None) -> None:
    """An interactive conversation in the terminal (follow-up questions use the history).
    Type /new for a new conversation, /exit or Ctrl-D to leave."""
    from assistant.core.types import Answer, Turn
    from assistant.service import Assistant

    assistant = Assistant(load_settings())
    history: list[Turn] = []
    console.print("[bold]Βοηθός ΚΑΛΟ[/] — γράψτε την ερώτησή σας (/new νέα συνομιλία, /exit έξοδος)")
    while True:
        try:
            question = console.input("[bold green]> [/]").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if question in {"/exit", "/quit"}:
            break
        if question == "/new":
            history = []
            console.print("[dim]Νέα συνομιλία.[/]")
            continue
        if not question:
            continue
        try:
            answer = next(
                e for e in assistant.stream(question, _check_audience(audience), history) if isinstance(e, Answer)
            )
        except KaloError as exc:
            err.print(f"[bold red]Error:[/] {exc.en}")
            continue
        print_answer(answer)
        history += [Turn(role="user", content=question), Turn(role="assistant", content=answer.text)]


# --- web app commands (serve, feedback) ---


@app.command()
@friendly
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: settings host)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: settings port)")] = None,
) -> None:
    """Start the web app: the Greek chat, the guides tab and the JSON API (/api, documented at /docs)."""
    from assistant.web.app import serve as run_server

    settings = load_settings()
    url_host = host or settings.host
    shown = "127.0.0.1" if url_host in {"0.0.0.0", "::"} else url_host
    console.print(f"[bold]Βοηθός ΚΑΛΟ[/] at http://{shown}:{port or settings.port}/  (API docs: /docs, Ctrl-C to stop)")
    if not settings.admin_password.get_secret_value():
        console.print("[dim]Guide management is off: set KALO_ADMIN_PASSWORD to enable the Οδηγοί tab.[/]")
    run_server(settings, host=host, port=port)


feedback_app = typer.Typer(help="User feedback (👍/👎) collected by the web app.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
@friendly
def feedback_export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv")] = "jsonl",
    only_negative: Annotated[bool, typer.Option("--only-negative", help="Only 👎 ratings")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout)")] = None,
) -> None:
    """Write the stored feedback: one record per rated answer with question, answer, sources, comment,
    rating (up/down), audience, time, the conversation before it and the settings that produced it."""
    import sys

    from assistant.feedback import FeedbackStore

    if fmt not in {"jsonl", "csv"}:
        raise typer.BadParameter("format must be jsonl or csv")
    store = FeedbackStore.for_settings(load_settings())
    text = store.export("csv" if fmt == "csv" else "jsonl", only_negative=only_negative)
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    count = text.count("\n") - (1 if fmt == "csv" else 0)
    err.print(f"Wrote {max(count, 0)} feedback records to {output}")


# --- evaluation commands (eval) ---
# Formatting only: what a command does lives in eval/ (eval.orchestrate for `eval run`).

eval_app = typer.Typer(
    help="Evaluate answer quality on a question set: run, compare runs, import/export sets, import user feedback.",
    no_args_is_help=True,
)
app.add_typer(eval_app, name="eval")

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


if __name__ == "__main__":
    app()
