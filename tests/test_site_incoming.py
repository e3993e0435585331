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


@pytest.fixture(scope="module")
def row_limited_server(start_server):
    return start_server(pointing_nquads(), QUERY_RUNNERS=1, MAX_RESULT_ROWS=120)


def onward(page) -> tuple[str, str]:
    """The "and N more" line of the page and the URL it links."""
    [more] = [" ".join(text.split()) for tag, attrs, text in page.texts
              if tag == "li" and attrs.get("class") == "more"]
    [url] = [a["href"] for a in page.find("a") if a.get("href", "").startswith("/sparql?")]
    return more, url


def test_all_of_them_are_one_link_away(pointing_server):
    """"and 250 more: all 300" links the query page listing the 300 subjects (not 310
    rows: a statement made in two graphs is one subject), by IRI, with their labels."""
    more, url = onward(target_page(pointing_server))
    assert more == f"and {SUBJECTS - 50} more: all {SUBJECTS}"
    response = requests.get(pointing_server.root + url, timeout=60)
    assert response.status_code == 200
    listing = parse_html(response.text)
    [count] = [text for text in listing.text_of("p") if text.startswith("Rows ")]
    assert count == f"Rows 1–100 of {SUBJECTS} rows (page 1 of 3)."
    cells = [text for text in listing.text_of("td")]
    assert cells == [english(n) for n in range(100)]


def test_a_list_longer_than_a_query_answer_says_so(row_limited_server):
    """With MAX_RESULT_ROWS=120 the query page cannot list all 300: the page says it links
    the first 120 and why, and the query page lists those 120, cut at the limit."""
    more, url = onward(target_page(row_limited_server))
    assert more == (f"and {SUBJECTS - 50} more: the first 120 of all {SUBJECTS} "
                    "(a query's answer here stops at 120 rows)")
    listing = parse_html(requests.get(row_limited_server.root + url, timeout=60).text)
    [count] = [text for text in listing.text_of("p") if text.startswith("Rows ")]
    assert count == "Rows 1–100 of 120 rows, cut at the limit of 120 (page 1 of 2)."
