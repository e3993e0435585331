"""The W3C SPARQL 1.1 Service Description tests, from their manifest, plus our own checks.

GET /sparql without a query returns the description in Turtle, RDF/XML, JSON-LD or
N-Triples. The manifest names three tests but encodes no requests; each is checked here as
its name and the specification say.
"""

from __future__ import annotations

import pyshacl
import pytest
import rdflib
import requests
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from tests.server_fixtures import SD_MANIFEST, TESTS, parse_rdf

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SHAPES = TESTS / "data" / "sparql-service-description-shapes.ttl"
RDF_CLIENT_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/ld+json;q=0.8"
DESCRIPTION_TYPES = ("text/turtle", "application/rdf+xml", "application/ld+json",
                     "application/n-triples")
MINI_GRAPHS = {"https://w3id.org/napgraph/graph/test/actors": 19,
               "https://w3id.org/napgraph/graph/test/consultations": 45}


def manifest_entries() -> list[str]:
    graph = rdflib.Graph().parse(SD_MANIFEST, format="turtle")
    manifest = next(graph.subjects(rdflib.RDF.type, MF.Manifest))
    return [str(e).rsplit("#", 1)[-1] for e in Collection(graph, graph.value(manifest,
                                                                               MF.entries))]


def fetch_description(server, accept: str = RDF_CLIENT_ACCEPT) -> tuple[requests.Response,
                                                                        rdflib.Graph]:
    response = requests.get(server.endpoint, headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200, response.text
    media_type = response.headers["Content-Type"].split(";")[0]
    assert media_type in DESCRIPTION_TYPES
    return response, parse_rdf(response.content, media_type)


def check_returns_rdf(server) -> None:
    _, graph = fetch_description(server)
    assert len(graph) > 0


def check_has_endpoint_triple(server) -> None:
    _, graph = fetch_description(server)
    assert (None, SD.endpoint, rdflib.URIRef(server.endpoint)) in graph


def check_conforms_to_schema(server) -> None:
    _, graph = fetch_description(server)
    shapes = rdflib.Graph().parse(SHAPES, format="turtle")
    conforms, _, report = pyshacl.validate(graph, shacl_graph=shapes)
    assert conforms, report


CHECKS = {
    "returns-rdf": check_returns_rdf,
    "has-endpoint-triple": check_has_endpoint_triple,
    "conforms-to-schema": check_conforms_to_schema,
}


@pytest.mark.parametrize("name", manifest_entries())
def test_service_description(live_server, name):
    if name not in CHECKS:
        pytest.fail(f"no check written for manifest entry {name}")
    CHECKS[name](live_server)


@pytest.mark.parametrize("accept", DESCRIPTION_TYPES)
def test_every_rdf_format_says_the_same(live_server, accept):
    _, turtle = fetch_description(live_server, "text/turtle")
    response, graph = fetch_description(live_server, accept)
    assert response.headers["Content-Type"].split(";")[0] == accept
    assert "Accept" in response.headers["Vary"]
    assert isomorphic(graph, turtle)


def test_lists_the_loaded_named_graphs_with_their_sizes(live_server):
    _, graph = fetch_description(live_server)
    service = rdflib.URIRef(live_server.endpoint)
    dataset = graph.value(service, SD.defaultDataset)
    sizes = {}
    for named in graph.objects(dataset, SD.namedGraph):
        sizes[str(graph.value(named, SD.name))] = graph.value(
            graph.value(named, SD.graph), VOID.triples).toPython()
    assert sizes == MINI_GRAPHS


def test_declares_features_and_every_result_format(live_server):
    _, graph = fetch_description(live_server)
    service = rdflib.URIRef(live_server.endpoint)
    assert set(graph.objects(service, SD.feature)) == {SD.UnionDefaultGraph,
                                                        SD.BasicFederatedQuery}
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    formats = {str(f).rsplit("/", 1)[-1] for f in graph.objects(service, SD.resultFormat)}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                       "SPARQL_Results_TSV", "Turtle", "N-Triples", "N-Quads", "TriG",
                       "RDF_XML", "JSON-LD"}


def test_no_federation_feature_without_an_allow_list(limited_server):
    _, graph = fetch_description(limited_server)
    assert (None, SD.feature, SD.BasicFederatedQuery) not in graph
