"""Evaluation sets in other shapes: CSV (a spreadsheet) and RAGAS-style JSONL (question, ground_truth or
reference, contexts), with a column mapping; and runs exported in the same shapes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from assistant.core.errors import DatasetError
from eval.dataset import Case, load_dataset

# case field → column names tried in order (the first present wins); `--map field=column` goes first.
COLUMNS: dict[str, list[str]] = {
    "id": ["id"],
    "question": ["question", "user_input"],
    "reference_answer": ["reference_answer", "ground_truth", "reference", "ground_truths"],
    "key_facts": ["key_facts"],
    "audience": ["audience"],
    "answerable": ["answerable"],
    "guide_id": ["guide_id", "gold_guide"],
    "sections": ["sections", "gold_sections"],
    "pages": ["pages", "gold_pages"],
    "tags": ["tags"],
    "history": ["history"],
    "contexts": ["contexts", "reference_contexts", "retrieved_contexts"],
    "answer": ["answer", "response"],
    "notes": ["notes"],
}
FORMATS = ("jsonl", "csv", "ragas")
_TRUE = {"true", "1", "yes", "y", "ναι", "ν"}
_FALSE = {"false", "0", "no", "n", "όχι", "οχι", "ο"}


def _as_list(value) -> list:
    """A list from a JSON array, a list, or a text cell split on «|» (else «;»)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return parsed
        except json.JSONDecodeError:
            pass
    sep = "|" if "|" in text else ";"
    return [part.strip() for part in text.split(sep) if part.strip()]


def _as_bool(value) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().casefold()
    return True if text in _TRUE else False if text in _FALSE else None


def _pick(row: dict, field: str, mapping: dict[str, str]):
    for column in ([mapping[field]] if field in mapping else []) + COLUMNS.get(field, []):
        if column in row and row[column] not in (None, ""):
            return row[column]
    return None


def row_to_case(row: dict, mapping: dict[str, str], where: str, default_id: str, fmt: str) -> Case:
    """One imported row as a case. A row that lacks what an answerable case needs (gold guide and sections,
    key facts, reference answer) becomes a draft, like imported feedback: runs skip it until completed."""
    unknown = set(mapping) - set(COLUMNS)
    if unknown:
        raise DatasetError(
            f"--map names unknown fields {sorted(unknown)} (known: {', '.join(COLUMNS)})",
            f"Το --map αναφέρει άγνωστα πεδία {sorted(unknown)} (γνωστά: {', '.join(COLUMNS)})",
        )
    reference = _pick(row, "reference_answer", mapping)
    if isinstance(reference, list):  # RAGAS ground_truths
        reference = reference[0] if reference else ""
    answerable = _as_bool(_pick(row, "answerable", mapping))
    if answerable is None and reference:
        answerable = True
    guide = _pick(row, "guide_id", mapping)
    sections = [str(s) for s in _as_list(_pick(row, "sections", mapping))]
    pages = [int(p) for p in _as_list(_pick(row, "pages", mapping))]
    history = _pick(row, "history", mapping)
    data = {
        "id": str(_pick(row, "id", mapping) or default_id),
        "question": str(_pick(row, "question", mapping) or ""),
        "audience": _pick(row, "audience", mapping) or None,
        "history": json.loads(history) if isinstance(history, str) else history or [],
        "answerable": answerable,
        "gold": {"guide_id": guide, "sections": sections, "pages": pages} if guide and answerable else None,
        "reference_answer": str(reference or ""),
        "key_facts": [str(f) for f in _as_list(_pick(row, "key_facts", mapping))],
        "tags": [str(t) for t in _as_list(_pick(row, "tags", mapping))],
        "notes": str(_pick(row, "notes", mapping) or ""),
    }
    missing = []
    if answerable is None:
        missing.append("answerable")
    elif answerable:
        missing += [name for name, ok in (("gold", data["gold"]), ("key_facts", data["key_facts"])) if not ok]
        missing += [] if data["reference_answer"] else ["reference_answer"]
    if missing:
        contexts = [str(c) for c in _as_list(_pick(row, "contexts", mapping))]
        origin = {"format": fmt, "row": where, "contexts": contexts, "answer": _pick(row, "answer", mapping) or ""}
        note = f"imported: missing {', '.join(missing)}"
        data |= {"draft": True, "origin": origin, "notes": f"{data['notes']} ({note})".strip()}
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'case'}: {e['msg']}" for e in exc.errors())
        raise DatasetError(f"{where}: {detail}", f"{where}: {detail}") from None


