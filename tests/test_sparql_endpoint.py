"""The /sparql endpoint over HTTP: formats, negotiation, dataset, caching, gzip, CORS, errors."""

from __future__ import annotations

import gzip
import io
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from rdflib.query import Result

from tests.server_fixtures import MINI, parse_rdf

B = "https://w3id.org/napgraph/"
ACTORS = f"{B}graph/test/actors"
CONSULTATIONS = f"{B}graph/test/consultations"
ORGS = ("SELECT ?org ?label WHERE { ?org a <http://www.w3.org/ns/org#Organization> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?org")
DESCRIPTIONS = "SELECT ?s ?d WHERE { ?s <https://schema.org/description> ?d }"
ACTOR_TRIPLES = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ACTORS}> {{ ?s ?p ?o }} }}"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RESULT_PARSERS = {"application/sparql-results+json": "json",
                  "application/sparql-results+xml": "xml", "text/csv": "csv",
                  "text/tab-separated-values": "tsv"}


def get(server, query: str | None = None, headers: dict | None = None, **params):
    if query is not None:
        params["query"] = query
    return requests.get(server.endpoint, params=params, headers=headers or {}, timeout=10)


def media_type(response: requests.Response) -> str:
    return response.headers["Content-Type"].split(";")[0]


def solutions(response: requests.Response) -> set[tuple]:
    """Parse a results document with rdflib into a set of rows of lexical values."""
    result = Result.parse(io.BytesIO(response.content),
                          format=RESULT_PARSERS[media_type(response)])
    return {tuple(str(value) if value is not None else None for value in row)
            for row in result}


def mini_graph(name: str) -> rdflib.Graph:
    triples = [q.triple for q in ox.parse(path=MINI, format=ox.RdfFormat.N_QUADS)
               if q.graph_name == ox.NamedNode(name)]
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                                format="nt")


def expected_orgs() -> set[tuple]:
    graph = mini_graph(ACTORS)
    org = rdflib.URIRef("http://www.w3.org/ns/org#Organization")
    return {(str(s), str(label)) for s in graph.subjects(rdflib.RDF.type, org)
            for label in graph.objects(s, rdflib.SKOS.prefLabel)}


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    (BROWSER_ACCEPT, "application/sparql-results+json"),
], ids=["none", "any", "json", "json-alias", "xml", "csv", "tsv", "q-values", "browser"])
def test_select_negotiation(live_server, accept, expected):
    response = get(live_server, ORGS, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    assert media_type(response) == expected
    assert "Accept" in response.headers["Vary"]
    assert solutions(response) == expected_orgs()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_literal_with_markup_and_control_characters(live_server, fmt):
    response = get(live_server, DESCRIPTIONS, format=fmt)
    (subject, text), = solutions(response)
    assert subject == f"{B}id/jp/org/jfba"
    assert text == 'Says "human rights\tdue diligence"\nmatters; 50% <b>&</b>'


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "text/turtle"),
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"),
    (BROWSER_ACCEPT, "text/turtle"),
], ids=["none", "turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld", "browser"])
def test_construct_negotiation(live_server, accept, expected):
    response = get(live_server, ACTOR_TRIPLES, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    assert media_type(response) == expected
    assert isomorphic(parse_rdf(response.content, expected), mini_graph(ACTORS))


def test_describe_answers_rdf(live_server):
    response = get(live_server, f"DESCRIBE <{B}id/jp/org/mofa>",
                   headers={"Accept": "application/n-triples"})
    graph = parse_rdf(response.content, media_type(response))
    assert set(graph.subjects()) == {rdflib.URIRef(f"{B}id/jp/org/mofa")}
    assert len(graph) == 3


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", True), ("application/sparql-results+xml", True),
], ids=["json", "xml"])
def test_ask(live_server, accept, expected):
    response = get(live_server, f"ASK {{ <{B}id/jp/org/mofa> ?p ?o }}",
                   headers={"Accept": accept})
    assert media_type(response) == accept
    assert Result.parse(io.BytesIO(response.content),
                        format=RESULT_PARSERS[accept]).askAnswer is expected


