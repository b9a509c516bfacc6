"""Retrieval on a second corpus of another shape: a law (articles, not guide sections). Questions written
from the Government Gazette issue alone (eval/datasets/gazette_3606.jsonl) name the article that answers
them; this reports how often that article's passage is retrieved first (hit@1) and among the top k, and how
many are answered at all (every question is answerable: the rest are the gate's false refusals on a text of
another shape), once per setting compared, over an index of the issue built in a temporary folder.

    python -m eval.articles                                   # default settings vs sentence_weight=0
    python -m eval.articles --compare sentence_weight=0 --compare sentence_weight=0.5
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "datasets" / "gazette_3606.jsonl"
GAZETTE = ROOT / "tests" / "fixtures" / "3606_2007.pdf"
_NUMBER = re.compile(r"(\d+)")


def _article(meta: dict) -> int | None:
    found = _NUMBER.search(str(meta.get("article") or ""))
    return int(found.group(1)) if found else None


def measure(data_dir: Path, corpus: Path, cases: list[dict], **overrides) -> dict[str, float]:
    from assistant.core.settings import Settings
    from assistant.service import Assistant

    settings = Settings(corpus_dir=corpus, data_dir=data_dir, **overrides)
    assistant = Assistant(settings)
    assistant.ingest()
    retriever = assistant.retriever()
    first = top = answered = 0
    for case in cases:
        articles = [_article(d.metadata) for d in retriever.invoke(case["question"])]
        first += bool(articles) and articles[0] in case["articles"]
        top += any(a in case["articles"] for a in articles)
        answered += assistant.ask(case["question"]).found
    n = len(cases)
    return {"hit@1": first / n, "hit@k": top / n, "answered": answered / n, "n": n}


def _value(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--compare", action="append", default=[], metavar="KEY=VALUE", help="a setting to compare")
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    runs = [("default", {})] + [(c, {c.split("=", 1)[0]: _value(c.split("=", 1)[1])}) for c in args.compare or ["sentence_weight=0"]]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        shutil.copy(GAZETTE, corpus / GAZETTE.name)
        for n, (name, overrides) in enumerate(runs):
            got = measure(Path(tmp) / f"data-{n}", corpus, cases, **overrides)
            print(
                f"{name:24} hit@1 {got['hit@1']:.3f}  hit@k {got['hit@k']:.3f}  answered {got['answered']:.3f}"
                f"  ({got['n']} questions)"
            )


if __name__ == "__main__":
    main()
