"""Canned queries (queries/*.rq): their headers, parsing and parameter binding, and each
query's answer on the real build checked against facts written by hand from the source
record (tests/data/canned-expected.json)."""

import json
import re
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox
import pytest

from napgraph.graph import canned
from napgraph.graph.canned import CannedQueryError, Param, ParameterError
from napgraph.graph.paths import data_dir, queries_dir

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "canned-expected.json").read_text(encoding="utf-8"))
PREFIXES: dict[str, str] = EXPECTED["prefixes"]
QUERY_FILES = sorted(queries_dir().glob("*.rq"), key=lambda path: path.stem)
# Queries that call another endpoint (SERVICE) need a second server: their answers are
# checked in test_federation.py, with two live servers.
LOCAL_FILES = [path for path in QUERY_FILES if "SERVICE" not in path.read_text(encoding="utf-8")]
INVALID_DIR = DATA / "queries-invalid"
INVALID = {name: case for name, case in EXPECTED["invalid"].items() if not name.startswith("_")}
ASSERTIONS = {"count", "exactly", "ordered", "includes", "excludes", "source_slices", "not_null"}
XSD = "http://www.w3.org/2001/XMLSchema#"

CASES = [
    pytest.param(slug, case, id=f"{slug}-{number}")
    for slug, cases in EXPECTED["queries"].items()
    for number, case in enumerate(cases, 1)
]
BAD_PARAMETERS = [
    pytest.param(slug, values, message, id=f"{slug}-{'-'.join(values)}-{number}")
    for number, (slug, values, message) in enumerate(EXPECTED["bad_parameters"]["cases"], 1)
]
# The source as the converter reads it: offsets count code points of the UTF-8 text.
SOURCE = (data_dir() / "source" / "jp-nap-2018-consultations.txt").read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def queries() -> dict[str, canned.CannedQuery]:
    return canned.load_queries()


def expand(value):
    """An expected value: `prefix:rest` with a known prefix is an IRI; null is unbound."""
    if isinstance(value, str) and ":" in value:
        prefix, rest = value.split(":", 1)
        if prefix in PREFIXES:
            return PREFIXES[prefix] + rest
    return value


def answer(store, query, params: Mapping[str, str]) -> tuple[list[str], list[dict]]:
    solutions = canned.run(store, query, params)
    names = [variable.value for variable in solutions.variables]
    rows = [{n: (row[n].value if row[n] is not None else None) for n in names} for row in solutions]
    return names, rows


# --- the files -------------------------------------------------------------------------


def test_there_are_at_least_eighteen_queries():
    assert len(QUERY_FILES) >= 18


def test_load_queries_reads_every_file(queries):
    assert sorted(queries) == [path.stem for path in QUERY_FILES]


def test_every_query_has_hand_written_answers():
    assert sorted(EXPECTED["queries"]) == [path.stem for path in QUERY_FILES]


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_header(path):
    query = canned.load_query(path)
    assert query.slug == path.stem
    assert query.title.endswith("?"), "a title is the researcher's question"
    assert query.description and query.tags
    assert query.kind == "SELECT"
    assert all(param.help for param in query.params)
    assert re.search(r"^ORDER BY ", query.text, re.MULTILINE), "results must come in a stable order"


@pytest.mark.parametrize("path", LOCAL_FILES, ids=[p.stem for p in LOCAL_FILES])
def test_runs_with_its_defaults_and_always_answers_alike(store, queries, path):
    query = queries[path.stem]
    first = answer(store, query, {})
    assert first[1], "the default parameters should give an answer"
    assert answer(store, query, {}) == first


# --- each query's answer, against the source -------------------------------------------


@pytest.mark.parametrize(("slug", "case"), CASES)
def test_answer(store, queries, slug, case):
    names, rows = answer(store, queries[slug], case["params"])
    check_case(names, rows, case)


def check_case(names: list[str], rows: list[dict], case: dict) -> None:
    """Assert what a case of an expected-answers file says about a query's answer."""
    assert set(case) & ASSERTIONS, "a case must assert something"
    for column, value in case.get("where", {}).items():
        assert column in names
        rows = [row for row in rows if row[column] == expand(value)]
    columns = case.get("columns", names)
    assert set(columns) <= set(names)
    found = [tuple(row[c] for c in columns) for row in rows]
    if case.get("distinct"):
        found = list(dict.fromkeys(found))
    expect = {
        key: [tuple(expand(v) for v in row) for row in case[key]]
        for key in ("exactly", "ordered", "includes", "excludes")
        if key in case
    }
    if "count" in case:
        assert len(found) == case["count"]
    if "ordered" in expect:
        assert found == expect["ordered"]
    if "exactly" in expect:
        assert sorted(found, key=repr) == sorted(expect["exactly"], key=repr)
    if "includes" in expect:
        assert [row for row in expect["includes"] if row not in found] == []
    if "excludes" in expect:
        assert [row for row in expect["excludes"] if row in found] == []
    if case.get("source_slices"):
        assert rows
        assert [r for r in rows if SOURCE[int(r["start"]) : int(r["end"])] != r["quote"]] == []
    for column in case.get("not_null", []):
        assert rows
        assert [row for row in rows if not row[column]] == []


