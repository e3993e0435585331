"""Edges of the HTTP protocol, against a real server: format names clients send, media types
they accept, requests without a query, bodies cut short or not UTF-8, and cut results that
say so in their body."""

from __future__ import annotations

import csv
import io
import json
import socket
import time
import xml.dom.minidom

import pytest
import rdflib
import requests
from SPARQLWrapper import GET, N3, SPARQLWrapper

from tests.server_fixtures import MINI, parse_rdf

ORG = "http://www.w3.org/ns/org#Organization"
ORGS = f"SELECT ?org WHERE {{ ?org a <{ORG}> }} ORDER BY ?org"
ORG_TRIPLES = f"CONSTRUCT {{ ?org a <{ORG}> }} WHERE {{ ?org a <{ORG}> }}"
ALL_TRIPLES = "CONSTRUCT WHERE { ?s ?p ?o }"
ALL_ROWS = "SELECT * WHERE { ?s ?p ?o }"
SIX_ORGS = 6  # tests/data/mini.nq


def media_type(response: requests.Response) -> str:
    return response.headers["Content-Type"].split(";")[0]


@pytest.mark.parametrize(("query", "fmt", "accept", "expected"), [
    (ORGS, "text/rdf+n3", "application/sparql-results+xml", "application/sparql-results+xml"),
    (ORGS, "yaml", "text/csv", "text/csv"),
    (ORGS, "yaml", None, "application/sparql-results+json"),
    (ORG_TRIPLES, "n3", "application/rdf+xml", "text/turtle"),  # n3 names Turtle
    (ORG_TRIPLES, "exe", "application/n-triples", "application/n-triples"),
    ("ASK {}", "exe", "application/sparql-results+xml", "application/sparql-results+xml"),
], ids=["select-rdf-n3", "select-unknown-csv", "select-unknown-default", "construct-n3",
        "construct-unknown-nt", "ask-unknown-xml"])
def test_an_unknown_format_falls_back_to_accept(live_server, query, fmt, accept, expected):
    headers = {"Accept": accept} if accept else {}
    response = requests.get(live_server.endpoint, params={"query": query, "format": fmt},
                            headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected


def test_sparqlwrapper_n3_gets_a_graph(live_server):
    client = SPARQLWrapper(live_server.endpoint)
    client.setMethod(GET)
    client.setQuery(ORG_TRIPLES)
    client.setReturnFormat(N3)  # sends format=n3
    body = client.query().response.read()
    graph = rdflib.Graph().parse(data=body, format="turtle")  # Turtle is N3
    assert len(set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(ORG)))) == SIX_ORGS


@pytest.mark.parametrize(("query", "accept", "expected"), [
    (ORGS, "application/xml", "application/sparql-results+xml"),
    ("ASK {}", "application/xml", "application/sparql-results+xml"),
    (ORG_TRIPLES, "application/xml", "application/rdf+xml"),
    (ORG_TRIPLES, "text/plain", "application/n-triples"),
], ids=["select-xml", "ask-xml", "construct-xml", "construct-text-plain"])
def test_generic_media_types_get_the_matching_format(live_server, query, accept, expected):
    response = requests.get(live_server.endpoint, params={"query": query},
                            headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected
    if expected.endswith("xml"):
        xml.dom.minidom.parseString(response.content)
    else:
        graph = parse_rdf(response.content, expected)
        assert len(set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(ORG)))) == SIX_ORGS


@pytest.mark.parametrize("params", [
    {"default-graph-uri": "https://w3id.org/napgraph/graph/jp"},
    {"named-graph-uri": "https://w3id.org/napgraph/graph/jp"},
], ids=["default-graph", "named-graph"])
@pytest.mark.parametrize("accept", ["text/turtle", "text/html"])
def test_a_dataset_without_a_query_is_refused(live_server, params, accept):
    response = requests.get(live_server.endpoint, params=params, headers={"Accept": accept},
                            timeout=10)
    assert response.status_code == 400
    assert "has no query" in response.text


@pytest.mark.parametrize(("method", "query_string", "form"), [
    ("GET", "query=ASK%20%7B%7D%20%23%FF", None),
    ("GET", "query=ASK%20%7B%7D&format=%C3", None),
    ("POST", "", b"query=ASK+%7B%7D+%23%FF%FE"),
    ("POST", "", b"query=ASK+%7B%7D+%23\xff"),
], ids=["get-query", "get-format", "form-percent", "form-raw-byte"])
def test_a_query_that_is_not_utf8_is_refused(live_server, method, query_string, form):
    response = requests.request(
        method, f"{live_server.endpoint}?{query_string}", data=form, timeout=10,
        headers={"Content-Type": "application/x-www-form-urlencoded"} if form else {})
    assert response.status_code == 400
    assert "not valid UTF-8" in response.text


