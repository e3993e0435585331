"""The home catalogue in pages, from the countries' summaries, against a real server process.

Japan's build with two synthetic countries imported (`napgraph synth`, `napgraph import`),
served with PAGE_SIZE=1: three pages of one country each, linked by rel=prev/next, in one
stable order; each row's figures are the summary the import computed (graph/summary.py),
equal to what SPARQL counts over that country's graphs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT

from tests.html_tools import parse_html
from tests.server_fixtures import launch, parse_rdf

NAP = "https://w3id.org/napgraph/ontology#"
BASE = "https://w3id.org/napgraph/"
COUNTRIES = ["Japan", "Synthetic country S0001 (synthetic)", "Synthetic country S0002 (synthetic)"]


def napgraph(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "napgraph", *args], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


@pytest.fixture(scope="module")
def paged_build(build, tmp_path_factory):
    """Japan's build with s0001 and s0002 imported."""
    folder = tmp_path_factory.mktemp("paging")
    target = folder / "build"
    shutil.copytree(build.release.parents[1], target, symlinks=True)
    napgraph("synth", "--countries", "2", "--out", str(folder / "synth.nq"))
    for code in ("s0001", "s0002"):
        napgraph("import", str(folder / "synth.nq"), "--country", code, "--build-dir",
                 str(target))
    return target


@pytest.fixture(scope="module")
def server(request, paged_build):
    live = launch(paged_build, {"QUERY_RUNNERS": 1, "PAGE_SIZE": 1}, paged_build.parent / "log")
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


def embedded_graph(server) -> rdflib.Graph:
    """The JSON-LD the home page embeds, parsed."""
    page = parse_html(get(server, "/").text)
    [text] = [text for attrs, text in page.scripts if attrs.get("type") == "application/ld+json"]
    return parse_rdf(text.encode("utf-8"), "application/ld+json")


def test_home_embeds_the_same_catalog_description_whatever_the_countries(server, site_server):
    """Japan alone and Japan with two countries imported: the home page embeds the same
    description of the catalog (its type and title, not one statement a country), while
    the catalog's RDF document, which the page links, lists every country's dataset."""
    catalog = rdflib.URIRef(BASE + "dataset")
    alone, three = embedded_graph(site_server), embedded_graph(server)
    assert (catalog, rdflib.RDF.type, DCAT.Catalog) in three
    assert isomorphic(alone, three)
    document = requests.get(server.root + "/dataset.nt", timeout=60)
    whole = parse_rdf(document.content, "application/n-triples")
    assert {str(d) for d in whole.objects(catalog, DCAT.dataset)} == {
        f"{BASE}dataset/{code}" for code in ("jp", "s0001", "s0002")}


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


@pytest.fixture(scope="module")
def asking_server(request, paged_build, tmp_path_factory):
    """The same build and settings with no kept answers (pages.sqlite removed): pages run
    their queries (each topic's facts asked, sorted and paged in Python)."""
    folder = tmp_path_factory.mktemp("asking")
    target = folder / "build"
    shutil.copytree(paged_build, target, symlinks=True)
    for index in target.glob("stores/*/pages.sqlite"):
        index.unlink()
    live = launch(target, {"QUERY_RUNNERS": 1, "PAGE_SIZE": 1}, folder / "log")
    request.addfinalizer(live.stop)
    return live


@pytest.mark.parametrize("path", ["/id/ungp/pillar/2", "/id/ungp/principle/17",
                                  "/id/topic/supply-chains"])
def test_concept_pages_read_from_the_kept_facts_are_the_asked_ones(server, asking_server,
                                                                   path):
    """Every page of a concept's consultations (PAGE_SIZE 1, three countries, two of them
    imported), read page by page from the kept facts, is the page made from every fact
    asked and sorted, to the byte; together they list each consultation once, then a 404."""
    seen = []
    number = 1
    while True:
        kept = get(server, f"{path}?page={number}")
        asked = get(asking_server, f"{path}?page={number}")
        assert kept.status_code == asked.status_code
        if kept.status_code == 404:
            break
        assert kept.status_code == 200
        assert kept.text == asked.text, number
        seen += [" ".join(kept.text.split('class="meeting-facts"')[1].split("</h3>")[0].split())]
        number += 1
    total = " ".join(kept.text.split())
    assert number > 5 and len(set(seen)) == len(seen) == number - 1
    first = " ".join(get(server, path).text.split())
    assert f"in {number - 1} consultations. Consultations 1–1 on this page." in first
    assert "Traceback" not in total


