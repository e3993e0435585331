"""A second country's whole life against real server processes: Exampleland (xx, written
by hand in tests/data/countries/xx.ttl with its own source text) is imported from a file
into a running server's build folder and served within seconds without a restart, shows on
the home catalogue, its own country page and /compare with counts that stay right beside
Japan's, is replaced, imported from a second napgraph's SPARQL endpoint (only its own
graphs, never the peer's copy of Japan), and removed again."""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests

from tests.html_tools import parse_html
from tests.server_fixtures import launch

COUNTRIES = Path(__file__).parent / "data" / "countries"
FIXTURE = COUNTRIES / "xx.ttl"
SOURCE_TEXT = COUNTRIES / "xx-source.txt"
XX = "https://w3id.org/napgraph/id/country/xx"
BASE = "https://w3id.org/napgraph/"
COUNT = ("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a "
         "<https://w3id.org/napgraph/ontology#Consultation> }")
PICK_UP = 30.0  # seconds: generous for a loaded machine; the watcher looks every 2 s


def napgraph(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "napgraph", *args], capture_output=True,
                          text=True, timeout=300)
    assert "Traceback" not in done.stderr
    return done


def consultations(server) -> int:
    response = requests.get(server.endpoint, params={"query": COUNT}, timeout=30,
                            headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def wait_for(server, expected: int) -> None:
    deadline = time.monotonic() + PICK_UP
    while consultations(server) != expected:
        assert time.monotonic() < deadline, f"not {expected} consultations:\n{server.log_tail()}"
        time.sleep(0.5)


def page(server, path: str):
    response = requests.get(server.root + path, headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, path
    return parse_html(response.text)


def row_heads(html) -> list[str]:
    return [" ".join(t.split()) for tag, attrs, t in html.texts
            if tag == "th" and attrs.get("scope") == "row"]


@pytest.fixture(scope="module")
def folder(build, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("lifecycle") / "build"
    shutil.copytree(build.release.parents[1], target, symlinks=True)
    return target


@pytest.fixture(scope="module")
def server(request, folder, tmp_path_factory):
    """`napgraph serve` on the folder, started before anything is imported into it."""
    log = tmp_path_factory.mktemp("log") / "log"
    return stopped_at_the_end(request, launch(folder, {"QUERY_RUNNERS": 1}, log))


def stopped_at_the_end(request, server):
    request.addfinalizer(server.stop)
    return server


@pytest.fixture(scope="module")
def imported(server, folder):
    """Exampleland imported from its file while the server runs, checked against its text."""
    assert consultations(server) == 10
    done = napgraph("import", str(FIXTURE), "--country", "XX", "--source-text",
                    str(SOURCE_TEXT), "--build-dir", str(folder))
    assert done.returncode == 0, done.stderr
    wait_for(server, 13)
    return server


def test_home_catalogue_lists_both_countries(imported):
    home = page(imported, "/")
    assert row_heads(home) == ["Exampleland (synthetic)", "Japan"]
    assert any(a["href"] == "/id/country/xx" for a in home.find("a"))


def test_country_page_shows_only_its_own(imported):
    xx = page(imported, "/id/country/xx")
    cards = [a["href"] for a in xx.find("a") if "timeline-card" in a.get("class", "")]
    assert cards == [f"/id/xx/consultation/2099-{n:02d}" for n in (1, 2, 3)]
    # Exampleland's eight organisations (no Japanese actor), then a row per meeting in the
    # attendance table under the charts and the country's row in the principle table.
    assert len(row_heads(xx)) == 8 + 3 + 1
    assert "Ministry of Foreign Affairs" not in xx.text_of("a")


def test_japan_page_is_unchanged(imported):
    jp = page(imported, "/id/country/jp")
    cards = [a["href"] for a in jp.find("a") if "timeline-card" in a.get("class", "")]
    assert cards == [f"/id/jp/consultation/2018-{n:02d}" for n in range(1, 11)]
    assert len(row_heads(jp)) == 33 + 10 + 1  # actors, meetings, the principle row
    cells = [a for a in jp.find("td") if "cell" in a.get("class", "").split()]
    assert len([c for c in cells if "absent" not in c["class"]]) == 212


def test_catalogue_and_void_list_every_country(imported):
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    for path in ("/.well-known/void", "/dataset.ttl"):
        response = requests.get(imported.root + path, headers={"Accept": "text/turtle"},
                                timeout=30)
        graph = rdflib.Graph().parse(data=response.text, format="turtle")
        datasets = set(graph.objects(rdflib.URIRef(BASE + "dataset"), dcat.dataset))
        assert {rdflib.URIRef(BASE + "dataset/jp"), rdflib.URIRef(BASE + "dataset/xx")} <= datasets
    xx = rdflib.URIRef(BASE + "dataset/xx")
    graph = rdflib.Graph().parse(data=requests.get(imported.root + "/.well-known/void",
                                                   timeout=30).text, format="turtle")
    assert (xx, void.dataDump, rdflib.URIRef(BASE + "download/xx.nq")) in graph
    assert int(graph.value(xx, void.triples)) == len(
        set(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)))


def test_downloads_offer_every_country(imported):
    listing = page(imported, "/download/")
    assert {"/download/napgraph.nq", "/download/xx.nq"} <= {a["href"] for a in listing.find("a")}
    dump = requests.get(imported.root + "/download/xx.nq", timeout=30)
    assert dump.status_code == 200
    assert len(set(ox.parse(dump.content, format=ox.RdfFormat.N_QUADS))) == len(
        set(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)))


@pytest.mark.parametrize(("path", "says", "never"), [
    ("/id/country/xx", "Record of Exampleland's NAP consultations (synthetic)", "Government of Japan"),
    ("/id/xx/org/university", "a licence its dataset does not state", "Government of Japan"),
    ("/id/country/jp", "published by Government of Japan", "Exampleland"),
    ("/", "each under its own licence", "Government of Japan"),
])
def test_attribution_comes_from_the_dataset_of_the_facts(imported, path, says, never):
    footer = requests.get(imported.root + path, headers={"Accept": "text/html"},
                          timeout=30).text.split('<footer class="site-footer">')[1]
    text = " ".join(html.unescape(footer).split())
    assert says in text
    assert never not in text


def test_compare_has_one_row_per_country(imported):
    compare = page(imported, "/compare")
    heads = row_heads(compare)
    assert heads.count("Japan") >= 1 and heads.count("Exampleland (synthetic)") >= 1
    assert not any("Kenya" in h for h in heads)


def test_peer_import_takes_only_the_country(imported, build, tmp_path):
    """A second napgraph (a fresh copy of Japan's build) imports Exampleland from the
    running server's endpoint: it gets Exampleland's graphs and nothing of the peer's
    Japan, so its consultations are 10 + 3, not 10 + 13."""
    other = tmp_path / "other"
    shutil.copytree(build.release.parents[1], other, symlinks=True)
    done = napgraph("import", imported.endpoint, "--country", "xx", "--build-dir", str(other),
                    "--max-validate", "0")
    assert done.returncode == 0, done.stderr
    quads = list(ox.parse(path=str(other / "countries/xx/current/graph.nq"),
                          format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} <= {
        "https://w3id.org/napgraph/graph/xx", "https://w3id.org/napgraph/graph/xx/provenance"}
    assert not [q for q in quads if "/id/jp/" in q.subject.value]
    assert len({q.triple for q in quads}) == len(
        set(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)))


def test_wrong_country_from_the_peer_is_refused(imported, build, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(build.release.parents[1], other, symlinks=True)
    done = napgraph("import", imported.endpoint, "--country", "gb", "--build-dir", str(other))
    assert done.returncode == 1
    assert not (other / "countries").exists()


def test_replace_then_remove_are_picked_up(imported, folder, tmp_path):
    """A revised Exampleland (its country renamed) replaces the import; the running server
    serves the revision, then drops the country when it is removed."""
    revised = tmp_path / "xx-revised.ttl"
    revised.write_text(FIXTURE.read_text(encoding="utf-8").replace(
        '"Exampleland (synthetic)"@en', '"Exampleland (synthetic, revised)"@en'), encoding="utf-8")
    done = napgraph("import", str(revised), "--country", "xx", "--build-dir", str(folder))
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + PICK_UP
    while "Exampleland (synthetic, revised)" not in row_heads(page(imported, "/")):
        assert time.monotonic() < deadline, imported.log_tail()
        time.sleep(0.5)
    assert row_heads(page(imported, "/")) == ["Exampleland (synthetic, revised)", "Japan"]
    assert consultations(imported) == 13
    done = napgraph("remove", "xx", "--build-dir", str(folder))
    assert done.returncode == 0, done.stderr
    wait_for(imported, 10)
    assert row_heads(page(imported, "/")) == ["Japan"]
    assert requests.get(imported.root + "/id/country/xx", headers={"Accept": "text/html"},
                        timeout=30).status_code == 404


OWN_BASE = "https://nap.example.org/exampleland/"


@pytest.fixture(scope="module")
def own_base(request, build, tmp_path_factory):
    """Exampleland published under its own base IRI (its dataset's void:uriSpace says so),
    imported and served."""
    folder = tmp_path_factory.mktemp("own-base")
    source = folder / "xx-own-base.ttl"
    source.write_text(FIXTURE.read_text(encoding="utf-8").replace(
        "https://w3id.org/napgraph/id/xx/", OWN_BASE), encoding="utf-8")
    target = folder / "build"
    shutil.copytree(build.release.parents[1], target, symlinks=True)
    done = napgraph("import", str(source), "--country", "xx", "--build-dir", str(target))
    assert done.returncode == 0, done.stderr
    return stopped_at_the_end(request, launch(target, {"QUERY_RUNNERS": 1}, folder / "log"))


def test_a_country_under_its_own_base_gets_pages_here(own_base):
    xx = page(own_base, "/id/country/xx")
    cards = [a["href"] for a in xx.find("a") if "timeline-card" in a.get("class", "")]
    assert cards == [f"/space/xx/consultation/2099-{n:02d}" for n in (1, 2, 3)]
    first = page(own_base, cards[0])
    assert "1st consultation (synthetic)" in first.text_of("h1")
    turtle = requests.get(own_base.root + cards[0], headers={"Accept": "text/turtle"},
                          timeout=30)
    assert f"<{OWN_BASE}consultation/2099-01>" in turtle.text or "2099-03-03" in turtle.text
    assert requests.get(own_base.root + "/space/xx/no-such-thing",
                        headers={"Accept": "text/html"}, timeout=30).status_code == 404
