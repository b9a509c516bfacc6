"""The JSON API over real HTTP on loopback: the whole app (API, guide files, Gradio) served by uvicorn,
over the synthetic guides with the fake-hash embeddings (the bundled corpus is in test_golden.py)."""

from __future__ import annotations

import re

import httpx
import pytest
from pydantic import SecretStr
from support.synthetic import ENERGY, PANTRIES
from support.web import serve

from assistant.service import Assistant

pytestmark = pytest.mark.slow  # starts a server (fast nonetheless: fake-hash embeddings)

GRANT = "Ποια είναι η μέγιστη επιχορήγηση του προγράμματος Ηλιαχτίδα;"


@pytest.fixture(scope="module")
def app_url(synthetic_settings, synthetic_assistant):
    settings = synthetic_settings.model_copy(update={"admin_password": SecretStr(""), "chat_password": SecretStr("")})
    with serve(settings, synthetic_assistant) as url:
        yield url


@pytest.mark.parametrize(
    ("question", "source", "url"),
    [
        (GRANT, f"{ENERGY}.md", f"guides/{ENERGY}.md"),
        (
            "Πώς εγγράφεται ένας ωφελούμενος στο κοινωνικό παντοπωλείο;",
            f"{PANTRIES}.pdf",
            f"guides/{PANTRIES}.pdf#page=2",  # a PDF opens at the cited page
        ),
    ],
    ids=["markdown", "pdf"],
)
def test_ask_returns_answer_citations_and_matching_sources(app_url, question, source, url):
    r = httpx.post(f"{app_url}/api/ask", json={"question": question})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["found"] is True and body["answer"]
    cited = sorted({int(n) for n in re.findall(r"\[(\d+)\]", body["answer"])})
    assert body["citations"] == cited == [s["n"] for s in body["sources"]]
    for s in body["sources"]:
        assert s["guide_title"] and s["section"] and s["excerpt"] and s["page_start"] >= 1
    assert body["sources"][0]["source"] == source
    assert url in [s["url"] for s in body["sources"]]
    assert body["suggestions"] == []
    # the sections «Δείτε επίσης» names, each with where to open it, and none of them cited
    pointers = body["answer"].split("Δείτε επίσης:")[-1].count("«") if "Δείτε επίσης:" in body["answer"] else 0
    assert len(body["related"]) == pointers
    for s in body["related"]:
        assert f"«{s['section'].rsplit(' > ', 1)[-1]}»" in body["answer"].split("Δείτε επίσης:")[-1]
        assert s["url"] and (s["guide_id"], s["section"]) not in {(c["guide_id"], c["section"]) for c in body["sources"]}


def test_follow_up_with_history(app_url):
    history = [
        {"role": "user", "content": "Τι είναι μια ενεργειακή κοινότητα;"},
        {"role": "assistant", "content": "Αστικός συνεταιρισμός που παράγει ενέργεια [1]."},
    ]
    r = httpx.post(f"{app_url}/api/ask", json={"question": "Και πώς τη χρηματοδοτούμε;", "history": history})
    assert r.status_code == 200 and r.json()["found"] is True, r.text


def test_not_found_gives_suggestions(app_url):
    r = httpx.post(f"{app_url}/api/ask", json={"question": "Ποια είναι η συνταγή για μουσακά;"})
    body = r.json()
    assert r.status_code == 200 and body["found"] is False
    assert body["sources"] == [] and body["citations"] == [] and body["suggestions"]


@pytest.mark.parametrize(
    "payload",
    [{}, {"question": ""}, {"question": "   "}, {"question": "Τι;", "audience": "mayor"}, {"question": "x" * 2001}],
)
def test_bad_input_is_a_400_in_greek(app_url, payload):
    r = httpx.post(f"{app_url}/api/ask", json=payload)
    assert r.status_code == 400
    assert any("\u0370" <= ch <= "\u03ff" for ch in r.json()["detail"])


def test_health_and_guides(app_url):
    health = httpx.get(f"{app_url}/api/health").json()
    assert health["status"] == "ok" and health["index"] is True and health["guides"] == 3
    assert health["embedding_model"] == "fake-hash/256" and health["answerer"] == "extractive"
    assert health["ingesting"] is False
    guides = httpx.get(f"{app_url}/api/guides").json()
    assert [(g["source"], g["url"]) for g in guides] == [
        (f"{ENERGY}.md", f"guides/{ENERGY}.md"),
        ("ethelontika-diktya.txt", "guides/ethelontika-diktya.txt"),
        (f"{PANTRIES}.pdf", f"guides/{PANTRIES}.pdf"),
    ]
    assert [g["pages"] for g in guides] == [1, 3, 2]
    assert all(g["chunks"] > 0 and g["ingested_at"] for g in guides)