# --- the other long lists: PAGE_SIZE (1) attendees, mentions or consultations a page -------


def matrix_cells(page) -> list[dict]:
    return [attrs for attrs in page.find("td") if "cell" in attrs.get("class", "").split()]


@pytest.mark.parametrize("number, prev, next_", [
    (1, [], ["?page=2#attendance-heading"]),
    (2, ["?page=1#attendance-heading"], ["?page=3#attendance-heading"]),
    (33, ["?page=32#attendance-heading"], []),
])
def test_the_attendance_matrix_shows_its_attendees_in_pages(server, number, prev, next_):
    """Japan's 33 attendees, one a page; each row keeps its ten consultations' cells."""
    response = get(server, f"/id/country/jp?page={number}")
    assert response.status_code == 200
    page = parse_html(response.text)
    assert len(matrix_cells(page)) == 10
    assert f"Attendees {number}–{number} of 33 on this page." in " ".join(response.text.split())
    assert links(page, "prev") == prev
    assert links(page, "next") == next_


def test_each_group_row_counts_its_attendees_on_every_page(server):
    """A group's heading gives its size in the whole matrix, not on the page: the number of
    pages (one attendee each) that show the group."""
    shown: dict[str, list[str]] = {}
    for number in range(1, 34):
        text = get(server, f"/id/country/jp?page={number}").text
        for heading in re.findall(r'<th scope="rowgroup"[^>]*>(.*?)</th>', text):
            kind, size = re.fullmatch(r"(.*) <small>\((\d+)\)</small>", heading).groups()
            shown.setdefault(kind, []).append(size)
    assert len(shown) > 1
    for sizes in shown.values():
        assert sizes == [str(len(sizes))] * len(sizes)


@pytest.mark.parametrize("path, pages", [
    ("/id/intl/instrument/ungps", 2),
    ("/id/jp/org/government-of-japan", 3),
])
def test_mentions_come_in_pages(server, path, pages):
    """An instrument's or actor's mentions, one mentioning fact a page (with its quotes),
    each page linked to the next, none past the last."""
    facts = set()
    for number in range(1, pages + 1):
        response = get(server, f"{path}?page={number}")
        assert response.status_code == 200
        page = parse_html(response.text)
        listed = response.text.split('<ol class="mentions">')[1].split("</ol>")[0]
        heads = listed.split('<p class="fact-head">')[1:]
        assert len(heads) == 1 and '<blockquote class="mention"' in listed
        facts.add(heads[0].split("</p>")[0])
        assert links(page, "next") == ([f"?page={number + 1}#mentions-heading"]
                                       if number < pages else [])
    assert len(facts) == pages  # a different fact on each page
    assert get(server, f"{path}?page={pages + 1}").status_code == 404


@pytest.mark.parametrize("path", ["/id/country/jp", "/id/intl/instrument/ungps",
                                  "/id/jp/org/government-of-japan"])
@pytest.mark.parametrize("query, status", [("?page=999", 404), ("?page=0", 400),
                                           ("?page=x", 400)])
def test_a_list_page_that_is_not_there_is_refused(server, path, query, status):
    response = get(server, path + query)
    assert response.status_code == status
    assert "Traceback" not in response.text


@pytest.mark.parametrize("actor, own, other", [
    (None, "/id/jp/org/", "/id/s0001/"),
    (BASE + "id/s0001/org/org-1", "/id/s0001/org/", "/id/jp/"),
])
def test_a_canned_form_offers_the_actors_of_the_chosen_actors_country(server, actor, own,
                                                                       other):
    """The actor picker lists the chosen actor's country's actors (the default's: Japan's,
    with the international bodies and persons its record names), not every country's."""
    params = {"actor": actor} if actor else {}
    response = requests.get(server.root + "/queries/actor-meetings", params=params,
                            headers={"Accept": "text/html"}, timeout=60)
    assert response.status_code == 200
    options = [attrs["value"] for attrs in parse_html(response.text).find("option")]
    assert len([value for value in options if value.startswith(BASE + own[1:])]) > 5
    assert not any(other in value for value in options)
