"""Read guide files (PDF, DOCX, Markdown, text, saved HTML) into pages. One module per format family
registers its loaders in `base.LOADERS` by file suffix; every module of this package is imported here,
so adding a format is one new file."""

from __future__ import annotations

import importlib
import pkgutil

from ingest.loaders.base import LOADERS, Limits, check_file, load, loader, supported_suffixes
from ingest.loaders.text import read_text, text_encoding

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "LOADERS",
    "Limits",
    "check_file",
    "load",
    "loader",
    "read_text",
    "supported_suffixes",
    "text_encoding",
]