@pytest.mark.parametrize(("query", "fmt", "expected"), [
    (ORGS, "json", "application/sparql-results+json"),
    (ORGS, "xml", "application/sparql-results+xml"),
    (ORGS, "csv", "text/csv"),
    (ORGS, "tsv", "text/tab-separated-values"),
    (ACTOR_TRIPLES, "ttl", "text/turtle"),
    (ACTOR_TRIPLES, "nt", "application/n-triples"),
    (ACTOR_TRIPLES, "nq", "application/n-quads"),
    (ACTOR_TRIPLES, "trig", "application/trig"),
    (ACTOR_TRIPLES, "rdf", "application/rdf+xml"),
    (ACTOR_TRIPLES, "jsonld", "application/ld+json"),
    (ORGS, "text/csv", "text/csv"),
    (ACTOR_TRIPLES, "xml", "application/rdf+xml"),
    (ACTOR_TRIPLES, "json", "application/ld+json"),
    (ACTOR_TRIPLES, "turtle", "text/turtle"),
    (ACTOR_TRIPLES, "application/n-triples", "application/n-triples"),
], ids=["json", "xml", "csv", "tsv", "ttl", "nt", "nq", "trig", "rdf", "jsonld",
        "media-type", "xml-for-graphs", "json-for-graphs", "turtle-name", "graph-media-type"])
def test_format_parameter_wins_over_accept(live_server, query, fmt, expected):
    response = get(live_server, query, headers={"Accept": "text/csv, text/turtle"}, format=fmt)
    assert response.status_code == 200, response.text
    assert media_type(response) == expected


def test_format_parameter_in_a_posted_form(live_server):
    response = requests.post(live_server.endpoint, data={"query": ORGS, "format": "csv"},
                             timeout=10)
    assert media_type(response) == "text/csv"
    assert solutions(response) == expected_orgs()


@pytest.mark.parametrize(("query", "headers", "params", "status", "message"), [
    (ORGS, {"Accept": "image/png"}, {}, 406, "none of the media types"),
    ("ASK {}", {"Accept": "text/csv"}, {}, 406, "ASK results"),
    (ACTOR_TRIPLES, {"Accept": "application/sparql-results+json"}, {}, 406,
     "CONSTRUCT results"),
    ("ASK {}", {}, {"format": "csv"}, 406, "format=csv is not available for ASK results"),
    (ACTOR_TRIPLES, {}, {"format": "csv"}, 406, "format=csv is not available"),
    (ORGS, {}, {"format": "ttl"}, 406, "format=ttl is not available for SELECT results"),
], ids=["select-png", "ask-csv", "construct-json", "format-ask-csv", "format-construct-csv",
        "format-select-ttl"])
def test_unacceptable(live_server, query, headers, params, status, message):
    response = get(live_server, query, headers=headers, **params)
    assert response.status_code == status
    assert message in response.text
    assert media_type(response) == "text/plain"


def test_default_graph_is_the_union_of_named_graphs(live_server):
    response = get(live_server, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", format="csv")
    assert solutions(response) == {("64",)}


@pytest.mark.parametrize(("query", "params", "expected"), [
    ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", {"default-graph-uri": ACTORS}, "19"),
    ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
     {"default-graph-uri": [ACTORS, CONSULTATIONS]}, "64"),
    ("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": ACTORS}, "19"),
    ("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", {"named-graph-uri": ACTORS}, "0"),
    (f"SELECT (COUNT(*) AS ?n) FROM <{CONSULTATIONS}> {{ ?s ?p ?o }}", {}, "45"),
    (f"SELECT (COUNT(*) AS ?n) FROM <{CONSULTATIONS}> {{ ?s ?p ?o }}",
     {"default-graph-uri": ACTORS}, "19"),
    (f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ACTORS}> {{ ?s ?p ?o }}", {}, "0"),
], ids=["default-graph", "two-default-graphs", "named-graph", "named-only-empty-default",
        "query-from", "protocol-overrides-from", "from-named-only"])
def test_dataset(live_server, query, params, expected):
    response = get(live_server, query, format="csv", **params)
    assert response.status_code == 200, response.text
    assert solutions(response) == {(expected,)}


