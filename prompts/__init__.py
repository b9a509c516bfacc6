"""Prompt templates, kept as Greek text files and loaded by name."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """The text of prompts/<name>.md (e.g. load("answer"))."""
    path = resources.files(__name__).joinpath(f"{name}.md")
    if not path.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} in prompts/")
    return path.read_text(encoding="utf-8").strip()
