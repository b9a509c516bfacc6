"""Fill or refresh `gold.pages` of a dataset from the current PDFs, by locating each gold section.

The guides' page layout may change when they are re-rendered; sections do not. Run after rebuilding the PDFs:

    python -m eval.build_gold_pages                 # rewrite eval/datasets/kalo_v1.jsonl in place
    python -m eval.build_gold_pages --check         # exit 1 if any gold pages are stale (CI)

A section's pages run from its heading (PDF bookmarks) to the page before the next heading that is not
inside it, or to that heading's page when the section's text continues above it there.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from eval import DEFAULT_DATASET
from eval.dataset import Case, load_dataset, write_dataset
from eval.metrics import section_number

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO / "corpus" / "guides"
_FOOTER = re.compile(r"^(?:Σελίδα|Σελ\.|Page)\s*\d+", re.IGNORECASE)
_HEADING_LINE = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+[A-ZΑ-ΩΆ-Ώ«\"].{0,100}$")


@dataclass
class Heading:
    number: str
    title: str
    page: int  # 1-based


def _key(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def _page_lines(reader) -> list[list[str]]:
    pages = [[line.strip() for line in (p.extract_text() or "").splitlines() if line.strip()] for p in reader.pages]
    # The running header is the line most pages start with; it and the footers are not section text.
    firsts = [lines[0] for lines in pages if lines]
    header = max(set(firsts), key=firsts.count) if firsts else ""
    return [[ln for ln in lines if ln != header and not _FOOTER.match(ln)] for lines in pages]


def _outline_headings(reader) -> list[Heading]:
    out: list[Heading] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            elif getattr(item, "title", None):
                number = section_number(str(item.title))
                if number:
                    out.append(Heading(number, str(item.title).strip(), reader.get_destination_page_number(item) + 1))

    try:
        walk(reader.outline)
    except Exception:  # a broken outline: fall back to the text
        return []
    return out


def _text_headings(lines_by_page: list[list[str]]) -> list[Heading]:
    out = []
    for page, lines in enumerate(lines_by_page, start=1):
        for line in lines:
            m = _HEADING_LINE.match(line)
            if m and not line.endswith((".", ";", ":", ";")):
                out.append(Heading(m.group(1), line, page))
    return out


def _starts_page(heading: Heading, lines: list[str]) -> bool:
    """Whether the heading is the first text on its page (so the previous section ended a page earlier)."""
    target = _key(heading.title)
    for i, line in enumerate(lines):
        key = _key(line)
        if key and (key == target or (target.startswith(key) and len(key) >= min(len(target), 8))):
            return i == 0
    return False


def section_spans(pdf: Path) -> dict[str, tuple[int, int]]:
    """Section number → (first page, last page) for every numbered heading of a PDF."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    lines_by_page = _page_lines(reader)
    headings = _outline_headings(reader) or _text_headings(lines_by_page)
    spans: dict[str, tuple[int, int]] = {}
    for i, h in enumerate(headings):
        end = len(reader.pages)
        for nxt in headings[i + 1 :]:
            if nxt.number.startswith(h.number + "."):
                continue  # a subsection of h: still inside it
            end = nxt.page - 1 if _starts_page(nxt, lines_by_page[nxt.page - 1]) else nxt.page
            break
        spans.setdefault(h.number, (h.page, max(h.page, end)))
    return spans


def gold_pages(case: Case, spans_by_guide: dict[str, dict[str, tuple[int, int]]]) -> tuple[list[int], list[str]]:
    """The pages of a case's gold sections, and the sections that could not be found."""
    if not case.gold:
        return [], []
    spans = spans_by_guide.get(case.gold.guide_id, {})
    pages: set[int] = set()
    missing = []
    for s in case.gold.sections:
        if s not in spans:
            missing.append(f"{case.gold.guide_id} §{s}")
            continue
        start, end = spans[s]
        pages.update(range(start, end + 1))
    return sorted(pages), missing


def refresh(dataset: Path, corpus: Path) -> tuple[list[Case], list[str], list[str]]:
    """(updated cases, ids whose pages changed, sections not found)."""
    cases = load_dataset(dataset)
    spans_by_guide = {pdf.stem: section_spans(pdf) for pdf in sorted(corpus.glob("*.pdf"))}
    changed, missing = [], []
    updated = []
    for case in cases:
        if case.gold and case.gold.sections:
            pages, lost = gold_pages(case, spans_by_guide)
            missing += [f"{case.id}: {m}" for m in lost]
            if pages and pages != case.gold.pages:
                changed.append(case.id)
                case = case.model_copy(update={"gold": case.gold.model_copy(update={"pages": pages})})
        updated.append(case)
    return updated, changed, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fill gold.pages of an evaluation dataset from the current PDFs.")
    parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of the guide PDFs")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if pages are stale")
    args = parser.parse_args(argv)
    cases, changed, missing = refresh(args.dataset, args.corpus)
    for line in missing:
        print(f"section not found in the PDFs: {line}", file=sys.stderr)
    if args.check:
        print(
            f"{len(changed)} of {len(cases)} cases have stale gold pages"
            + (f": {', '.join(changed)}" if changed else "")
        )
        return 1 if changed or missing else 0
    if changed:
        write_dataset(cases, args.dataset)
    print(f"Updated gold pages of {len(changed)} of {len(cases)} cases in {args.dataset}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