def test_etag_and_not_modified(live_server):
    first = get(live_server, ORGS)
    etag = first.headers["ETag"]
    assert get(live_server, ORGS).headers["ETag"] == etag
    assert get(live_server, ORGS, format="xml").headers["ETag"] != etag
    assert get(live_server, ORGS + " LIMIT 1").headers["ETag"] != etag
    again = get(live_server, ORGS, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    assert "Accept" in again.headers["Vary"]
    assert get(live_server, ORGS, headers={"If-None-Match": '"other"'}).status_code == 200


def test_gzip(live_server):
    headers = {"Accept-Encoding": "gzip"}
    response = requests.get(live_server.endpoint, params={"query": ORGS}, headers=headers,
                            timeout=10, stream=True)
    raw = response.raw.read()
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(raw)
    plain = get(live_server, ORGS, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(raw) == plain.content
    assert response.headers["ETag"] != plain.headers["ETag"]


def test_head(live_server):
    full = get(live_server, ORGS, headers={"Accept-Encoding": "identity"})
    head = requests.head(live_server.endpoint, params={"query": ORGS},
                         headers={"Accept-Encoding": "identity"}, timeout=10)
    assert head.status_code == 200
    assert head.content == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Vary"):
        assert head.headers[name] == full.headers[name]


def test_post_forms_and_direct_queries_answer_alike(live_server):
    by_get = get(live_server, ORGS)
    by_form = requests.post(live_server.endpoint, data={"query": ORGS}, timeout=10)
    by_body = requests.post(live_server.endpoint, data=ORGS.encode(), timeout=10,
                            headers={"Content-Type": "application/sparql-query"})
    assert by_get.json() == by_form.json() == by_body.json()


def test_cors(live_server):
    response = get(live_server, "ASK {}", headers={"Origin": "https://somewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = requests.options(live_server.endpoint, timeout=10, headers={
        "Origin": "https://somewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"


@pytest.mark.parametrize(("origin", "allowed"), [
    ("https://allowed.example", True), ("https://other.example", False),
], ids=["listed", "unlisted"])
def test_cors_origin_list(limited_server, origin, allowed):
    response = get(limited_server, "ASK {}", headers={"Origin": origin})
    assert response.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
    assert "Origin" in response.headers["Vary"]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def test_browsers_get_a_query_form(live_server):
    response = get(live_server, headers={"Accept": BROWSER_ACCEPT})
    assert media_type(response) == "text/html"
    assert "Accept" in response.headers["Vary"]
    page = _Page()
    page.feed(response.text)
    # The query form; the site's header also has a search form (GET /search).
    forms = [attrs for tag, attrs in page.elements if tag == "form"
             and attrs.get("action") == "/sparql"]
    assert [form["method"] for form in forms] == ["post"]
    assert ("textarea", {"id": "query", "name": "query", "rows": "14", "cols": "90",
                         "spellcheck": "false", "aria-describedby": "editor-keys"}
            ) in page.elements
    assert any(tag == "button" and attrs.get("type") == "submit"
               for tag, attrs in page.elements)
    alternates = {attrs["type"] for tag, attrs in page.elements
                  if tag == "link" and attrs.get("rel") == "alternate"}
    assert alternates == {"text/turtle", "application/rdf+xml", "application/ld+json",
                          "application/n-triples"}
    assert 'rel="alternate"; type="text/turtle"' in response.headers["Link"]


def test_the_query_form_posts_to_the_endpoint(live_server):
    response = requests.post(live_server.endpoint, data={"query": ORGS, "format": ""},
                             headers={"Accept": BROWSER_ACCEPT}, timeout=10)
    assert media_type(response) == "application/sparql-results+json"
    assert solutions(response) == expected_orgs()


@pytest.mark.parametrize(("request_args", "status", "message"), [
    ({"method": "GET", "params": {"query": "SELECT * WHERE { ?s ?p "}}, 400, "error at 1:"),
    ({"method": "GET", "params": {"query": "this is not SPARQL"}}, 400, "error at 1:1"),
    ({"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an IRI"}}, 400,
     "invalid graph IRI"),
    ({"method": "GET", "params": {"query": ["ASK {}", "ASK {}"]}}, 400, "exactly one query"),
    ({"method": "GET", "params": {"query": "  "}}, 400, "the query is empty"),
    ({"method": "POST", "data": b""}, 415, "no Content-Type"),
    ({"method": "POST", "data": b"ASK {}", "headers": {"Content-Type": "text/plain"}}, 415,
     "got text/plain"),
    ({"method": "POST", "data": "ASK {}".encode("utf-16"),
      "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415,
     "must be UTF-8"),
    ({"method": "POST", "data": b"ASK { '\xff' }",
      "headers": {"Content-Type": "application/sparql-query"}}, 400, "not valid UTF-8"),
    ({"method": "POST", "data": {"format": "json"}}, 400, "has no query"),
    ({"method": "PUT", "params": {"query": "ASK {}"}}, 405, "Method Not Allowed"),
    ({"method": "DELETE"}, 405, "Method Not Allowed"),
], ids=["syntax", "garbage", "bad-graph-iri", "two-queries", "empty-query", "no-content-type",
        "wrong-content-type", "utf16", "bad-utf8", "post-without-query", "put", "delete"])
def test_client_errors(live_server, request_args, status, message):
    response = requests.request(url=live_server.endpoint, timeout=10, **request_args)
    assert response.status_code == status
    assert message in response.text
    assert media_type(response) == "text/plain"
    assert "Traceback" not in response.text
    if status == 405:
        assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]
