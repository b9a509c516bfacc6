"""How `Settings` reads its sources: keyword arguments over KALO_* variables over the TOML file (KALO_CONFIG,
else ./kalo.toml) over the defaults, as pydantic-settings reads them for `Settings`."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from assistant.core.settings import Settings


@pytest.fixture
def toml(tmp_path, monkeypatch):
    """Writes the TOML file that KALO_CONFIG names."""
    path = tmp_path / "kalo.toml"
    monkeypatch.setenv("KALO_CONFIG", str(path))

    def write(text: str) -> Path:
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_defaults_without_any_source():
    settings = Settings()
    assert settings.top_k == 6 and settings.corpus_dir == Path("corpus/guides") and settings.data_dir == Path("data")
    assert settings.embedding_urls == [] and settings.embedding_query_prefix is None
    assert settings.audience_guides == {"municipal": ["synergasia-ota-kalo"], "kalo": ["diktyosi-foreon-kalo"]}
    assert settings.model_fields_set == set()


def test_variables_are_read_whatever_their_case_and_converted(monkeypatch):
    monkeypatch.setenv("KALO_TOP_K", "9")
    monkeypatch.setenv("kalo_candidates", "40")
    monkeypatch.setenv("Kalo_Chroma_Ssl", "true")
    monkeypatch.setenv("KALO_CORPUS_DIR", "/srv/guides")
    monkeypatch.setenv("KALO_EMBEDDING_QUERY_PREFIX", "")
    monkeypatch.setenv("KALO_LLM_API_KEY", "sk-secret")
    monkeypatch.setenv("KALO_LEXICAL_WEIGHT", "0.5")
    monkeypatch.setenv("KALO_RETRIEVAL_MODE", "bm25")
    monkeypatch.setenv("KALO_NO_SUCH_SETTING", "1")  # not a setting: ignored
    monkeypatch.setenv("TOP_K", "3")  # no prefix: not ours
    settings = Settings()
    assert (settings.top_k, settings.candidates, settings.chroma_ssl) == (9, 40, True)
    assert settings.corpus_dir == Path("/srv/guides") and settings.embedding_query_prefix == ""
    assert isinstance(settings.llm_api_key, SecretStr) and settings.llm_api_key.get_secret_value() == "sk-secret"
    assert settings.lexical_weight == 0.5 and settings.retrieval_mode == "bm25"
    assert settings.model_fields_set == {
        "top_k", "candidates", "chroma_ssl", "corpus_dir", "embedding_query_prefix", "llm_api_key",
        "lexical_weight", "retrieval_mode",
    }  # fmt: skip


def test_list_variables_take_commas_or_json(monkeypatch):
    monkeypatch.setenv("KALO_EMBEDDING_URLS", " http://a:8001/v1, http://b:8002 ,")
    monkeypatch.setenv("KALO_CORS_ORIGINS", '["https://x.example", "https://y.example"]')
    settings = Settings()
    assert settings.embedding_urls == ["http://a:8001/v1", "http://b:8002"]
    assert settings.cors_origins == ["https://x.example", "https://y.example"]


def test_a_table_variable_is_json_merged_key_by_key_with_the_file_and_the_arguments(monkeypatch, toml):
    toml('[audience_guides]\nmunicipal = ["from-file"]\nkalo = ["from-file"]\n')
    monkeypatch.setenv("KALO_AUDIENCE_GUIDES", '{"kalo": ["from-env"], "other": ["from-env"]}')
    assert Settings().audience_guides == {"municipal": ["from-file"], "kalo": ["from-env"], "other": ["from-env"]}
    given = Settings(audience_guides={"other": ["given"]}).audience_guides
    assert given == {"municipal": ["from-file"], "kalo": ["from-env"], "other": ["given"]}
    monkeypatch.setenv("KALO_AUDIENCE_GUIDES", "{not json")
    with pytest.raises(ValueError, match="audience_guides"):
        Settings()


def test_arguments_over_variables_over_the_file_over_the_defaults(monkeypatch, toml):
    toml('top_k = 7\ncandidates = 11\nretrieval_mode = "dense"\ncorpus_dir = "from/file"\n')
    assert (Settings().top_k, Settings().candidates, Settings().retrieval_mode) == (7, 11, "dense")
    monkeypatch.setenv("KALO_TOP_K", "9")
    monkeypatch.setenv("KALO_RETRIEVAL_MODE", "bm25")
    settings = Settings(top_k=4)
    assert (settings.top_k, settings.candidates, settings.retrieval_mode) == (4, 11, "bm25")
    assert settings.corpus_dir == Path(str(Settings.config_file())).parent / "from/file" and settings.rrf_k == 60
    assert settings.model_fields_set == {"top_k", "candidates", "retrieval_mode", "corpus_dir"}


def test_the_file_is_kalo_toml_in_the_working_directory_unless_kalo_config_names_one(monkeypatch, tmp_path):
    monkeypatch.delenv("KALO_CONFIG")
    monkeypatch.chdir(tmp_path)
    assert Settings().top_k == 6  # no kalo.toml here
    (tmp_path / "kalo.toml").write_text("top_k = 12\n", encoding="utf-8")
    assert Settings().top_k == 12
    monkeypatch.setenv("KALO_CONFIG", str(tmp_path / "missing.toml"))
    assert Settings().top_k == 6  # a missing file is no file
    (tmp_path / "elsewhere.toml").write_text("top_k = 13\n", encoding="utf-8")
    monkeypatch.setenv("KALO_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert Settings().top_k == 13


def test_relative_folders_in_the_file_are_read_from_its_folder_not_from_where_the_command_runs(
    monkeypatch, toml, tmp_path
):
    path = toml('data_dir = "data"\ncorpus_dir = "guides"\n')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = Settings()
    assert settings.data_dir == path.parent / "data" and settings.corpus_dir == path.parent / "guides"
    assert settings.chroma_path == path.parent / "data" / "chroma"
    toml('data_dir = "/srv/kalo/data"\n')  # an absolute folder stays as written
    assert Settings().data_dir == Path("/srv/kalo/data")
    monkeypatch.setenv("KALO_DATA_DIR", "mine")  # a variable, like a default, is read from the current folder
    assert Settings().data_dir == Path("mine")


def test_unknown_or_invalid_settings_are_refused(monkeypatch, toml):
    with pytest.raises(ValidationError, match="no_such_setting"):
        Settings(no_such_setting=1)
    toml("no_such_setting = 1\n")
    with pytest.raises(ValidationError, match="no_such_setting"):
        Settings()
    toml("")
    monkeypatch.setenv("KALO_TOP_K", "0")
    with pytest.raises(ValidationError, match="top_k"):
        Settings()
    monkeypatch.setenv("KALO_TOP_K", "many")
    with pytest.raises(ValidationError, match="top_k"):
        Settings()
    monkeypatch.delenv("KALO_TOP_K")
    with pytest.raises(ValidationError, match="collection"):
        Settings(collection="no spaces allowed")
    toml("top_k = [")
    with pytest.raises(ValueError):
        Settings()


def test_validating_reads_the_sources_like_the_constructor_and_copying_does_not(monkeypatch):
    settings = Settings(top_k=5)
    monkeypatch.setenv("KALO_TOP_K", "9")
    copy = settings.model_copy(update={"candidates": 12})
    assert (copy.top_k, copy.candidates) == (5, 12)
    assert Settings.model_construct().top_k == 6
    validated = Settings.model_validate({"candidates": 3})
    assert (validated.top_k, validated.candidates) == (9, 3) and validated.model_fields_set == {"top_k", "candidates"}
    assert Settings.model_validate(settings.model_dump()).top_k == 5
