"""The home catalogue in pages, from the countries' summaries, against a real server process.

Japan's build with two synthetic countries imported (`napgraph synth`, `napgraph import`),
served with PAGE_SIZE=1: three pages of one country each, linked by rel=prev/next, in one
stable order; each row's figures are the summary the import computed (graph/summary.py),
equal to what SPARQL counts over that country's graphs.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import requests

from tests.html_tools import parse_html
from tests.server_fixtures import launch

NAP = "https://w3id.org/napgraph/ontology#"
COUNTRIES = ["Japan", "Synthetic country S0001 (synthetic)", "Synthetic country S0002 (synthetic)"]


def napgraph(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "napgraph", *args], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


@pytest.fixture(scope="module")
def server(request, build, tmp_path_factory):
    folder = tmp_path_factory.mktemp("paging")
    target = folder / "build"
    shutil.copytree(build.release.parents[1], target, symlinks=True)
    napgraph("synth", "--countries", "2", "--out", str(folder / "synth.nq"))
    for code in ("s0001", "s0002"):
        napgraph("import", str(folder / "synth.nq"), "--country", code, "--build-dir",
                 str(target))
    live = launch(target, {"QUERY_RUNNERS": 1, "PAGE_SIZE": 1}, folder / "log")
    request.addfinalizer(live.stop)
    return live


def get(server, path: str) -> requests.Response:
    return requests.get(server.root + path, headers={"Accept": "text/html"}, timeout=60)


def row_heads(page) -> list[str]:
    return [" ".join(t.split()) for tag, attrs, t in page.texts
            if tag == "th" and attrs.get("scope") == "row"]


def links(page, rel: str) -> list[str]:
    return [a["href"] for a in page.find("a") if a.get("rel") == rel]


@pytest.mark.parametrize("number, country, prev, next_", [
    (1, COUNTRIES[0], [], ["/?page=2#countries"]),
    (2, COUNTRIES[1], ["/?page=1#countries"], ["/?page=3#countries"]),
    (3, COUNTRIES[2], ["/?page=2#countries"], []),
])
def test_each_page_shows_its_country_and_links_its_neighbours(server, number, country, prev,
                                                               next_):
    response = get(server, f"/?page={number}")
    assert response.status_code == 200
    page = parse_html(response.text)
    assert row_heads(page) == [country]
    assert links(page, "prev") == prev
    assert links(page, "next") == next_


@pytest.mark.parametrize("query, status", [
    ("?page=4", 404), ("?page=0", 400), ("?page=two", 400), ("?page=-1", 400),
])
def test_a_page_that_is_not_there_is_refused(server, query, status):
    response = get(server, "/" + query)
    assert response.status_code == status
    assert "Traceback" not in response.text


@pytest.mark.parametrize("code", ["s0001", "s0002"])
def test_catalogue_figures_are_the_country_own_counts(server, code):
    """The row's consultations and actors (the summary) equal SPARQL's counts over the
    country's consultations."""
    count = (f"SELECT (COUNT(DISTINCT ?c) AS ?c_n) (COUNT(DISTINCT ?a) AS ?a_n) WHERE {{ "
             f"?c a <{NAP}Consultation> ; <http://purl.org/dc/terms/isPartOf>/"
             f"<http://purl.org/dc/terms/spatial> <https://w3id.org/napgraph/id/country/{code}> ."
             f" OPTIONAL {{ ?c <{NAP}hasParticipation>/<http://www.w3.org/ns/prov#agent> ?a }} }}")
    answer = requests.get(server.endpoint, params={"query": count}, timeout=60,
                          headers={"Accept": "application/sparql-results+json"}).json()
    row = answer["results"]["bindings"][0]
    number = COUNTRIES.index(f"Synthetic country {code.upper()} (synthetic)") + 1
    page = parse_html(get(server, f"/?page={number}").text)
    cells = [" ".join(t.split()) for tag, _, t in page.texts if tag == "td"]
    assert cells[0] == row["c_n"]["value"]  # consultations
    assert cells[3] == row["a_n"]["value"]  # actors attending


@pytest.mark.parametrize("number, prev, next_", [
    (1, [], ["?page=2#facts-heading"]),
    (2, ["?page=1#facts-heading"], ["?page=3#facts-heading"]),
])
def test_a_concept_lists_its_consultations_in_pages(server, number, prev, next_):
    """A shared topic concerns consultations of every country: PAGE_SIZE (1) of them a page."""
    response = get(server, f"/id/ungp/principle/17?page={number}")
    assert response.status_code == 200
    page = parse_html(response.text)
    assert len([a for a in page.find("article") if a.get("class") == "meeting-facts"]) == 1
    assert links(page, "prev") == prev
    assert links(page, "next") == next_


def test_pages_of_a_concept_are_cached_apart(server):
    first = get(server, "/id/ungp/principle/17?page=1")
    second = get(server, "/id/ungp/principle/17?page=2")
    assert first.headers["ETag"] != second.headers["ETag"]
    assert first.text != second.text
