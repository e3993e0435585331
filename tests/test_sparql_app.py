"""Fast checks of the app factory, the error table and the response cache (test client)."""

from __future__ import annotations

import pytest

from napgraph.server import create_app
from napgraph.server.http import errors
from napgraph.server.http.cache import Answer, ResponseCache
from napgraph.server.http.errors import DatasetError, NapgraphError
from napgraph.server.http.settings import SettingError
from tests.server_fixtures import MINI, make_build_dir

ASK = {"query": "ASK { ?s ?p ?o }"}


def test_factory_takes_a_mapping(mini_app):
    assert mini_app.config["QUERY_TIMEOUT"] == 5.0
    assert mini_app.config["MAX_CONTENT_LENGTH"] == mini_app.config["MAX_REQUEST_BYTES"]


def test_environment_overrides_the_factory_mapping(monkeypatch, tmp_path):
    make_build_dir(tmp_path, MINI.read_bytes(), "from-env")
    monkeypatch.setenv("NAPGRAPH_BUILD_DIR", str(tmp_path))
    monkeypatch.setenv("NAPGRAPH_MAX_RESULT_ROWS", "7")
    app = create_app({"BUILD_DIR": "/nonexistent", "MAX_RESULT_ROWS": 3, "QUERY_RUNNERS": 1})
    try:
        assert app.config["MAX_RESULT_ROWS"] == 7
        assert app.extensions["napgraph.sparql"].backend.info.version == "from-env"
    finally:
        app.extensions["napgraph.sparql"].backend.close()


def test_missing_data_is_a_dataset_error(monkeypatch, tmp_path):
    monkeypatch.delenv("NAPGRAPH_DATA_FILES", raising=False)
    with pytest.raises(DatasetError, match="napgraph.nq does not exist"):
        create_app({"BUILD_DIR": str(tmp_path)})


def test_invalid_data_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.nq"
    bad.write_text("<http://a/> <http://b/> <http://c/> .\n<http://a/> <b> .\n")
    with pytest.raises(DatasetError, match=r"bad\.nq.*line 2"):
        create_app({"DATA_FILES": [str(bad)], "QUERY_RUNNERS": 1})


def test_bad_settings_stop_the_factory():
    with pytest.raises(SettingError, match="CACHE_ENTRIES"):
        create_app({"DATA_FILES": [str(MINI)], "CACHE_ENTRIES": -1})


def test_every_named_error_has_an_http_status():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for cls in subclasses(NapgraphError):
        if cls is DatasetError:  # a start-up error, never answered over HTTP
            continue
        status, _ = errors.status_of(cls("x"))
        assert 400 <= status < 600


def test_repeated_queries_come_from_the_cache(mini_app, monkeypatch):
    client = mini_app.test_client()
    backend = mini_app.extensions["napgraph.sparql"].backend
    first = client.get("/sparql", query_string=ASK)
    ran = []
    monkeypatch.setattr(backend, "query", lambda *a, **k: ran.append(a))
    second = client.get("/sparql", query_string=ASK)
    assert ran == [], "the second request did not reach the backend"
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]


def test_dataset_parameters_are_a_set(mini_app):
    client = mini_app.test_client()
    g1, g2 = (f"https://w3id.org/napgraph/graph/test/{n}" for n in ("actors", "consultations"))
    one = client.get("/sparql", query_string={**ASK, "default-graph-uri": [g1, g2]})
    other = client.get("/sparql", query_string={**ASK, "default-graph-uri": [g2, g1, g2]})
    assert one.headers["ETag"] == other.headers["ETag"]


def test_html_page_escapes_data(tmp_path):
    make_build_dir(tmp_path, MINI.read_bytes(), "<script>alert(1)</script>")
    app = create_app({"BUILD_DIR": str(tmp_path), "QUERY_RUNNERS": 1})
    try:
        page = app.test_client().get("/sparql", headers={"Accept": "text/html"}).text
    finally:
        app.extensions["napgraph.sparql"].backend.close()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_unexpected_errors_are_500_and_logged(mini_app, monkeypatch, caplog):
    backend = mini_app.extensions["napgraph.sparql"].backend

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is on fire")

    monkeypatch.setattr(backend, "query", broken)
    response = mini_app.test_client().get("/sparql", query_string={"query": "ASK { 1 ?p ?o }"})
    assert response.status_code == 500
    assert "fire" not in response.text
    assert "the disk is on fire" in caplog.text


def _answer(size: int) -> Answer:
    return Answer(b"x" * size, "text/plain", None)


def test_cache_drops_least_recently_used_entries():
    cache = ResponseCache(max_entries=2, max_bytes=1000)
    cache.put("a", _answer(1))
    cache.put("b", _answer(1))
    assert cache.get("a") is not None
    cache.put("c", _answer(1))
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def test_cache_respects_its_byte_budget():
    cache = ResponseCache(max_entries=10, max_bytes=100)
    cache.put("big", _answer(101))
    assert cache.get("big") is None
    cache.put("a", _answer(60))
    cache.put("b", _answer(60))
    assert cache.get("a") is None and cache.get("b") is not None


def test_cache_can_be_off():
    cache = ResponseCache(max_entries=0, max_bytes=100)
    cache.put("a", _answer(1))
    assert len(cache) == 0


def test_gzip_is_made_once_and_only_for_larger_bodies():
    small, large = _answer(100), _answer(5000)
    assert small.gzipped() is None
    assert large.gzipped() is large.gzipped()
    assert len(large.gzipped()) < 5000
