"""The ontology's version IRI serves that version: the whole ontology graph, over HTTP.

napgraph serves one version of its ontology, so `ontology/0.1.0` answers with the same
named graph as `ontology` (RDF) and the same documentation (HTML); an unknown version is 404.
"""

import pytest
import rdflib
import requests

from tests.html_tools import parse_html
from tests.server_fixtures import parse_rdf

BASE = "https://w3id.org/napgraph/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _ontology_size(store) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/ontology> {{ ?s ?p ?o }} }}"
    return int(next(iter(store.query(query)))["n"].value)


@pytest.mark.parametrize(("suffix", "media_type"), [(".ttl", "text/turtle"),
                                                    (".nt", "application/n-triples")])
def test_version_iri_serves_the_whole_ontology(site_server, store, suffix, media_type):
    response = requests.get(site_server.root + "/ontology/0.1.0" + suffix, timeout=30)
    assert response.status_code == 200
    graph = parse_rdf(response.content, media_type)
    assert len(graph) == _ontology_size(store)
    nap = rdflib.Namespace(BASE + "ontology#")
    assert (nap.Consultation, rdflib.RDF.type, rdflib.OWL.Class) in graph
    assert (rdflib.URIRef(BASE + "ontology"), rdflib.OWL.versionIRI,
            rdflib.URIRef(BASE + "ontology/0.1.0")) in graph


def test_version_iri_negotiates_rdf(site_server, store):
    response = requests.get(site_server.root + "/ontology/0.1.0",
                            headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    assert len(parse_rdf(response.content, "text/turtle")) == _ontology_size(store)


def test_version_iri_page_documents_the_ontology(site_server):
    response = requests.get(site_server.root + "/ontology/0.1.0",
                            headers={"Accept": BROWSER}, timeout=30)
    assert response.status_code == 200
    ids = {attrs.get("id") for attrs in parse_html(response.text).find("article")}
    assert {"Consultation", "Participation", "hasParticipation", "ordinal"} <= ids


def test_unknown_version_is_not_found(site_server):
    response = requests.get(site_server.root + "/ontology/9.9.9.ttl", timeout=30)
    assert response.status_code == 404
