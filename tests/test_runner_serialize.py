"""SELECT results cut at MAX_RESULT_ROWS by the runner (server/backends/runner.py
`serialize`): pyoxigraph's TSV writer is stopped after the last row kept, and the rows go to
the wanted format without becoming Python objects. The answer must be what pyoxigraph writes
for the same query with `LIMIT n`, in every results format, whatever the rows hold (newlines,
tabs, quotes, languages, datatypes, blank nodes, unbound values, triple terms) and wherever
the writer's 8 KiB chunks end.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from napgraph.server.backends import runner
from napgraph.server.backends.runner import serialize

EX = "http://example.org/"
ROWS = 3000  # about 150 KiB of TSV: the writer's chunks end in the middle of rows
LITERALS = ['plain', 'two\nlines', 'tab\there', 'quote " and \\ backslash', 'café ☃ 外務省',
            '', ' spaces ', 'carriage\rreturn']


def _store() -> ox.Store:
    store = ox.Store()
    for i in range(ROWS):
        subject = ox.NamedNode(f"{EX}s{i:05d}")
        text = LITERALS[i % len(LITERALS)] + "x" * (i % 37)
        value: ox.Literal | ox.NamedNode | ox.BlankNode
        if i % 5 == 0:
            value = ox.Literal(text, language="en")
        elif i % 5 == 1:
            value = ox.Literal(str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        elif i % 5 == 2:
            value = ox.BlankNode(f"b{i}")
        elif i % 5 == 3:
            value = ox.NamedNode(f"{EX}o/{i}?a=b#c")
        else:
            value = ox.Literal(text)
        store.add(ox.Quad(subject, ox.NamedNode(f"{EX}p"), value))
        if i % 3 == 0:
            store.add(ox.Quad(subject, ox.NamedNode(f"{EX}q"), ox.Literal(text)))
    return store


STORE = _store()
QUERIES = {
    "two-columns": f"SELECT ?s ?o {{ ?s <{EX}p> ?o }} ORDER BY ?s",
    "unbound-values": f"SELECT ?s ?o ?q {{ ?s <{EX}p> ?o OPTIONAL {{ ?s <{EX}q> ?q }} }} ORDER BY ?s",
    "no-variables": f"SELECT * {{ ?s <{EX}p> ?o FILTER(false) }}",
    "one-empty-row": "SELECT ?x {}",
    "empty-rows": f"SELECT ?x {{ ?s <{EX}p> ?o }} ORDER BY ?s",
    "triple-terms": f"SELECT ?t {{ ?s <{EX}q> ?o BIND(<<( ?s <{EX}q> ?o )>> AS ?t) }} ORDER BY ?s",
}
FORMATS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values"]
LIMITS = [1, 7, 999, ROWS, ROWS + 1]


def expected(query: str, media_type: str, limit: int) -> tuple[bytes, bool]:
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    matched = len(list(STORE.query(query)))
    return (STORE.query(f"SELECT * {{ {{ {query} }} }} LIMIT {limit}" if "ORDER" not in query
                        else f"{query} LIMIT {limit}").serialize(format=results_format),
            matched > limit)


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("media_type", FORMATS)
@pytest.mark.parametrize("query", QUERIES.values(), ids=QUERIES.keys())
def test_a_cut_select_result_is_the_engines_own_answer_with_limit(query, media_type, limit):
    got = serialize(STORE.query(query), media_type, limit)
    assert got == expected(query, media_type, limit)


@pytest.mark.parametrize("media_type", FORMATS)
def test_without_a_row_limit_the_whole_result_is_written(media_type):
    query = QUERIES["unbound-values"]
    whole = STORE.query(query).serialize(format=ox.QueryResultsFormat.from_media_type(media_type))
    assert serialize(STORE.query(query), media_type, 0) == (whole, False)


WRITES = {
    "rows-in-one-write": ([b"h\na\nb\nc\n"], 2, b"h\na\n", True),
    "exactly-the-limit": ([b"h\na\n"], 2, b"h\na\n", False),
    "limit-then-part-of-a-row": ([b"h\na\nb"], 2, b"h\na\n", True),
    "limit-then-a-later-write": ([b"h\n", b"a\n", b"b\n"], 2, b"h\na\n", True),
    "a-row-across-writes": ([b"h\nx", b"y\nz"], 2, b"h\nxy\n", True),
    "empty-writes": ([b"", b"h\n", b"", b"a\n", b""], 2, b"h\na\n", False),
    "empty-rows": ([b"\n\n\n"], 2, b"\n\n", True),
}


@pytest.mark.parametrize(("writes", "limit", "kept", "cut"), WRITES.values(), ids=WRITES.keys())
def test_the_line_keeper_stops_at_the_first_byte_past_its_limit(writes, limit, kept, cut):
    lines = runner._Lines(limit)
    stopped = False
    for data in writes:
        try:
            assert lines.write(data) == len(data)
        except runner._Enough:
            stopped = True
            break
    assert (lines.text(), stopped) == (kept, cut)
