"""What every `kalo` command module shares: the two consoles, the error boundary and `one_shot`."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

import typer
from rich.console import Console
from rich.markup import escape

from assistant.core.errors import KaloError

console = Console()
err = Console(stderr=True)


def friendly(fn):
    """Our own errors end the command with their message and exit code 1, not a traceback."""

    @wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KaloError as exc:
            err.print(f"[bold red]Error:[/] {escape(exc.en)}")  # «[split.dev]» is text, not markup
            raise typer.Exit(1) from None

    return run


_EXIT_FREEZE: list[bool] = []  # gc.freeze registered with atexit, once per process


@contextmanager
def one_shot() -> Iterator[None]:
    """Around a command that does one thing and exits (`kalo ask`): no cyclic garbage collection while it
    runs, and none of the interpreter's collections at exit. A cold ask keeps ~50,000 objects to its end
    (imported modules, the index snapshot), and the collector walked them again and again, then several
    times more at shutdown: ≈ 0.1 s of a 0.5 s ask (#13, benchmarks/RESULTS.md). Memory is still freed by
    reference counting; only the little cyclic garbage of one answer waits for the end of the process.
    In a process that goes on (the tests' CliRunner) the collector is back on when the command returns."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        if not _EXIT_FREEZE:
            atexit.register(gc.freeze)  # atexit runs before the finalizing collections, which then skip all
            _EXIT_FREEZE.append(True)
