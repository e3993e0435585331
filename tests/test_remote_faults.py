"""A remote store that fails: napgraph answers 502 or 503 with a message, within the time
limit, never hangs and never answers 500; and it recovers by itself when the store does.

A fake store in the test process plays garbage, error statuses, a broken connection and a
hang; a real `oxigraph serve` is stopped and started again under a running napgraph.
"""

from __future__ import annotations

import time

import pytest
import requests
from click.testing import CliRunner

from napgraph.cli import main
from napgraph.server import create_app
from tests.server_fixtures import free_port
from tests.store_fixtures import push_build

QUERY = "SELECT * { ?s ?p ?o } LIMIT 1"
LIMIT = 1.5  # the fake_remote server's QUERY_TIMEOUT


@pytest.fixture
def fake(fake_store):
    """The fake store, set back to "ok" after each test."""
    yield fake_store
    fake_store.mode = "ok"


def timed_query(server, query: str = QUERY) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.post(server.endpoint, data={"query": query}, timeout=30)
    return response, time.monotonic() - started


def test_the_fake_store_works(fake, fake_remote):
    response, _ = timed_query(fake_remote)
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    forwarded = fake.requests[-1]
    assert "query=SELECT" in forwarded["body"]
    assert forwarded["accept"].startswith("application/sparql-results+json")


@pytest.mark.parametrize(("mode", "status", "message"), [
    ("garbage", 502, "does not parse"),
    (500, 502, "answered with an error (500: store says 500)"),
    (404, 502, "answered with an error (404"),
    (403, 502, "answered with an error (403"),
    (503, 503, "busy or unavailable (503"),
    (429, 503, "busy or unavailable (429"),
    (400, 400, "store says 400"),
    ("truncated", 503, "broke off its answer"),
], ids=["garbage", "500", "404", "403", "503", "429", "400", "truncated"])
def test_store_failure_is_a_clear_error(fake, fake_remote, mode, status, message):
    fake.mode = mode
    response, elapsed = timed_query(fake_remote)
    assert response.status_code == status
    assert message in response.text
    assert "Traceback" not in response.text
    if status == 503:
        assert response.headers["Retry-After"] == "5"
    assert elapsed < LIMIT


def test_an_answer_with_hundreds_of_header_fields_is_read(fake, fake_remote):
    """Virtuoso names every graph of a query's dataset in two header fields: with 100
    countries (407 graphs) that is far over the 100 fields Python's HTTP client allows."""
    fake.mode = "many-headers"
    response, _ = timed_query(fake_remote)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == []


def test_a_hanging_store_is_a_503_within_the_limit(fake, fake_remote):
    fake.mode = "hang"
    response, elapsed = timed_query(fake_remote)
    assert response.status_code == 503
    assert "did not answer within the 1.5 s time limit" in response.text
    assert response.headers["Retry-After"] == "5"
    assert LIMIT - 0.1 < elapsed < LIMIT + 1
    fake.mode = "ok"
    assert timed_query(fake_remote)[0].status_code == 200  # and it answers again


@pytest.mark.parametrize(("query", "accept"), [
    ("SELECT * { ?s ?p ?o }", "application/sparql-results+json"),
    ("ASK { ?s ?p ?o }", "application/sparql-results+json"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples"),
    ("DESCRIBE <urn:x>", "application/n-triples"),
], ids=["select", "ask", "construct", "describe"])
def test_the_request_names_the_path_and_accepts_the_forms_formats(fake, fake_remote, query,
                                                                  accept):
    """Origin form: an absolute URL in the request line is a proxy request (Virtuoso: HT059).
    A CONSTRUCT offered SPARQL JSON may be answered with bindings (Virtuoso does)."""
    timed_query(fake_remote, query)
    sent = fake.requests[-1]
    assert sent["path"] == "/sparql"
    assert sent["accept"].split(",")[0] == accept
    other = "application/n-triples" if "results" in accept else "application/sparql-results"
    assert other not in sent["accept"]


def test_an_html_error_page_is_reduced_to_its_text(fake, fake_remote):
    fake.mode = "html-error"
    response, _ = timed_query(fake_remote)
    assert response.status_code == 502
    assert "(500: Error HT059 Proxy access to 127.0.0.1 denied)" in response.text
    assert "<" not in response.text and "color" not in response.text


def test_the_message_does_not_name_the_store(fake, fake_remote, fake_store):
    fake.mode = 500
    response, _ = timed_query(fake_remote)
    assert fake_store.url.split("//")[1].split("/")[0] not in response.text


def test_a_stopped_store_is_a_503_until_it_is_back(build, start_oxigraph, start_remote):
    store = start_oxigraph()
    push_build(build.release.parent.parent, store)
    server = start_remote(store.query_url, QUERY_TIMEOUT=2, CACHE_ENTRIES=0)
    count = "SELECT (COUNT(*) AS ?n) { ?c a <https://w3id.org/napgraph/ontology#Consultation> }"
    response, _ = timed_query(server, count)
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "10"

    store.stop()
    response, elapsed = timed_query(server, count)
    assert response.status_code == 503
    assert "cannot be reached" in response.text
    assert response.headers["Retry-After"] == "5"
    assert elapsed < 2 + 1

    store.start()  # same port, same data: napgraph is not restarted
    response, _ = timed_query(server, count)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "10"


def test_a_worker_starts_while_the_store_is_down():
    """A worker that cannot read the graphs yet still starts, answers 503, and retries."""
    app = create_app({"STORE_URL": f"http://127.0.0.1:{free_port()}/query",
                      "QUERY_TIMEOUT": 2})
    try:
        backend = app.extensions["napgraph.sparql"].backend
        assert backend.info.version == "unlisted"
        response = app.test_client().get("/sparql", query_string={"query": QUERY})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
    finally:
        app.extensions["napgraph.sparql"].backend.close()


@pytest.mark.parametrize(("mode", "message"), [
    ("garbage", "does not parse"),
    (500, "answered with an error (500"),
], ids=["garbage", "500"])
def test_serve_refuses_a_store_that_answers_badly(fake, tmp_path, mode, message):
    fake.mode = mode
    result = CliRunner().invoke(main, ["serve", "--store", fake.url, "--build-dir",
                                       str(tmp_path)])
    assert result.exit_code == 1
    assert message in result.output
    assert fake.url in result.output  # the operator is told which store


def test_serve_refuses_an_unreachable_store(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/query"
    result = CliRunner().invoke(main, ["serve", "--store", url, "--build-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{url}: the SPARQL store cannot be reached (Connection refused)" in result.output


def test_serve_refuses_a_url_that_is_not_http(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--store", "ftp://example.org/sparql",
                                       "--build-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "STORE_URL: 'ftp://example.org/sparql' is not an http or https URL" in result.output


def test_a_too_deep_query_is_refused_before_the_store_sees_it(fake, fake_remote):
    """MAX_QUERY_NESTING holds in front of a store as in front of the runners."""
    before = len(fake.requests)
    deep = "SELECT * { " + "{ " * 2000 + "?s ?p ?o" + " }" * 2000 + " }"
    response = requests.post(fake_remote.endpoint, data={"query": deep}, timeout=30)
    assert response.status_code == 400
    assert "MAX_QUERY_NESTING" in response.text
    assert len(fake.requests) == before
