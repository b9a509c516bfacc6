"""What every `kalo` command module shares: the two consoles and the error boundary."""

from __future__ import annotations

from functools import wraps

import typer
from rich.console import Console

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
            err.print(f"[bold red]Error:[/] {exc.en}")
            raise typer.Exit(1) from None

    return run
