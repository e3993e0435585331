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
