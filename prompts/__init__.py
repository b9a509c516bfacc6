"""Prompt templates, kept as Greek text files and loaded by name."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """The text of prompts/<name>.md (e.g. load("answer"))."""
    path = resources.files(__name__).joinpath(f"{name}.md")
    if not path.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} in prompts/")
    return path.read_text(encoding="utf-8").strip()


@cache
def phrases(name: str) -> dict[str, dict[str, str]]:
    """The tables of prompts/<name>.toml (the extractive answerer's own Greek phrases)."""
    path = resources.files(__name__).joinpath(f"{name}.toml")
    if not path.is_file():
        raise FileNotFoundError(f"no phrase file named {name!r} in prompts/")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def render(template: str, **values: object) -> str:
    """Strict rendering: a placeholder without a value is an error, not a blank in front of a user."""
    try:
        return template.format(**values)
    except KeyError as exc:
        raise KeyError(f"prompt placeholder {exc} has no value") from None
