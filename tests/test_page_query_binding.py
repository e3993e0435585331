"""Every page query starts from its page's resource: no pattern floats free over the union.

The check is static (option (a) of issue 14): each page query (server/pages/queries/*.rq,
one case per query of tests/data/page-query-bindings.json) is parsed into rdflib's SPARQL
algebra and every triple pattern must be joined to a bound parameter (the page's resource,
substituted by the embedded store and joined as VALUES by a remote one) or to a constant
subject IRI, directly or through variables shared with patterns already joined.

A timing test could not run here (speed is measured in bench/, bench/page_queries.py), and
pyoxigraph 0.5 reports no count of touched quads, so the rule follows how the engine
evaluates a query instead. Which variables reach a group from outside:

- a basic graph pattern is joined pattern by pattern, so its patterns share variables;
- a group beside another group (`{ … } { … }`, a group after an OPTIONAL) is evaluated on
  its own and joined by hash: it sees only the parameters;
- an OPTIONAL is evaluated once per row of its left side when its right side is simple
  (triple patterns, FILTER, BIND, nested OPTIONALs, UNIONs of those): it then sees the left
  side's variables; a right side that joins groups is evaluated on its own;
- UNION branches, FILTER EXISTS and GRAPH see what their place sees; a subquery sees only
  the parameters it projects.

What the rule does not see: the engine plans each group before the parameters are
substituted, so it may start a group from a pattern with constants (`?a oa:motivatedBy
oa:identifying`, `?c a nap:Consultation`) or, inside an OPTIONAL, from a pattern that does not
touch the left side. The page queries avoid both (constants compared in FILTERs, one pattern
per nested OPTIONAL where it mattered); bench/page_queries.py shows what is left, at scale.

So `?contribution nap:hasItem ?node` in a union inside an OPTIONAL (mentions.rq until issue
14: 9.4 s for one row at 10^6 quads) and a group after an OPTIONAL (process-attendance.rq:
7 s at 10^5) fail, while the same patterns joined in one group pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import URIRef, Variable
from rdflib.namespace import RDF, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue, Expr

from napgraph.graph import canned
from napgraph.server.pages.site_data import PAGE_QUERIES

BINDINGS = json.loads(
    (Path(__file__).parent / "data" / "page-query-bindings.json").read_text(encoding="utf-8"))
QUERIES = canned.load_queries(PAGE_QUERIES)
# Queries that serve a page listing every instance of a class (the ontology page lists
# every concept scheme): they may start from that class.
PAGE_CLASSES = {"schemes": SKOS.ConceptScheme}
# Known exceptions, asserted unbound so the list cannot go stale. search: not a resource's
# page; a text search reads every label (no full-text index), bounded by LIMIT and the query
# time limit; the embedded store's pages read a full-text index instead (page_index.py),
# the query stays for a remote store.
UNBOUND_BY_DESIGN = {"search"}
SIMPLE = {"BGP", "Filter", "Extend", "LeftJoin", "Union", "values", "ToMultiSet"}


def free_patterns(text: str, params: set[str], start_class: URIRef | None = None) -> list:
    """The triple patterns of `text` not joined to a parameter (see the module's rule)."""
    algebra = prepareQuery(text).algebra
    anchors = {Variable(name) for name in params}
    loose: list = []
    _walk(algebra, anchors, loose, start_class)
    return loose


def _walk(node, outside: set, loose: list, start_class, graph: frozenset | set = frozenset()
          ) -> set:
    """Check `node` given the variables bound `outside` it; return the variables it binds."""
    if not isinstance(node, CompValue):
        return set()
    name = node.name
    if name == "BGP":
        return _bgp(node["triples"], outside, loose, start_class, graph)
    if name == "Join":
        # Side by side: each side on its own, then joined by hash.
        return _walk(node["p1"], outside, loose, start_class, graph) | _walk(
            node["p2"], outside, loose, start_class, graph)
    if name == "LeftJoin":
        left = _walk(node["p1"], outside, loose, start_class, graph)
        inner = outside | left if _simple(node["p2"]) else outside
        right = _walk(node["p2"], inner, loose, start_class, graph)
        _expressions(node.get("expr"), outside | left | right, loose, start_class)
        return left | right
    if name == "Union":
        return _walk(node["p1"], outside, loose, start_class, graph) & _walk(
            node["p2"], outside, loose, start_class, graph)
    if name == "Filter":
        bound = _walk(node["p"], outside, loose, start_class, graph)
        _expressions(node["expr"], outside | bound, loose, start_class)
        return bound
    if name == "Extend":
        return _walk(node["p"], outside, loose, start_class, graph) | {node["var"]}
    if name == "Graph":  # the patterns inside GRAPH ?g share ?g
        term = node["term"]
        graph = {term} if isinstance(term, Variable) else set()
        return _walk(node["p"], outside, loose, start_class, graph) | graph
    if name == "ToMultiSet":  # a subquery: it sees the parameters it projects
        projected = _projected(node["p"])
        return _walk(node["p"], outside & projected, loose, start_class, graph) & projected
    if name in ("values", "values_"):
        return set(node.get("res", [{}])[0].keys()) if node.get("res") else set()
    bound: set = set()
    for key in ("p", "p1", "p2"):
        if key in node:
            bound |= _walk(node[key], outside, loose, start_class, graph)
    return bound


def _projected(node) -> set:
    """The variables a subquery projects (its Project, under any LIMIT, DISTINCT or ORDER BY)."""
    while isinstance(node, CompValue) and node.name != "Project" and "p" in node:
        node = node["p"]
    return set(node.get("PV") or []) if isinstance(node, CompValue) else set()


def _simple(node) -> bool:
    """Whether pyoxigraph evaluates `node` once per row of what is left of it."""
    if not isinstance(node, CompValue):
        return True
    if node.name not in SIMPLE:
        return False
    return all(_simple(node[key]) for key in ("p", "p1", "p2") if key in node)


def _expressions(expr, bound: set, loose: list, start_class) -> None:
    """FILTER EXISTS / NOT EXISTS run once per row: their groups see the row's variables."""
    if isinstance(expr, (CompValue, Expr)):
        if expr.name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            _walk(expr["graph"], bound, loose, start_class)
            return
        for value in expr.values():
            _expressions(value, bound, loose, start_class)
    elif isinstance(expr, list):
        for value in expr:
            _expressions(value, bound, loose, start_class)


def _bgp(triples, outside: set, loose: list, start_class, graph=frozenset()) -> set:
    """Join the patterns to what is bound, one shared variable at a time."""
    bound = set(outside)
    waiting = list(triples)
    progress = True
    while waiting and progress:
        progress = False
        for triple in list(waiting):
            subject, predicate, obj = triple
            terms = {t for t in (subject, predicate, obj) if isinstance(t, Variable)} | graph
            starts = (isinstance(subject, URIRef) or terms & bound
                      or (start_class is not None and predicate == RDF.type
                          and obj == start_class))
            if starts:
                bound |= terms
                waiting.remove(triple)
                progress = True
    loose.extend(waiting)
    return bound | {t for triple in triples for t in triple if isinstance(t, Variable)}


CASES = [pytest.param(name, id=name) for name in sorted(BINDINGS) if not name.startswith("_")]


def test_every_page_query_has_a_case() -> None:
    """Each page query file is in the bindings table, so this test checks it."""
    assert set(QUERIES) - set(BINDINGS) <= {"describe", "describe-embedded", "ontology-graph", "void"} | set()


@pytest.mark.parametrize("name", CASES)
def test_page_query_is_bound_to_its_resource(name: str) -> None:
    query = QUERIES[name]
    params = {param.name for param in query.params}
    loose = free_patterns(query.text, params, PAGE_CLASSES.get(name))
    if name in UNBOUND_BY_DESIGN:
        assert loose, f"{name} is bound now: take it out of UNBOUND_BY_DESIGN"
        return
    assert params or name in PAGE_CLASSES, f"{name} takes no parameter: nothing binds it"
    assert not loose, f"{name}: patterns not joined to {sorted(params)}: {loose}"


@pytest.mark.parametrize("text, free", [
    pytest.param("SELECT ?n WHERE { ?a <http://e/p> ?x . OPTIONAL { { ?n <http://e/q> ?c } "
                 "UNION { ?k <http://e/r> ?n } ?c <http://e/s> ?d } }", True,
                 id="join-inside-optional"),
    pytest.param("SELECT ?n WHERE { ?a <http://e/p> ?x . OPTIONAL { ?a <http://e/q> ?c } "
                 "?c <http://e/s> ?d }", True, id="group-after-optional"),
    pytest.param("SELECT ?n WHERE { ?a <http://e/p> ?x . ?a <http://e/q> ?c "
                 "OPTIONAL { ?c <http://e/s> ?d } }", False, id="chain-then-optional"),
    pytest.param("SELECT ?n WHERE { ?a <http://e/p> ?x { SELECT ?c WHERE { ?c ?p ?o } } }", True,
                 id="subquery-without-the-parameter"),
])
def test_rule_catches_unbound_shapes(text: str, free: bool) -> None:
    """The rule itself: the shapes that made pages slow are caught, a bound chain is not."""
    assert bool(free_patterns(text, {"x"})) is free
