"""The guard's shortcut for plainly safe queries (query_guard.plainly_safe) changes nothing.

For every query we have (the guard's own cases, the hostile suite's invalid queries, the
canned and page queries, the bench workload, and cases at the shortcut's edges), at three
nesting limits: `inspect_query` gives exactly what the full check gives, the same facts or
the same refusal with the same message.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.workload import workload
from napgraph.server.backends.query_guard import (
    QueryTooDeep,
    ServiceRefused,
    inspect_query,
    inspect_query_fully,
    plainly_safe,
)
from napgraph.server.backends.runner import Engine
from tests.test_sparql_guard import ALLOWED, ALLOWED_CASES, REFUSED_CASES

REPO = Path(__file__).parent.parent
EVIL = "http://evil.example/sparql"

# Texts at the edges of the shortcut: each could fool a check that reads too little.
EDGES = {
    "service-lower-in-iri": "SELECT * { <http://x/service> ?p ?o }",
    "service-in-comment": f"SELECT * {{}} # service <{EVIL}>",
    "service-long-s": f"SELECT * {{ \u017fERVICE <{EVIL}> {{}} }}",  # not a WORD token
    "service-glued": f"SELECT*{{?s ?p ?o.SERVICE<{EVIL}>{{}}}}",
    "escape-in-string": 'SELECT * { ?s ?p "\\u0041" }',
    "escape-upper": 'SELECT * { ?s ?p "\\U00000041" }',
    "from-in-string": "SELECT * { ?s ?p 'from' }",
    "from-in-iri": "SELECT * { <http://x/FROM> ?p ?o }",
    "from-keyword": "SELECT * FROM <http://g/> { ?s ?p ?o }",
    "from-lower-after-prologue": "PREFIX a: <http://a/> select * from <http://g/> {}",
    "from-in-prologue-iri": "PREFIX from: <http://from/> SELECT * { from:x ?p ?o }",
    "prefix-unfinished": "PREFIX a: SELECT * {}",
    "prefix-without-colon": "PREFIX a <http://a/> SELECT * {}",
    "base-without-iri": "BASE SELECT * {}",
    "prologue-only": "PREFIX a: <http://a/> BASE <http://b/>",
    "many-prefixes": "".join(f"PREFIX p{i}: <http://p/{i}> " for i in range(300)) + "ASK {}",
    "comment-before-form": "# ASK\n  describe <http://x/>",
    "nest-at-limit": "ASK " + "{" * 3 + "}" * 3,
    "nest-over-limit": "ASK " + "{" * 4 + "}" * 4,
    "unary-run": "ASK { FILTER(!!!!true) }",
    "caret-path": "SELECT * { ?s ^^<http://p/> ?o }",
    "minus-numbers": "SELECT (- - -1 AS ?x) {}",
    "empty": "",
    "blank": "   \n",
}


def queries() -> dict[str, str]:
    """Every query text to compare, by id."""
    found = {f"guard-allowed-{c[0]}": c[1] for c in ALLOWED_CASES}
    found |= {f"guard-refused-{c[0]}": c[1] for c in REFUSED_CASES}
    invalid = tomllib.loads((REPO / "tests/data/hostile/invalid-queries.toml").read_text())
    for table in invalid.values():
        found |= {f"invalid-{name}": text for name, text in table.items()}
    for path in sorted((REPO / "queries").glob("*.rq")) + sorted(
            (REPO / "server/pages/queries").glob("*.rq")):
        found[f"rq-{path.parent.name}-{path.stem}"] = path.read_text(encoding="utf-8")
    found |= {f"workload-{q.name}": q.text for q in workload()}
    found |= {f"edge-{name}": text for name, text in EDGES.items()}
    return found


QUERIES = queries()


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(ox.Store(), [ALLOWED])


def outcome(inspect, engine: Engine, text: str, max_nesting: int):
    """What an inspection gives: its facts, or the refusal's type and message."""
    try:
        return inspect(text, engine.allowlist, engine.resolve, {}, max_nesting)
    except (ServiceRefused, QueryTooDeep) as refusal:
        return type(refusal).__name__, str(refusal)


@pytest.mark.parametrize("max_nesting", [0, 3, 1000])
@pytest.mark.parametrize("text", QUERIES.values(), ids=QUERIES.keys())
def test_the_shortcut_answers_as_the_full_check(engine, text, max_nesting):
    assert (outcome(inspect_query, engine, text, max_nesting)
            == outcome(inspect_query_fully, engine, text, max_nesting))


# The shortcut must actually be taken where it can, and never where a check has work to do.
SHORTCUT = {  # id: (text, MAX_QUERY_NESTING, taken)
    "plain-ask": ("ASK { <http://x/> a ?t }", 1000, True),
    "prologue-and-from": ("PREFIX a: <http://a/> SELECT * FROM <http://g/> { ?s ?p ?o }",
                          1000, True),
    "service": (f"SELECT * {{ SERVICE <{EVIL}> {{}} }}", 0, False),
    "service-mixed-case": (f"SELECT * {{ sErViCe <{EVIL}> {{}} }}", 0, False),
    "service-in-string": ("SELECT * { ?s ?p 'service' }", 0, False),
    "escape": ("SELECT * { ?s ?p '\\u0053' }", 0, False),
    "over-limit": ("ASK {{{{}}}}", 3, False),
    "at-limit": ("ASK {{{}}}", 3, True),
    "operators-over-limit": ("ASK { FILTER(!!!true) }", 3, False),
    "no-limit": ("ASK {{{{}}}}", 0, True),
}


@pytest.mark.parametrize(("text", "max_nesting", "safe"), SHORTCUT.values(), ids=SHORTCUT.keys())
def test_plainly_safe(text, max_nesting, safe):
    assert plainly_safe(text, max_nesting) is safe
