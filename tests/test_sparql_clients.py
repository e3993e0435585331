"""Real SPARQL clients against a live server: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import GET, JSON, POST, TURTLE, XML, SPARQLWrapper

B = "https://w3id.org/napgraph/"
ORG = rdflib.URIRef("http://www.w3.org/ns/org#Organization")
ORGS = ("SELECT ?org WHERE { ?org a <http://www.w3.org/ns/org#Organization> } ORDER BY ?org")
EXPECTED_ORGS = [f"{B}id/jp/org/{slug}" for slug in
                 sorted(["mofa", "meti", "keidanren", "jtuc-rengo", "jfba", "hurights-osaka"])]


def wrapper(server, method: str = GET) -> SPARQLWrapper:
    client = SPARQLWrapper(server.endpoint)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select_json(live_server, method):
    client = wrapper(live_server, method)
    client.setQuery(ORGS)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert [b["org"]["value"] for b in bindings] == EXPECTED_ORGS


def test_sparqlwrapper_select_xml(live_server):
    client = wrapper(live_server)
    client.setQuery(ORGS)
    client.setReturnFormat(XML)
    document = client.query().convert()
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert uris == EXPECTED_ORGS


def test_sparqlwrapper_ask(live_server):
    client = wrapper(live_server)
    client.setQuery(f"ASK {{ <{B}id/jp/org/mofa> a <http://www.w3.org/ns/org#Organization> }}")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize(("return_format", "parser"), [(TURTLE, "turtle"), (XML, "xml")])
def test_sparqlwrapper_construct(live_server, return_format, parser):
    client = wrapper(live_server)
    client.setQuery("CONSTRUCT { ?org a ?type } WHERE { ?org a ?type . "
                    "FILTER(?type = <http://www.w3.org/ns/org#Organization>) }")
    client.setReturnFormat(return_format)
    # SPARQLWrapper's own RDF conversion builds a deprecated rdflib ConjunctiveGraph, so
    # the body it fetched is parsed here.
    body = client.query().response.read()
    graph = rdflib.Graph().parse(data=body, format=parser)
    assert sorted(str(s) for s in graph.subjects(rdflib.RDF.type, ORG)) == EXPECTED_ORGS


def test_rdflib_sparqlstore_query(live_server):
    graph = rdflib.Graph(store=SPARQLStore(live_server.endpoint))
    result = graph.query(ORGS)
    assert [str(row.org) for row in result] == EXPECTED_ORGS


def test_rdflib_sparqlstore_triples(live_server):
    graph = rdflib.Graph(store=SPARQLStore(live_server.endpoint))
    subjects = {str(s) for s, _, _ in graph.triples((None, rdflib.RDF.type, ORG))}
    assert sorted(subjects) == EXPECTED_ORGS
