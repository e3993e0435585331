"""Counting that cannot double: every canned query (queries/*.rq) and every page query
(server/pages/queries/*.rq) answers the same over Japan's build alone and over Japan's build
with every fact stated a second time in another named graph. The union default graph keeps
a triple once per graph that states it, so a query that is not duplicate-safe multiplies
rows and counts (`international-instruments` went from 23 to 1376 rows)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from napgraph.graph import canned
from napgraph.server.pages.site_data import PAGE_QUERIES
from tests.test_canned_queries import LOCAL_FILES

BINDINGS = json.loads(
    (Path(__file__).parent / "data" / "page-query-bindings.json").read_text(encoding="utf-8")
)
ID = "https://w3id.org/napgraph/id/"
COPY = ox.NamedNode("https://example.org/another-graph-stating-the-same-facts")
PAGE_CASES = [
    pytest.param(name, bindings, id=f"{name}-{number}")
    for name, cases in sorted(BINDINGS.items())
    if not name.startswith("_")
    for number, bindings in enumerate(cases, 1)
]


@pytest.fixture(scope="module")
def alone(store) -> ox.Store:
    """Japan's build alone (the session's store)."""
    return store


@pytest.fixture(scope="module")
def doubled(alone) -> ox.Store:
    """Japan's build with every named graph's triples stated again in one more graph."""
    twice = ox.Store()
    twice.extend(alone)
    twice.extend([ox.Quad(q.subject, q.predicate, q.object, COPY) for q in alone
                  if isinstance(q.graph_name, ox.NamedNode)])
    return twice


def answers(store: ox.Store, query: canned.CannedQuery, bindings: dict[str, str]) -> Counter:
    """The answer as a multiset of rows (or triples); a list of values that GROUP_CONCAT
    joined in no particular order is compared as a set."""
    solutions = canned.run(store, query, bindings)
    if isinstance(solutions, bool):
        return Counter([solutions])
    if not hasattr(solutions, "variables"):
        return Counter(str(triple) for triple in solutions)
    names = [variable.value for variable in solutions.variables]
    return Counter(tuple(_value(row[name]) for name in names) for row in solutions)


def _value(term) -> object:
    if isinstance(term, ox.Literal) and ", " in term.value:
        return frozenset(term.value.split(", "))
    return None if term is None else str(term)


def _expand(bindings: dict[str, str]) -> dict[str, str]:
    return {k: ID + v[3:] if v.startswith("id:") else v for k, v in bindings.items()}


def test_every_page_query_has_bindings():
    names = {path.stem for path in PAGE_QUERIES.glob("*.rq")}
    missing = names - set(BINDINGS) - {"describe", "describe-embedded", "ontology-graph", "void"}  # CONSTRUCTs
    assert not missing


@pytest.mark.parametrize("path", LOCAL_FILES, ids=[p.stem for p in LOCAL_FILES])
def test_canned_query_counts_each_fact_once(alone, doubled, path):
    query = canned.load_query(path)
    expected = answers(alone, query, {})
    assert sum(expected.values()) > 0
    assert answers(doubled, query, {}) == expected


@pytest.mark.parametrize(("name", "bindings"), PAGE_CASES)
def test_page_query_counts_each_fact_once(alone, doubled, name, bindings):
    query = canned.load_query(PAGE_QUERIES / f"{name}.rq")
    expected = answers(alone, query, _expand(bindings))
    assert sum(expected.values()) > 0
    assert answers(doubled, query, _expand(bindings)) == expected