def _rows_to_cases(rows: Iterable[tuple[str, dict]], mapping: dict[str, str], path: Path, fmt: str) -> list[Case]:
    cases, seen = [], set()
    for n, (where, row) in enumerate(rows, start=1):
        case = row_to_case(row, mapping, where, f"{path.stem}-{n:03d}", fmt)
        if case.id in seen:
            raise DatasetError(f"{where}: duplicate id '{case.id}'", f"{where}: διπλό αναγνωριστικό «{case.id}»")
        seen.add(case.id)
        cases.append(case)
    if not cases:
        raise DatasetError(f"Dataset {path} has no cases", f"Το σύνολο ερωτήσεων {path} είναι κενό")
    return cases


def read_csv(path: Path, mapping: dict[str, str] | None = None) -> list[Case]:
    """A CSV with a header row (UTF-8, with or without BOM; «,», «;» or tab as delimiter)."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = ((f"{path}:{i}", row) for i, row in enumerate(reader, start=2))
    return _rows_to_cases(rows, mapping or {}, path, "csv")


def read_ragas(path: Path, mapping: dict[str, str] | None = None) -> list[Case]:
    """RAGAS-style JSON Lines: question|user_input, ground_truth|reference, contexts (and our own fields if
    present: id, audience, answerable, guide_id, sections, key_facts, tags)."""
    rows = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            rows.append((f"{path}:{i}", json.loads(line)))
        except json.JSONDecodeError as exc:
            raise DatasetError(
                f"{path}:{i}: not valid JSON ({exc.msg})", f"{path}, γραμμή {i}: μη έγκυρο JSON"
            ) from None
    return _rows_to_cases(rows, mapping or {}, path, "ragas")


def detect_format(path: Path) -> str:
    """csv by extension; a .jsonl whose first record has `answerable` and only case fields is ours, otherwise
    RAGAS-style (an exported run, with answer and contexts, reads back as RAGAS)."""
    if path.suffix.lower() in {".csv", ".tsv"}:
        return "csv"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                first = json.loads(line)
            except json.JSONDecodeError:
                return "jsonl"  # let the strict reader name the bad line
            ours = isinstance(first, dict) and "answerable" in first and set(first) <= set(Case.model_fields)
            return "jsonl" if ours else "ragas"
    return "jsonl"


def read_cases(path: Path | str, fmt: str | None = None, mapping: dict[str, str] | None = None) -> list[Case]:
    """Cases from any supported file: our JSONL (strict), CSV or RAGAS-style JSONL."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"Dataset not found: {path}", f"Δεν βρέθηκε το σύνολο ερωτήσεων: {path}")
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise DatasetError(f"Unknown format '{fmt}' (known: {', '.join(FORMATS)})", f"Άγνωστη μορφή «{fmt}»")
    if fmt == "csv":
        return read_csv(path, mapping)
    if fmt == "ragas":
        return read_ragas(path, mapping)
    return load_dataset(path)


# --- export ---------------------------------------------------------------------------------------------

NAMES = {  # RAGAS column names: v1 (question/answer/contexts/ground_truth) or v2 (user_input/response/…)
    "v1": ("question", "answer", "contexts", "ground_truth"),
    "v2": ("user_input", "response", "retrieved_contexts", "reference"),
}


def export_rows(records: Iterable[dict], names: str = "v1") -> list[dict]:
    """One RAGAS-shaped row per case of a run, plus our own fields so the export can be read back as a set."""
    q, a, ctx, ref = NAMES[names]
    rows = []
    for r in records:
        gold = r.get("gold") or {}
        rows.append(
            {
                "id": r["id"],
                q: r["question"],
                a: r.get("answer", ""),
                ctx: [p.get("text", "") for p in r.get("retrieved", [])],
                ref: r.get("reference_answer", ""),
                "audience": r.get("audience"),
                "answerable": r.get("answerable"),
                "guide_id": gold.get("guide_id", ""),
                "sections": gold.get("sections", []),
                "key_facts": [f["fact"] for f in r.get("key_facts", [])],
                "tags": r.get("tags", []),
                "history": r.get("history", []),
                "found": r.get("found"),
                "cited_sections": [p["section"] for p in r.get("retrieved", []) if p.get("cited")],
                "case_score": r.get("scores", {}).get("case_score"),
            }
        )
    return rows


def write_export(records: Iterable[dict], out: Path, fmt: str = "ragas", names: str = "v1") -> int:
    """Write a run as RAGAS JSONL or CSV (lists as JSON arrays in their cells); returns the number of rows."""
    rows = export_rows(records, names)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["id"])
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in row.items()}
            )
        out.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        out.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return len(rows)
