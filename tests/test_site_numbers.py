"""Counts on pages go through one filter (templating.py `number`): 1,200, not 1200.

A small dataset served by a real server process: a topic that 1,200 discussion points of
one consultation are about. Its concept page counts them ("1,200 items in 1
consultation") and its list of what points to it says "and 1,150 more: all 1,200"; the
SPARQL page counts the quads it serves.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
import requests

from tests.html_tools import parse_html

BASE = "https://w3id.org/napgraph/"
NAP = "https://w3id.org/napgraph/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
TOPIC = f"{BASE}id/topic/test-topic"
CONSULTATION = f"{BASE}id/test/consultation/1"
POINTS = 1200
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def topic_nquads() -> bytes:
    """A topic, one consultation and POINTS discussion points about the topic."""
    node, graph = ox.NamedNode, ox.NamedNode(f"{BASE}graph/test")

    def english(text: str) -> ox.Literal:
        return ox.Literal(text, language="en")

    triples = [
        (node(TOPIC), node(RDF_TYPE), node(SKOS + "Concept")),
        (node(TOPIC), node(SKOS + "inScheme"), node(f"{BASE}id/topic")),
        (node(TOPIC), node(SKOS + "prefLabel"), english("Test topic")),
        (node(NAP + "DiscussionPoint"), node(RDFS + "label"), english("discussion point")),
        (node(CONSULTATION), node(RDF_TYPE), node(NAP + "Consultation")),
        (node(CONSULTATION), node(RDFS + "label"), english("Test consultation")),
        (node(CONSULTATION), node(NAP + "ordinal"),
         ox.Literal("1", datatype=node(XSD + "integer"))),
        (node(CONSULTATION), node(SCHEMA + "startDate"),
         ox.Literal("2020-01-15", datatype=node(XSD + "date"))),
    ]
    for number in range(POINTS):
        point = node(f"{CONSULTATION}/point/{number}")
        triples += [(point, node(RDF_TYPE), node(NAP + "DiscussionPoint")),
                    (point, node(SCHEMA + "about"), node(TOPIC)),
                    (point, node(NAP + "discussedAt"), node(CONSULTATION)),
                    (point, node(RDFS + "label"), english(f"Point {number}"))]
    quads = [ox.Quad(s, p, o, graph) for s, p, o in triples]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


@pytest.fixture(scope="module")
def topic_server(start_server):
    return start_server(topic_nquads(), QUERY_RUNNERS=1)


def html(server, path: str):
    response = requests.get(server.root + path, headers={"Accept": BROWSER}, timeout=60)
    assert response.status_code == 200
    return parse_html(response.text)


def test_the_concept_page_counts_with_separators(topic_server):
    page = html(topic_server, "/id/topic/test-topic")
    assert f"{POINTS:,} items in 1 consultation." in page.text_of("p")
    [more] = [" ".join(text.split()) for tag, attrs, text in page.texts
              if tag == "li" and attrs.get("class") == "more"]
    assert more == f"and {POINTS - 50:,} more: all {POINTS:,}"


def test_the_sparql_page_counts_its_quads_with_separators(topic_server):
    page = html(topic_server, "/sparql")
    quads = 8 + 4 * POINTS
    assert re.search(rf"\b1 named graphs?, {quads:,} quads\b", " ".join(page.text.split()))
