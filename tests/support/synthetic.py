"""Small synthetic guides, shaped unlike the bundled ones, and settings that index them with the offline
"fake-hash" embedding backend, so behaviour tests run in milliseconds.

- energeiakes-koinotites.md: a word-processor export in Markdown, unnumbered headings that skip a level
  (## then ####), a bold pseudo-heading, a numbered list of steps, a made-up figure (12.345 ευρώ).
- ethelontika-diktya.txt: plain text with numbered headings (1, 2.1 …) and form feeds as page breaks.
- koinonika-pantopoleia.pdf (with `pdf=True`): a two-page PDF with an outline, for page links.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fpdf import FPDF

from assistant.core.settings import Settings

GUIDES = Path(__file__).parent / "guides"
FONT = Path(__file__).resolve().parents[2] / "corpus" / "fonts" / "DejaVuSans.ttf"
ENERGY = "energeiakes-koinotites"  # for municipal staff
VOLUNTEERS = "ethelontika-diktya"  # for ΚΑΛΟ organisations
PANTRIES = "koinonika-pantopoleia"
FAKE = {"embedding_backend": "fake-hash", "audience_guides": {"municipal": [ENERGY], "kalo": [VOLUNTEERS, PANTRIES]}}

PDF_PAGES = [
    (
        "1. Τι είναι τα κοινωνικά παντοπωλεία",
        "Τα κοινωνικά παντοπωλεία διανέμουν τρόφιμα και είδη πρώτης ανάγκης σε οικογένειες με χαμηλό εισόδημα. "
        "Τα λειτουργούν φορείς ΚΑΛΟ σε συνεργασία με τον Δήμο και στηρίζονται σε δωρεές.",
    ),
    (
        "2. Πώς εγγράφεται ένας ωφελούμενος",
        "Ο ωφελούμενος υποβάλλει αίτηση στις κοινωνικές υπηρεσίες του Δήμου με βεβαίωση εισοδήματος. "
        "Η εγγραφή ανανεώνεται κάθε έξι μήνες από τον κοινωνικό λειτουργό.",
    ),
]


def text_pdf(path: Path, pages: list[tuple[str, str]] = PDF_PAGES, title: str = "Κοινωνικά Παντοπωλεία") -> Path:
    """A PDF with a text layer, one section per page and an outline (as word processors export them)."""
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=10)
    pdf.set_title(title)
    for heading, body in pages:
        pdf.add_page()
        pdf.start_section(heading)
        pdf.multi_cell(0, 6, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write_corpus(folder: Path, pdf: bool = False) -> Path:
    """The synthetic guides copied into `folder` (created); with `pdf`, the PDF guide too."""
    folder.mkdir(parents=True, exist_ok=True)
    for guide in sorted(GUIDES.iterdir()):
        shutil.copyfile(guide, folder / guide.name)
    if pdf:
        text_pdf(folder / f"{PANTRIES}.pdf")
    return folder


def assistant(settings: Settings):
    """The facade (imported here, not at collection time: only tests that ask need the answering pipeline)."""
    from assistant.service import Assistant

    return Assistant(settings)


def config_toml(values: dict = FAKE) -> str:
    """`values` as a kalo.toml, for a `kalo` subprocess (scalars, lists and one level of tables)."""
    scalars = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in values.items() if not isinstance(v, dict)]
    tables = [
        f"\n[{k}]\n" + "\n".join(f"{key} = {json.dumps(val, ensure_ascii=False)}" for key, val in v.items())
        for k, v in values.items()
        if isinstance(v, dict)
    ]
    return "\n".join(scalars + tables) + "\n"


def fake_settings(root: Path, **overrides) -> Settings:
    """Settings for a corpus under root/corpus and an index under root/data, embedded with fake-hash."""
    values = {"corpus_dir": root / "corpus", "data_dir": root / "data"} | FAKE | overrides
    return Settings(**values)