def test_guide_files_are_served_safely(app_url):
    text = httpx.get(f"{app_url}/guides/ethelontika-diktya.txt")  # a readable page, sandboxed like HTML guides
    assert text.headers["content-type"] == "text/html; charset=utf-8" and "Εθελοντικά Δίκτυα" in text.text
    assert "<pre>" in text.text and "sandbox" in text.headers["content-security-policy"]
    pdf = httpx.get(f"{app_url}/guides/{PANTRIES}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    for path in ("/guides/../data/chroma/chroma.sqlite3", "/guides/%2e%2e/data/feedback.sqlite3", "/guides/nope.pdf"):
        assert httpx.get(app_url + path).status_code == 404


def test_the_pdf_viewer_is_served_from_package_files(app_url):
    """PDF.js comes with the app (no CDN): the viewer page, its module and worker, framable by the app only."""
    page = httpx.get(f"{app_url}/viewer/")
    assert page.status_code == 200 and '<html lang="el">' in page.text and "viewer.js" in page.text
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    httpx.get(f"{app_url}/")  # Gradio's page re-registers «.js» as application/javascript on every visit
    for name in ("viewer.js", "pdfjs/pdf.min.mjs", "pdfjs/pdf.worker.min.mjs"):
        r = httpx.get(f"{app_url}/viewer/{name}")
        # A module script runs only when served with a JavaScript type (either spelling); «.mjs» is unknown
        # to many mime.types files, which would serve it as text/plain.
        kind = r.headers["content-type"].split(";")[0]
        assert r.status_code == 200 and kind in {"text/javascript", "application/javascript"}, (name, kind)
    assert httpx.get(f"{app_url}/viewer/../data/feedback.sqlite3").status_code == 404


def test_writes_are_off_without_an_admin_password(app_url):
    r = httpx.post(f"{app_url}/api/reindex", headers={"X-Admin-Password": ""})
    assert r.status_code == 403 and "KALO_ADMIN_PASSWORD" in r.json()["detail"]


def test_the_ui_and_api_docs_are_served(app_url):
    page = httpx.get(app_url + "/")
    assert page.status_code == 200 and "Βοηθός Συνεργασίας" in page.text
    assert httpx.get(app_url + "/docs").status_code == 200
    paths = httpx.get(app_url + "/openapi.json").json()["paths"]
    assert {"/api/ask", "/api/health", "/api/guides", "/api/reindex"} <= paths.keys()


def test_missing_index_is_a_503(fast_settings):
    with serve(fast_settings()) as url:
        r = httpx.post(f"{url}/api/ask", json={"question": "Τι είναι η ΚΑΛΟ;"})
        assert r.status_code == 503 and "ευρετήριο" in r.json()["detail"]
        assert httpx.get(f"{url}/api/health").json()["index"] is False


def test_llm_unreachable_is_a_503(synthetic_settings, synthetic_assistant):
    base = synthetic_assistant
    settings = synthetic_settings.model_copy(
        update={"answerer": "openai", "llm_model": "m", "llm_base_url": "http://127.0.0.1:9/v1", "llm_timeout": 3}
    )
    assistant = Assistant(settings, embeddings=base.embeddings, store=base.store)
    with serve(settings, assistant) as url:
        r = httpx.post(f"{url}/api/ask", json={"question": GRANT}, timeout=60)
        assert r.status_code == 503, r.text
        assert any("\u0370" <= ch <= "\u03ff" for ch in r.json()["detail"])


GUIDE = """# Οδηγός προγράμματος Αλκυόνη

## Χρηματοδότηση

Το πρόγραμμα Αλκυόνη χρηματοδοτεί κοινές δράσεις Δήμων και φορέων ΚΑΛΟ για την επισκευή ποδηλάτων.
Η μέγιστη επιχορήγηση του προγράμματος Αλκυόνη είναι 12.345 ευρώ ανά δράση.
"""


def test_admin_writes_upload_ask_remove(synthetic_corpus):
    settings = synthetic_corpus.model_copy(update={"admin_password": SecretStr("κωδικός-1")})
    Assistant(settings).ingest()
    indexed = sorted(p.name for p in settings.corpus_dir.iterdir())
    admin = {"X-Admin-Password": "κωδικός-1".encode()}  # non-ASCII passwords travel as UTF-8 bytes
    with serve(settings) as url:
        files = {"files": ("Αλκυόνη.md", GUIDE.encode(), "text/markdown")}
        assert httpx.post(f"{url}/api/guides", files=files).status_code == 401
        assert httpx.post(f"{url}/api/guides", files=files, headers={"X-Admin-Password": "x"}).status_code == 401

        r = httpx.post(f"{url}/api/guides", files=files, headers=admin, timeout=120)
        assert r.status_code == 201, r.text
        [result] = r.json()["results"]
        assert result["ok"] and result["saved_as"] == "Αλκυόνη.md"
        assert (settings.corpus_dir / "Αλκυόνη.md").read_text(encoding="utf-8") == GUIDE
        assert {f["source"]: f["status"] for f in r.json()["report"]["files"]}["Αλκυόνη.md"] == "added"

        again = httpx.post(f"{url}/api/guides", files=files, headers=admin)
        assert again.status_code == 400 and "Υπάρχει ήδη οδηγός" in again.json()["detail"]
        bad = httpx.post(
            f"{url}/api/guides", files={"files": ("x.exe", b"MZ", "application/x-msdownload")}, headers=admin
        )
        assert bad.status_code == 400 and "Μη υποστηριζόμενος τύπος" in bad.json()["detail"]

        answer = httpx.post(
            f"{url}/api/ask", json={"question": "Ποια είναι η μέγιστη επιχορήγηση του προγράμματος Αλκυόνη;"}
        )
        body = answer.json()
        assert body["found"] is True, body
        assert "12.345" in body["answer"] and body["sources"][0]["source"] == "Αλκυόνη.md"
        assert len(httpx.get(f"{url}/api/guides").json()) == len(indexed) + 1

        assert httpx.delete(f"{url}/api/guides/nope.md", headers=admin).status_code == 404
        removed = httpx.delete(f"{url}/api/guides/Αλκυόνη.md", headers=admin, timeout=120)
        assert removed.status_code == 200
        assert {f["source"]: f["status"] for f in removed.json()["files"]}["Αλκυόνη.md"] == "removed"
        assert not (settings.corpus_dir / "Αλκυόνη.md").exists()
        assert [g["source"] for g in httpx.get(f"{url}/api/guides").json()] == indexed

        reindex = httpx.post(f"{url}/api/reindex", headers=admin, timeout=120)
        assert reindex.status_code == 200 and {f["status"] for f in reindex.json()["files"]} == {"unchanged"}

        assert httpx.get(f"{url}/api/feedback").status_code == 401
        exported = httpx.get(f"{url}/api/feedback?format=csv", headers=admin)
        assert exported.status_code == 200 and exported.text.startswith("id,time,rating")


def test_chat_password_protects_the_chat_and_the_api(fast_settings):
    settings = fast_settings(chat_password="μυστικό", admin_password="admin")
    secret = {"X-Chat-Password": "μυστικό".encode()}
    with serve(settings) as url:
        page = httpx.get(url + "/", headers={"accept": "text/html"})
        assert page.status_code == 303 and page.headers["location"] == "signin"
        assert httpx.get(url + "/config").status_code == 401
        assert httpx.get(url + "/guides/x.pdf").status_code == 401
        assert httpx.post(f"{url}/api/ask", json={"question": "Τι;"}).status_code == 401
        assert httpx.get(f"{url}/api/health").status_code == 200  # monitoring stays open
        # with the header the request gets through (then fails for want of an index)
        assert httpx.post(f"{url}/api/ask", json={"question": "Τι;"}, headers=secret).status_code == 503

        with httpx.Client(base_url=url) as client:
            form = client.get("/signin")
            assert form.status_code == 200 and "Κωδικός πρόσβασης" in form.text
            wrong = client.post("/signin", data={"password": "λάθος"})
            assert wrong.status_code == 401 and "Λάθος κωδικός" in wrong.text
            ok = client.post("/signin", data={"password": "μυστικό"})
            assert ok.status_code == 303
            assert client.get("/", headers={"accept": "text/html"}).status_code == 200
            assert client.post("/api/ask", json={"question": "Τι;"}).status_code == 503
            client.get("/signout")
            assert client.get("/", headers={"accept": "text/html"}).status_code == 303
