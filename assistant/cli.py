"""`kalo`: the command line. Thin: every command calls the same library functions the app uses."""

# No `from __future__ import annotations`: typer reads every command's annotations at each start, and
# string annotations would be compiled and evaluated again every time (≈ 10 ms of a cold `kalo ask`).

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from assistant.cli_support import console, err, friendly, one_shot
from assistant.core.errors import KaloError
from assistant.core.settings import Settings

if TYPE_CHECKING:
    from rich.progress import Progress

# Every command pays for this module's imports (#13: a cold `kalo ask` ≤ 3 × a bare model process): what only
# some commands draw (rich progress bars and tables, ingestion, evaluation) is imported inside them.

app = typer.Typer(
    help="kalo-assistant: Greek guidance over the ΟΤΑ–ΚΑΛΟ guides (ingest, ask, chat, serve, eval).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def load_settings(**overrides) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


class RichProgress:
    """The ingestion Progress protocol drawn with rich: one bar overall, one for the current file."""

    def __init__(self, progress: "Progress") -> None:
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
        if report.duplicates:
            detail += f"; {report.duplicates} passages already indexed from {', '.join(report.duplicate_of)}"
        for warning in report.warnings:
            detail += f"; {warning}"
        self.progress.console.print(f"{mark} {report.source}: {report.status} ({detail})")


@app.command()
@friendly
def ingest(
    corpus: Annotated[Path | None, typer.Option(help="Folder of guides (default: settings corpus_dir)")] = None,
    rebuild: Annotated[bool, typer.Option(help="Embed everything again, beside the served index; readers switch when it is complete")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Parse, chunk and embed the guides into the index. Incremental: unchanged files cost nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from assistant.service import Assistant
    from ingest.pipeline import report_dict

    settings = load_settings(corpus_dir=corpus)
    if settings.ingest_nice:
        import os

        os.nice(settings.ingest_nice)  # a batch job: a serving app on the same cores answers first
    assistant = Assistant(settings)
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
    from rich.table import Table

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
    built = f", built {info.built_at}" if info.built_at else ""
    console.print(f"Served index: generation {info.generation} (collection {info.collection}{built})")
    console.print(f"Store: {info.store_location}")
    console.print(
        f"Total: {len(info.guides)} guides, {info.pages} pages, {info.chunks} chunks, {info.sentences} sentence vectors"
    )


@app.command()
@friendly
def inspect(
    file: Annotated[Path, typer.Argument(help="A PDF, DOCX, Markdown, text or HTML file", exists=True, dir_okay=False)],
    samples: Annotated[int, typer.Option(help="How many sample chunks to show")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Show what ingestion understands of one file (title, structure, chunks, repairs); the index is not touched."""
    from rich.table import Table

    from assistant.core.types import page_range
    from ingest.inspect import inspect_file

    settings = load_settings()
    report = inspect_file(file, settings.chunk_size, settings.chunk_overlap, samples, settings.max_file_mb)
    if as_json:
        console.print_json(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
        return
    console.print(f"[bold]{report.title}[/]  ({report.source}, {report.kind}, {report.pages} pages)")
    if report.act:
        console.print(f"Act: {report.act}")
    console.print(
        f"Structure: {report.structure}, {len(report.headings)} sections"
        + (f" ({report.articles} articles)" if report.articles else "")
        + f", {report.chunks} chunks"
    )
    table = Table(show_header=True, box=None)
    for column in ("Page", "Section", "Article"):
        table.add_column(column)
    for h in report.headings:
        table.add_row(str(h.page), "  " * (h.level - 1) + h.title, h.article)
    console.print(table)
    for chunk in report.samples:
        console.rule(
            f"{chunk.section} · p. {page_range(chunk.page_start, chunk.page_end)}"
            + (f" · {chunk.article}" if chunk.article else "")
        )
        console.print(chunk.text[:600] + ("…" if len(chunk.text) > 600 else ""), markup=False)
    for warning in report.warnings:
        console.print(f"[yellow]![/] {warning}")


AudienceOpt = Annotated[
    str | None, typer.Option("--audience", "-a", help="municipal (στέλεχος Δήμου) or kalo (στέλεχος φορέα ΚΑΛΟ)")
]


def _check_audience(audience: str | None) -> str | None:
    from assistant.core.types import AUDIENCE_LABELS

    if audience is not None and audience not in AUDIENCE_LABELS:
        raise typer.BadParameter(f"το --audience παίρνει μία από τις τιμές: {', '.join(AUDIENCE_LABELS)}")
    return audience


def print_answer(answer) -> None:
    from rich.markdown import Markdown

    console.print(Markdown(answer.text))
    shown = answer.cited_sources if answer.found else answer.suggestions
    if shown:
        console.print("\n[bold]" + ("Πηγές" if answer.found else "Πλησιέστερες ενότητες") + "[/]")
    for s in shown:
        console.print(f"[cyan][{s.n}][/] {s.label()} [dim]{s.source}[/]")
        if s.excerpt:
            console.print(f"    [dim]«{s.excerpt}»[/]")
    for n in answer.removed_citations:
        console.print(f"[yellow]Αφαιρέθηκε η παραπομπή [{n}]: δεν αντιστοιχεί σε απόσπασμα[/]")


@app.command()
@friendly
def ask(
    question: Annotated[str, typer.Argument(help="The question, in Greek (Greeklish works too)")],
    audience: AudienceOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable result")] = False,
) -> None:
    """Answer one question from the guides, with its sources."""
    with one_shot():
        from assistant.reader import Reader  # the facade's read side: no ingestion modules to import

        answer = Reader(load_settings()).ask(question, _check_audience(audience))
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
    from assistant.reader import Reader

    assistant = Reader(load_settings())
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
            err.print(f"[bold red]Error:[/] {escape(exc.en)}")  # «[split.dev]» is text, not markup
            continue
        print_answer(answer)
        console.print()  # a blank line before the next prompt: where one answer ends shows, piped input too
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


# --- evaluation commands (eval): assistant/cli_eval.py ---

from assistant.cli_eval import eval_app  # noqa: E402  (the sub-app; it needs nothing from this module)

app.add_typer(eval_app, name="eval")


if __name__ == "__main__":
    app()
