"""Cross-country canned queries (queries/country-*.rq) on one store holding Japan and the
synthetic country xx, checked against answers written by hand
(tests/data/cross-country-expected.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from napgraph.graph import canned
from napgraph.graph.loaded import loaded_graph_files
from tests.test_canned_queries import answer, check_case

EXPECTED = json.loads((Path(__file__).parent / "data" / "cross-country-expected.json")
                      .read_text(encoding="utf-8"))
CASES = [
    pytest.param(slug, case, id=f"{slug}-{number}")
    for slug, cases in EXPECTED["queries"].items()
    for number, case in enumerate(cases, 1)
]


@pytest.fixture(scope="module")
def two_countries(jp_xx_build) -> ox.Store:
    store = ox.Store()
    for path in loaded_graph_files(jp_xx_build):
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return store


def test_every_cross_country_query_has_cases():
    slugs = {slug for slug in canned.load_queries() if slug.startswith("country-")}
    assert slugs and set(EXPECTED["queries"]) == slugs


@pytest.mark.parametrize(("slug", "case"), CASES)
def test_answer(two_countries, slug, case):
    names, rows = answer(two_countries, canned.load_queries()[slug], case["params"])
    check_case(names, rows, case)


@pytest.mark.parametrize("slug", sorted(EXPECTED["queries"]))
def test_every_country_answers(two_countries, slug):
    names, rows = answer(two_countries, canned.load_queries()[slug], {})
    assert {row["country"] for row in rows} == {
        "https://w3id.org/napgraph/id/country/jp", "https://w3id.org/napgraph/id/country/xx"}


def required_only(tmp_path) -> Path:
    """xx.ttl as a graph with only the profile's required properties for the views: the
    country named by rdfs:label alone, and no recommended dcterms:hasPart on the process."""
    text = (Path(__file__).parent / "data" / "countries" / "xx.ttl").read_text(encoding="utf-8")
    text = text.replace(' skos:prefLabel "Exampleland (synthetic)"@en ;', "")
    lines = [line for line in text.splitlines()
             if "dcterms:hasPart <consultation/2099-01>" not in line]
    path = tmp_path / "xx-required-only.ttl"
    path.write_text("\n".join(lines).replace(
        'dcterms:spatial <https://w3id.org/napgraph/id/country/xx> ;\n\n',
        'dcterms:spatial <https://w3id.org/napgraph/id/country/xx> .\n\n'), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def with_required_only(build, tmp_path_factory) -> ox.Store:
    folder = tmp_path_factory.mktemp("required")
    source = required_only(folder)
    quads = list(ox.parse(path=str(source), format=ox.RdfFormat.TURTLE))
    assert not any(q.predicate.value.endswith("/hasPart") for q in quads)
    store = ox.Store()
    store.bulk_load(path=str(build.release / "napgraph.nq"), format=ox.RdfFormat.N_QUADS)
    graph = ox.NamedNode("https://w3id.org/napgraph/graph/xx")
    store.extend([ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads])
    return store


@pytest.mark.parametrize("slug", sorted(EXPECTED["queries"]))
def test_a_country_with_required_data_only_answers(with_required_only, two_countries, slug):
    query = canned.load_queries()[slug]
    names, rows = answer(with_required_only, query, {})
    xx = "https://w3id.org/napgraph/id/country/xx"
    assert {row["countryLabel"] for row in rows if row["country"] == xx} == {
        "Exampleland (synthetic)"}
    full = answer(two_countries, query, {})[1]
    assert [r for r in rows if r["country"] == xx] == [r for r in full if r["country"] == xx]
