"""How the chosen sentences and lists are laid out as the answer's text: running sentences of a section
as one paragraph, a list under its introduction, each line with its citation."""

from __future__ import annotations

import prompts
from assistant.units import FINAL, Block, Line, has_run_in_label

PHRASES = prompts.phrases("extractive")


def finish(text: str) -> str:
    """A quoted sentence ends as a sentence: a full stop where the guide's line ran on or ended in a colon."""
    text = text.rstrip(" ,·")
    return text if text.endswith(FINAL) else text.rstrip(":") + "."



def paragraphs(lines: list[Line], blocks: dict[int, Block], members: dict[int, int]) -> str:
    """Running sentences of a section form a paragraph; a list, whole or in part, is one of its own,
    under its introduction."""
    entries: list[Line | tuple[Line, list[Line], int]] = []
    partial: dict[int, tuple[Line, list[Line], int]] = {}
    for ln in lines:
        key = members.get(id(ln))
        if id(ln) in blocks:
            block = blocks[id(ln)]
            entries.append((block.intro, block.items, block.left))
        elif key is not None and ln is not blocks[key].intro:
            if key not in partial:
                partial[key] = (blocks[key].intro, [], 0)
                entries.append(partial[key])
            partial[key][1].append(ln)
        else:
            entries.append(ln)
    paragraphs: list[str] = []
    last: Line | None = None
    for entry in entries:
        if isinstance(entry, tuple):
            intro, items, rest = entry
            if len(items) == 1 and not rest and intro.n == items[0].n:
                # One item of a list is no list: «Τι κάνουμε: [4]» above a single bullet read as cut off.
                # Label and item make one line, as a run-in label and its sentence do (units._run_in).
                paragraphs.append(f"{_label(intro)} {finish(items[0].text)} [{intro.n}]")
            else:
                shown = sorted(items, key=lambda ln: ln.order)
                paragraphs.append(list_text(intro_text(intro), shown, rest, numbered=all(ln.numbered for ln in shown)))
            last = None
            continue
        sentence = f"{finish(entry.text)} [{entry.n}]"
        # A sentence under a run-in heading («Το εργαλείο: …») opens a paragraph, as in the guide.
        heading = entry.head and entry.item < 0 and not entry.intro and has_run_in_label(entry.text)
        if last is not None and entry.unit in (last.unit, lines[0].unit) and not heading:
            paragraphs[-1] += f" {sentence}"
        else:
            paragraphs.append(sentence)
        last = entry
    return "\n\n".join(paragraphs)



def list_text(head: str, items: list[Line], rest: int, numbered: bool = False) -> str:
    """A list as the answer shows it: its head line, one line per item with its citation, and how many
    items of the guide's list are not shown."""
    lines = [head] + [f"{f'{i}.' if numbered else '-'} {finish(ln.text)} [{ln.n}]" for i, ln in enumerate(items, 1)]
    if rest > 0:
        lines.append(prompts.render(PHRASES["text"]["more_items"], count=rest))
    return "\n".join(lines)


def intro_text(intro: Line) -> str:
    """A list's caption («Συνηθισμένα λάθη.») shown as what it is: the label of the list below it."""
    return f"{_label(intro)} [{intro.n}]"


def _label(intro: Line) -> str:
    return intro.text if intro.text.endswith(":") else intro.text.rstrip(" .") + ":"
