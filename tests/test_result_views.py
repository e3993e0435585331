"""Results for people, over HTTP to the live server: pages of rows with the total, labels
for IRIs (the IRI on hover and as the link), prefixed names for IRIs without a label."""

from __future__ import annotations

import re

import pytest
import requests

from tests.html_tools import parse_html

EVERYTHING = "SELECT * WHERE { ?s ?p ?o }"
FSA = "https://w3id.org/napgraph/id/jp/org/fsa"


def sparql_html(server, query: str, page: int | None = None) -> str:
    form = {"query": query, "format": "html"}
    if page is not None:
        form["page"] = str(page)
    response = requests.post(server.root + "/sparql", data=form, timeout=60)
    assert response.status_code == 200
    return response.text


def total_rows(server, query: str) -> int:
    response = requests.post(server.root + "/sparql", data={"query": query},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
    return len(response.json()["results"]["bindings"])


def body_rows(html: str) -> int:
    table = html.split('<table class="results-table">', 1)[1]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


@pytest.fixture(scope="module")
def everything_total(site_server) -> int:
    return total_rows(site_server, EVERYTHING)


@pytest.mark.parametrize(("page", "first"), [(1, 1), (2, 101), (10**9, None)],
                         ids=["first", "second", "past-the-end"])
def test_a_big_answer_comes_in_pages_with_its_total(site_server, everything_total, page, first):
    html = sparql_html(site_server, EVERYTHING, page)
    pages = -(-everything_total // 100)
    first = first or (pages - 1) * 100 + 1  # past the end: the last page
    shown = min(100, everything_total - first + 1)
    assert body_rows(html) == shown
    count = re.search(r'<p class="count">(.*?)</p>', html, re.S).group(1)
    assert f"Rows {first:,}–{first + shown - 1:,} of {everything_total:,} rows" in count
    assert f"page {min(page, pages)} of {pages}" in count


def test_iris_show_their_labels_with_the_iri_on_hover(site_server):
    html = sparql_html(site_server, f"SELECT ?org WHERE {{ VALUES ?org {{ <{FSA}> }} }}")
    links = [a for a in parse_html(html).find("a") if a.get("title") == FSA]
    assert len(links) == 1
    assert links[0]["href"].endswith("/id/jp/org/fsa")
    assert ">Financial Services Agency</a>" in html


def test_an_iri_without_a_label_is_a_prefixed_name(site_server):
    html = sparql_html(site_server,
                       "SELECT ?x WHERE { VALUES ?x { <https://schema.org/NoSuchTerm> } }")
    assert '<code class="curie">schema:NoSuchTerm</code>' in html
    assert 'title="https://schema.org/NoSuchTerm"' in html


def test_a_canned_answer_pages_by_links(site_server):
    first = requests.get(site_server.root + "/queries/attendance-matrix", timeout=60)
    assert first.status_code == 200
    match = re.search(r'<a rel="next" href="([^"]+)"', first.text)
    assert match, "a canned answer of more than 100 rows links to its next page"
    second = requests.get(site_server.root + match.group(1).replace("&amp;", "&"), timeout=60)
    assert second.status_code == 200
    assert "Rows 101–" in second.text
    assert body_rows(second.text) >= 1