def raw_exchange(server, request: bytes) -> bytes:
    """Send `request`, close our side, and read the whole answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(("content_type", "body"), [
    ("application/sparql-query", b"ASK {}"),
    ("application/x-www-form-urlencoded", b"query=ASK+%7B%7D"),
], ids=["direct", "form"])
def test_a_body_shorter_than_its_length_is_not_run(live_server, content_type, body):
    head = (f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body) + 40}\r\nConnection: close\r\n\r\n").encode()
    answer = raw_exchange(live_server, head + body)
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"400", answer[:500]
    assert b"the request body ended before the length its headers announced" in answer


@pytest.fixture(scope="module")
def cut_server(start_server):
    """A server that cuts results at 3 rows."""
    return start_server(MINI.read_bytes(), MAX_RESULT_ROWS=3)


@pytest.mark.parametrize(("query", "accept"), [
    (ALL_ROWS, "application/sparql-results+json"),
    (ALL_ROWS, "application/sparql-results+xml"),
    (ALL_ROWS, "text/csv"),
    (ALL_TRIPLES, "text/turtle"),
    (ALL_TRIPLES, "application/n-triples"),
    (ALL_TRIPLES, "application/n-quads"),
    (ALL_TRIPLES, "application/trig"),
    (ALL_TRIPLES, "application/rdf+xml"),
    (ALL_TRIPLES, "application/ld+json"),
], ids=["json", "xml", "csv", "turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld"])
def test_a_cut_result_says_so_in_its_body_where_the_format_can(cut_server, query, accept):
    response = requests.get(cut_server.endpoint, params={"query": query},
                            headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200
    assert response.headers["X-SPARQL-MaxRows"] == "3"
    link = "urn:napgraph:cut-at-max-result-rows:3"
    note = "this result was cut at 3 rows"
    if accept.endswith("json") and "sparql" in accept:
        document = response.json()
        assert document["head"]["link"] == [link]
        assert len(document["results"]["bindings"]) == 3
    elif accept.endswith("sparql-results+xml"):
        document = xml.dom.minidom.parseString(response.content)
        head = document.getElementsByTagName("head")[0]
        assert [e.getAttribute("href") for e in head.getElementsByTagName("link")] == [link]
        assert len(document.getElementsByTagName("result")) == 3
    elif accept in ("text/csv", "application/ld+json"):
        assert note not in response.text  # no place for it that would not read as data
        if accept == "text/csv":
            assert len(list(csv.reader(io.StringIO(response.text)))) == 4
        else:
            assert len(parse_rdf(response.content, accept)) == 3
    else:
        assert note in response.text
        assert len(parse_rdf(response.content, accept)) == 3


def test_an_uncut_result_has_no_mark(cut_server):
    response = requests.get(cut_server.endpoint, params={"query": "SELECT * { ?s ?p ?o } LIMIT 2"},
                            timeout=10)
    assert "X-SPARQL-MaxRows" not in response.headers
    assert "link" not in json.loads(response.content)["head"]


def lines_of(path, at_least: int) -> list[dict]:
    """The JSON lines of an access log once it has `at_least` (a line is written when the
    response is closed, just after the client has it)."""
    deadline = time.monotonic() + 10
    while True:
        lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
        if len(lines) >= at_least or time.monotonic() > deadline:
            return [json.loads(line) for line in lines]
        time.sleep(0.05)


def test_the_access_log_moves_to_a_new_file_after_rotation(start_server, tmp_path):
    """logrotate renames the log (its default `create` mode): the server's next lines go to
    a new file at the configured path, so the old one stops growing."""
    log, rotated = tmp_path / "access.log", tmp_path / "access.log.1"
    server = start_server(MINI.read_bytes(), workers=2, ACCESS_LOG=str(log))
    requests.get(server.endpoint, params={"query": "ASK { ?s ?p 1 }"}, timeout=10)
    assert lines_of(log, 2)[-1]["status"] == 200  # the start-up probe and this query
    log.rename(rotated)
    before = rotated.read_bytes()
    for number in range(6):  # enough to reach both workers
        requests.get(server.endpoint, params={"query": f"ASK {{ ?s ?p {number + 2} }}"},
                     timeout=10)
    fresh = lines_of(log, 6)
    assert len(fresh) == 6
    assert all(record["path"] == "/sparql" and record["status"] == 200 for record in fresh)
    assert rotated.read_bytes() == before
