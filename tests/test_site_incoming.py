"""What points to a resource, on its page: a bounded list of whole subjects, counted, linked.

A small dataset served by a real server process (tests/server_fixtures.py `start_server`):
a resource that 300 others are about, each with an English and a Japanese label, and ten
of those statements made again in a second graph. incoming.rq reads at most 500 subjects
with every label each has (600 rows here, more than 500), the page sorts them and lists
the first 50, says how many more there are, and links where all of them are listed.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import requests

from tests.html_tools import parse_html

BASE = "https://w3id.org/napgraph/"
TARGET = f"{BASE}id/test/target"
ABOUT = "https://schema.org/about"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SUBJECTS = 300
TWICE = 10  # subjects whose statement is in two graphs: still one subject each
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def subject(number: int) -> str:
    return f"{BASE}id/test/s{number:03d}"


def english(number: int) -> str:
    return f"Subject {number}"


def japanese(number: int) -> str:
    return f"主題 {number}"


def pointing_nquads() -> bytes:
    """TARGET with SUBJECTS subjects about it, each labelled in English and Japanese."""
    node, graph = ox.NamedNode, ox.NamedNode(f"{BASE}graph/test")
    quads = []
    for number in range(SUBJECTS):
        s = node(subject(number))
        quads += [ox.Quad(s, node(ABOUT), node(TARGET), graph),
                  ox.Quad(s, node(LABEL), ox.Literal(english(number), language="en"), graph),
                  ox.Quad(s, node(LABEL), ox.Literal(japanese(number), language="ja"), graph)]
        if number < TWICE:
            quads.append(ox.Quad(s, node(ABOUT), node(TARGET), node(f"{BASE}graph/again")))
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


@pytest.fixture(scope="module")
def pointing_server(start_server):
    return start_server(pointing_nquads(), QUERY_RUNNERS=1)


def target_page(server):
    response = requests.get(f"{server.root}/id/test/target", headers={"Accept": BROWSER},
                            timeout=60)
    assert response.status_code == 200
    return parse_html(response.text)


def listed(page) -> list[str]:
    """The text of each subject listed on the page (its labels), in order."""
    return [" ".join(text.split()) for tag, attrs, text in page.texts
            if tag == "li" and text.strip().startswith("Subject ")]


def test_the_first_subjects_are_listed_with_both_labels(pointing_server):
    """Of 300 subjects with two labels each (600 rows), the page lists the first 50 by IRI,
    each with its English and its Japanese label: the bound counts subjects, not rows."""
    assert listed(target_page(pointing_server)) == [
        f"{english(n)} {japanese(n)}" for n in range(50)]
