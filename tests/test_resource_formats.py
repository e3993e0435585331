"""Per-resource RDF for people too: Turtle with the published prefixes, JSON-LD compacted
under the published context; both hold exactly the triples of the N-Triples answer."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
import rdflib.compare
import requests

RESOURCES = ["/id/jp/org/mofa", "/id/jp/consultation/2018-04", "/id/ungp/principle/17"]


def fetch(server, path: str) -> requests.Response:
    response = requests.get(server.root + path, timeout=30)
    assert response.status_code == 200
    return response


def graph_of(text: str, rdf_format: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format=rdf_format)


@pytest.mark.parametrize("path", RESOURCES)
def test_turtle_uses_the_published_prefixes(site_server, path):
    turtle = fetch(site_server, path + ".ttl").text
    assert "@prefix nap: <https://w3id.org/napgraph/ontology#> ." in turtle
    body = "\n".join(line for line in turtle.splitlines() if not line.startswith("@prefix"))
    assert "<https://w3id.org/napgraph/ontology#" not in body  # written as nap:…
    triples = graph_of(fetch(site_server, path + ".nt").text, "nt")
    assert rdflib.compare.isomorphic(graph_of(turtle, "turtle"), triples)


@pytest.mark.parametrize("path", RESOURCES)
def test_jsonld_is_compact_under_the_published_context(site_server, path):
    document = fetch(site_server, path + ".jsonld").json()
    published = fetch(site_server, "/download/context.jsonld").json()
    assert document["@context"] == published["@context"]
    keys = {key for node in document["@graph"] for key in node}
    assert not any(key.startswith("http") for key in keys), "property keys are compact"
    assert all(node["@id"].startswith("napid:") for node in document["@graph"]
               if node["@id"].startswith(("napid:", "https://w3id.org/napgraph/id/")))
    triples = graph_of(fetch(site_server, path + ".nt").text, "nt")
    # pyoxigraph expands the JSON-LD under its context; N-Triples compares it to the answer.
    expanded = ox.serialize(ox.parse(json.dumps(document).encode(),
                                     format=ox.RdfFormat.JSON_LD),
                            format=ox.RdfFormat.N_TRIPLES).decode()
    assert rdflib.compare.isomorphic(graph_of(expanded, "nt"), triples)