# --- broken files are refused with the file and the line -------------------------------


def test_every_invalid_file_has_an_expectation():
    assert sorted(INVALID) == sorted(path.name for path in INVALID_DIR.glob("*.rq"))


@pytest.mark.parametrize(("name", "line", "reason"), [(n, *c) for n, c in INVALID.items()])
def test_invalid_file_is_refused(name, line, reason):
    path = INVALID_DIR / name
    with pytest.raises(CannedQueryError) as caught:
        canned.load_query(path)
    error = caught.value
    assert Path(error.path).name == name
    assert error.line == line
    assert reason in error.reason
    assert str(error).startswith(f"{path}:{line}: " if line else f"{path}: ")


def test_load_queries_stops_at_a_broken_file():
    with pytest.raises(CannedQueryError):
        canned.load_queries(INVALID_DIR)


# --- parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "values", "message"), BAD_PARAMETERS)
def test_bad_parameter_is_refused(queries, slug, values, message):
    with pytest.raises(ParameterError) as caught:
        canned.bind(queries[slug], values)
    assert caught.value.name in values
    assert message in str(caught.value)


@pytest.mark.parametrize("value", [None, ""], ids=["absent", "empty"])
def test_missing_value_takes_the_default(queries, value):
    query = queries["actor-meetings"]
    values = {} if value is None else {"actor": value}
    assert canned.bind(query, values) == {
        ox.Variable("actor"): ox.NamedNode("https://w3id.org/napgraph/id/jp/org/mofa")
    }


@pytest.mark.parametrize(
    ("type_", "value", "term"),
    [
        ("iri", "urn:example:x", ox.NamedNode("urn:example:x")),
        ("string", 'a "quoted" } value', ox.Literal('a "quoted" } value')),
        ("integer", " 08 ", ox.Literal("8", datatype=ox.NamedNode(XSD + "integer"))),
        ("integer", "-3", ox.Literal("-3", datatype=ox.NamedNode(XSD + "integer"))),
        ("date", "2018-05-11", ox.Literal("2018-05-11", datatype=ox.NamedNode(XSD + "date"))),
    ],
)
def test_values_become_terms_of_their_type(type_, value, term):
    assert Param("x", type_, value, "help").term(value) == term


def test_values_are_substituted_never_spliced(store, queries):
    """An injection attempt is one literal in the substitutions; the query text is unchanged."""
    query = queries["search-discussion-points"]
    text = query.text
    attack = '" } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #'
    assert canned.bind(query, {"text": attack}) == {ox.Variable("text"): ox.Literal(attack)}
    assert answer(store, query, {"text": attack})[1] == []
    assert query.text == text
    assert len(store) > 0


# --- query forms -----------------------------------------------------------------------

HEADER = "# title: A question?\n# description: A test query.\n"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", "SELECT"),
        (
            "BASE <http://example.org/>\nPREFIX ex: <http://example.org/#>\nask { ?s ex:p ?o }",
            "ASK",
        ),
        (
            "PREFIX ex: <http://example.org/#> # a comment\n"
            "# SELECT in a comment does not count\n"
            "CONSTRUCT { ?s ex:p ?o } WHERE { ?s ex:p ?o }",
            "CONSTRUCT",
        ),
        ("DESCRIBE <http://example.org/#x>", "DESCRIBE"),
    ],
    ids=["select", "ask", "construct", "describe"],
)
def test_query_form(tmp_path, body, kind):
    path = tmp_path / "a-query.rq"
    path.write_text(HEADER + body, encoding="utf-8")
    assert canned.load_query(path).kind == kind


@pytest.mark.parametrize(
    ("actor", "attended"),
    [("https://w3id.org/napgraph/id/jp/org/mofa", True), ("https://example.org/nobody", False)],
    ids=["mofa", "nobody"],
)
def test_ask_query_with_a_parameter(tmp_path, store, actor, attended):
    path = tmp_path / "attended-any.rq"
    path.write_text(
        HEADER + "# param: actor iri https://w3id.org/napgraph/id/jp/org/mofa  The actor\n"
        "PREFIX prov: <http://www.w3.org/ns/prov#>\nASK { ?participation prov:agent ?actor }\n",
        encoding="utf-8",
    )
    result = canned.run(store, canned.load_query(path), {"actor": actor})
    assert isinstance(result, ox.QueryBoolean)
    assert bool(result) is attended
