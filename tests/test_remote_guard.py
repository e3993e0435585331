"""Nothing but a query leaves napgraph, and only napgraph's graphs come back: both kinds of store
(Oxigraph and Virtuoso, each a real process that accepts writes) behind `napgraph serve --store`.

Each update below is first run on the store directly, to show that the store would take it;
then sent to napgraph as a query in each form of the protocol, refused there with 403, and the
store is checked unchanged. A graph outside napgraph's scope (and Virtuoso's own system
graphs) never shows in napgraph's answers.
"""

from __future__ import annotations

import json

import pytest
import requests

from napgraph.server.backends.query_parse import READ_ONLY
from tests.server_fixtures import parse_rdf
from tests.store_fixtures import STORE_KINDS, push_build, store_quads

NAP = "https://w3id.org/napgraph/"
FOREIGN = "http://example.org/not-napgraph"  # a graph of the store's that napgraph must hide
UPDATES = {
    "insert-data": "INSERT DATA { GRAPH <urn:napgraph:test> { <urn:a> <urn:b> <urn:c> } }",
    "clear-graph": f"CLEAR GRAPH <{NAP}graph/jp>",
    "drop-all": "DROP ALL",
    "delete-where": "DELETE WHERE { GRAPH ?g { ?s ?p ?o } }",
    "with-prefix": "PREFIX x: <urn:x:>\n# a comment\ninsert data { graph x:g { x:a x:b x:c } }",
    "load": "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <urn:napgraph:test>",
}
FORMS = {
    "get": lambda url, text: requests.get(url, params={"query": text}, timeout=30),
    "form-post": lambda url, text: requests.post(url, data={"query": text}, timeout=30),
    "sparql-query-post": lambda url, text: requests.post(
        url, data=text.encode(), headers={"Content-Type": "application/sparql-query"},
        timeout=30),
}


@pytest.fixture(scope="module", params=STORE_KINDS)
def store(request, build, start_store):
    store = start_store(request.param)
    push_build(build.release.parent.parent, store)
    store.update(f"INSERT DATA {{ GRAPH <{FOREIGN}> {{ <urn:secret> <urn:is> \"hidden\" }} }}")
    return store


@pytest.fixture(scope="module")
def served(store, start_remote):
    return start_remote(store.query_url, QUERY_TIMEOUT=10, CACHE_ENTRIES=0)


def test_the_store_takes_writes_when_asked_directly(store):
    """Without this, the refusals below would prove nothing."""
    before = store_quads(store)
    store.update("INSERT DATA { GRAPH <urn:napgraph:scratch> { <urn:a> <urn:b> <urn:c> } }")
    assert store_quads(store) == before + 1
    store.update("DROP SILENT GRAPH <urn:napgraph:scratch>")
    assert store_quads(store) == before


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("update", UPDATES)
def test_an_update_sent_as_a_query_is_refused_and_the_store_unchanged(store, served, form,
                                                                       update):
    before = store_quads(store)
    response = FORMS[form](served.endpoint, UPDATES[update])
    assert response.status_code == 403, response.text
    assert READ_ONLY in response.text and "starts an update" in response.text
    assert store_quads(store) == before


def own_graphs(build) -> dict[str, int]:
    return json.loads((build.release / "manifest.json").read_text())["graphs"]


def select(served, query: str, **params) -> list[dict]:
    response = requests.post(served.endpoint, data={"query": query, **params}, timeout=30,
                             headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def test_only_napgraphs_graphs_are_listed(served, build):
    rows = select(served, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {row["g"]["value"]: int(row["n"]["value"]) for row in rows} == own_graphs(build)


def test_the_default_graph_is_napgraphs_graphs_only(served, build):
    rows = select(served, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert int(rows[0]["n"]["value"]) == sum(own_graphs(build).values())
    assert select(served, "SELECT ?o { <urn:secret> ?p ?o }") == []


@pytest.mark.parametrize("params", [
    {"query": f"SELECT ?o FROM <{FOREIGN}> {{ ?s ?p ?o }}"},
    {"query": f"SELECT ?o FROM <{FOREIGN}> FROM NAMED <{FOREIGN}> {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
    {"query": f"SELECT ?o {{ GRAPH <{FOREIGN}> {{ ?s ?p ?o }} }}"},
    {"query": f"SELECT ?o {{ VALUES ?g {{ <{FOREIGN}> }} GRAPH ?g {{ ?s ?p ?o }} }}"},
    {"query": "SELECT ?o { ?s ?p ?o }", "default-graph-uri": FOREIGN},
    {"query": "SELECT ?o { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": FOREIGN},
    {"query": f"SELECT ?o FROM <{NAP}graph/jp> {{ ?s ?p ?o }}", "default-graph-uri": FOREIGN},
], ids=["from", "from-named", "graph", "graph-variable", "default-graph-uri",
        "named-graph-uri", "protocol-overrides-from"])
def test_a_graph_out_of_scope_is_empty_however_it_is_named(served, params):
    """(COUNT(*) is not used: Virtuoso 7.2 counts 1 for an empty GRAPH <iri> pattern.)"""
    params = dict(params)
    query = params.pop("query")
    assert select(served, query, **params) == []


def test_the_service_description_names_napgraphs_graphs_only(served, build, store):
    response = requests.get(served.endpoint, headers={"Accept": "text/turtle"}, timeout=30)
    graph = parse_rdf(response.content, "text/turtle")
    names = {str(row[0]) for row in graph.query(
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
        "SELECT ?name { ?x sd:name ?name }")}
    assert names == set(own_graphs(build))
    assert str(store.port) not in response.text  # the store's address is not published


def test_two_napgraph_servers_in_front_of_one_store_answer_alike(store, served, start_remote):
    """Many `napgraph serve --store` in front of one store: the same pages and answers."""
    other = start_remote(store.query_url, QUERY_TIMEOUT=10, CACHE_ENTRIES=0)
    for path in ("/", "/id/jp/org/mofa", "/queries/consultations"):
        pages = [requests.get(server.root + path, headers={"Accept": "text/html"}, timeout=30)
                 for server in (served, other)]
        assert [page.status_code for page in pages] == [200, 200]
        assert pages[0].text == pages[1].text
    query = {"query": "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"}
    answers = [requests.get(server.endpoint, params=query, timeout=30)
               for server in (served, other)]
    assert answers[0].content == answers[1].content


@pytest.mark.parametrize("query", [
    f"ASK {{ GRAPH <{FOREIGN}> {{ ?s ?p ?o }} }}",
    "PREFIX x: <http://example.org/> ASK { GRAPH x:nothing-here { ?s ?p ?o } }",
], ids=["foreign", "unknown-prefixed"])
def test_ask_of_a_graph_out_of_scope_is_false(served, query):
    """Virtuoso 7.2 answers true for a GRAPH <iri> outside the request's named graphs."""
    response = requests.post(served.endpoint, data={"query": query}, timeout=30,
                             headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert response.json()["boolean"] is False
