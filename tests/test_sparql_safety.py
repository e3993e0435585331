"""The endpoint is safe on the internet: read-only, time-limited, size-limited, no open SERVICE."""

from __future__ import annotations

import io
import threading
import time
import uuid

import pytest
import requests
from rdflib.query import Result

from tests.server_fixtures import RUNAWAY_QUERY, parse_rdf

B = "https://w3id.org/napgraph/"
READ_ONLY = "this endpoint is read-only"
ALL_TRIPLES = "SELECT * { ?s ?p ?o }"


def fresh(query: str) -> str:
    """The same query with a unique comment, so no cache answers it."""
    return f"# {uuid.uuid4()}\n{query}"


def rows(response: requests.Response) -> list:
    assert response.status_code == 200, response.text
    return list(Result.parse(io.BytesIO(response.content), format="json"))


@pytest.mark.parametrize("request_args", [
    {"method": "GET", "params": {"update": "CLEAR ALL"}},
    {"method": "POST", "data": {"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}},
    {"method": "POST", "data": {"query": "ASK {}", "update": "CLEAR ALL"}},
    {"method": "POST", "data": b"DROP ALL",
     "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "POST", "data": b"CLEAR ALL", "params": {"using-graph-uri": "http://g/"},
     "headers": {"Content-Type": "application/sparql-update; charset=UTF-8"}},
], ids=["get-update", "form-update", "form-query-and-update", "direct-update",
        "direct-update-with-dataset"])
def test_updates_are_refused(live_server, request_args):
    response = requests.request(url=live_server.endpoint, timeout=10, **request_args)
    assert response.status_code == 403
    assert READ_ONLY in response.text
    assert rows(requests.get(live_server.endpoint, timeout=10,
                             params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
                )[0][0].toPython() == 64


@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://a/> <http://b/> <http://c/> }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL",
    "DELETE WHERE { ?s ?p ?o }",
], ids=["insert", "load", "clear", "delete"])
def test_update_operations_sent_as_queries_are_refused_as_updates(live_server, query):
    response = requests.get(live_server.endpoint, params={"query": query}, timeout=10)
    assert response.status_code == 403
    assert READ_ONLY in response.text
    assert "at line 1, column 1 starts an update" in response.text


def test_a_runaway_query_is_stopped_while_others_are_answered(live_server):
    """QUERY_TIMEOUT is 2 s on this server; the runaway query would run for minutes."""
    outcome = {}

    def runaway():
        started = time.monotonic()
        response = requests.get(live_server.endpoint, params={"query": fresh(RUNAWAY_QUERY)},
                                timeout=30)
        outcome["runaway"] = (response, time.monotonic() - started, time.monotonic())

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)  # let the runaway query reach its runner
    normal = requests.get(live_server.endpoint, timeout=30, params={
        "query": fresh(f"SELECT ?label {{ <{B}id/jp/org/mofa> ?p ?label }}")})
    normal_done = time.monotonic()
    thread.join()
    response, elapsed, runaway_done = outcome["runaway"]

    assert response.status_code == 503
    assert "query exceeded the 2 s time limit" in response.text
    assert elapsed < 2 + 1
    assert len(rows(normal)) == 3
    assert normal_done < runaway_done, "the normal query waited for the runaway one"
    after = requests.get(live_server.endpoint, params={"query": fresh("ASK { ?s ?p ?o }")},
                         timeout=30)
    assert after.status_code == 200
    assert after.json()["boolean"] is True


def test_a_query_past_the_memory_limit_stops_its_runner(limited_server):
    """Sorting a four-way cross product needs gigabytes; the runner may have 300 MiB."""
    query = ("SELECT ?a ?c ?f ?i { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } "
             "ORDER BY ?a ?c ?f ?i")
    response = requests.get(limited_server.endpoint, params={"query": query}, timeout=30)
    assert response.status_code == 503
    assert "past its 300 MiB memory limit" in response.text
    after = requests.get(limited_server.endpoint, params={"query": "ASK { ?s ?p ?o }"},
                         timeout=30)
    assert after.json()["boolean"] is True


def test_select_rows_are_capped(limited_server):
    response = requests.get(limited_server.endpoint, params={"query": ALL_TRIPLES}, timeout=10)
    assert len(rows(response)) == 5
    assert response.headers["X-SPARQL-MaxRows"] == "5"


def test_construct_triples_are_capped(limited_server):
    response = requests.get(limited_server.endpoint, timeout=10, headers={
        "Accept": "application/n-triples"}, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert len(parse_rdf(response.content, "application/n-triples")) == 5
    assert response.headers["X-SPARQL-MaxRows"] == "5"


def test_results_under_the_cap_are_whole(limited_server):
    response = requests.get(limited_server.endpoint, timeout=10, params={
        "query": f"SELECT ?p ?o {{ <{B}id/jp/org/mofa> ?p ?o }}"})
    assert len(rows(response)) == 3
    assert "X-SPARQL-MaxRows" not in response.headers


@pytest.mark.parametrize("request_args", [
    {"data": ("ASK { " + "?s ?p ?o . " * 300 + "}").encode(),
     "headers": {"Content-Type": "application/sparql-query"}},
    {"data": {"query": "ASK { " + "?s ?p ?o . " * 300 + "}"}},
], ids=["direct", "form"])
def test_large_requests_get_413(limited_server, request_args):
    response = requests.post(limited_server.endpoint, timeout=10, **request_args)
    assert response.status_code == 413
    assert "Request Entity Too Large" in response.text


def test_long_query_strings_get_414(limited_server):
    response = requests.get(limited_server.endpoint, timeout=10,
                            params={"query": "ASK { " + "?s ?p ?o . " * 60 + "}"})
    assert response.status_code == 414
    assert "send long queries with POST" in response.text


def test_service_outside_the_allow_list_is_refused(live_server):
    response = requests.get(live_server.endpoint, timeout=10, params={
        "query": "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 403
    assert "SERVICE <http://127.0.0.1:9/sparql> at line 1, column 12 is not allowed" in (
        response.text)


def test_service_with_a_variable_endpoint_is_refused(live_server):
    response = requests.get(live_server.endpoint, timeout=10, params={
        "query": "SELECT * { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?s ?p ?o } }"})
    assert response.status_code == 403
    assert "a variable endpoint is not allowed" in response.text


def test_service_on_the_allow_list_is_called(live_server, protocol_server):
    query = (f"PREFIX remote: <{protocol_server.root}/> "
             "SELECT ?doc { SERVICE remote:sparql { ?doc a <http://xmlns.com/foaf/0.1/Document> } }")
    response = requests.get(live_server.endpoint, params={"query": query}, timeout=30)
    documents = {str(row[0]) for row in rows(response)}
    assert documents == {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}
    assert "ETag" not in response.headers, "answers that call a SERVICE are not cached"
