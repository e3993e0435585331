"""What `napgraph serve --store` sends a store: the query with its base and its bindings
written in (remote_query.prepare_query), FROM clauses as protocol parameters
(remote_query.dataset_clauses), and how an answer's media type is read (remote._parse)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from napgraph.server.backends.remote import _parse
from napgraph.server.backends.remote_query import (
    dataset_clauses,
    order_clause,
    prepare_query,
    without_dataset_clauses,
)
from napgraph.server.backends.runner import Engine
from napgraph.server.http.errors import StoreBadAnswer

XSD = "http://www.w3.org/2001/XMLSchema#"
IRI = ox.NamedNode("https://w3id.org/napgraph/id/jp/org/mofa")
EIGHT = ox.Literal("8", datatype=ox.NamedNode(XSD + "integer"))
BASE = "http://127.0.0.1:5000/sparql"

PREPARED = [
    ("no-bindings", "SELECT * { ?s ?p ?o }", None, None, "SELECT * { ?s ?p ?o }"),
    ("values-open-the-where-group", "SELECT ?actor ?x WHERE { ?x ?p ?actor }", None,
     {"actor": IRI}, f"SELECT ?actor ?x WHERE {{ VALUES (?actor) {{ ({IRI}) }} ?x ?p ?actor }}"),
    ("several-sorted-by-name", "SELECT ?b ?a { ?a ?p ?b }", None,
     {"b": EIGHT, "a": IRI},
     f"SELECT ?b ?a {{ VALUES (?a ?b) {{ ({IRI} {EIGHT}) }} ?a ?p ?b }}"),
    ("not-in-a-projection-expression", "SELECT (EXISTS { ?s ?p ?o } AS ?e) ?o { ?s ?p ?o }",
     None, {"o": ox.Literal("x")},
     'SELECT (EXISTS { ?s ?p ?o } AS ?e) ?o { VALUES (?o) { ("x") } ?s ?p ?o }'),
    ("after-the-construct-template", "CONSTRUCT { ?s ?p ?o . } WHERE { ?s ?p ?o }", None,
     {"o": ox.Literal("x")},
     'CONSTRUCT { ?s ?p ?o . } WHERE { VALUES (?o) { ("x") } ?s ?p ?o }'),
    ("construct-where-gets-a-trailing-block", "CONSTRUCT WHERE { ?s ?p ?o }", None,
     {"o": ox.Literal("x")}, 'CONSTRUCT WHERE { ?s ?p ?o }\nVALUES (?o) { ("x") }'),
    ("a-string-stays-one-literal", "SELECT ?t { ?s ?p ?t }", None,
     {"t": ox.Literal('" } ; DROP ALL ; {')},
     'SELECT ?t { VALUES (?t) { ("\\" } ; DROP ALL ; {") } ?s ?p ?t }'),
    ("language-tag", "SELECT ?t { ?s ?p ?t }", None, {"t": ox.Literal("x", language="en")},
     'SELECT ?t { VALUES (?t) { ("x"@en) } ?s ?p ?t }'),
    ("bound-service-endpoint-is-written-in", "SELECT ?peer { SERVICE SILENT ?peer { ?s ?p ?o } }",
     None, {"peer": ox.NamedNode("http://b.example/sparql")},
     "SELECT ?peer { VALUES (?peer) { (<http://b.example/sparql>) } "
     "SERVICE SILENT <http://b.example/sparql> { ?s ?p ?o } }"),
    ("a-subquery-projecting-it-gets-a-block",
     "SELECT ?x ?o { { SELECT DISTINCT ?x ?o WHERE { ?o ?p ?x } LIMIT 5 } }", None,
     {"x": IRI}, f"SELECT ?x ?o {{ VALUES (?x) {{ ({IRI}) }} {{ SELECT DISTINCT ?x ?o WHERE "
     f"{{ VALUES (?x) {{ ({IRI}) }} ?o ?p ?x }} LIMIT 5 }} }}"),
    ("as-and-star-project-it", "SELECT ?n ?m { { SELECT (COUNT(?y) AS ?n) { ?y ?p ?n } } "
     "{ SELECT * { ?m ?q ?o } } }", None, {"n": EIGHT, "o": IRI},
     f"SELECT ?n ?m {{ VALUES (?n ?o) {{ ({EIGHT} {IRI}) }} {{ SELECT (COUNT(?y) AS ?n) "
     f"{{ VALUES (?n) {{ ({EIGHT}) }} ?y ?p ?n }} }} "
     f"{{ SELECT * {{ VALUES (?o) {{ ({IRI}) }} ?m ?q ?o }} }} }}"),
    ("as-before-grouping-gets-no-block", "SELECT ?x { { SELECT (?o AS ?x) { ?s ?p ?o } } }",
     None, {"x": IRI},
     f"SELECT ?x {{ VALUES (?x) {{ ({IRI}) }} {{ SELECT (?o AS ?x) {{ ?s ?p ?o }} }} }}"),
    ("star-projects-no-filter-only-variable", "SELECT ?x ?y { { SELECT * { ?y ?p ?o "
     "FILTER(?x != ?o) } } }", None, {"x": IRI},
     f"SELECT ?x ?y {{ VALUES (?x) {{ ({IRI}) }} {{ SELECT * {{ ?y ?p ?o "
     "FILTER(?x != ?o) } } }"),
    ("bind-in-a-subquery-gets-no-block", "SELECT ?x { { SELECT ?x { BIND(1 AS ?x) } } }",
     None, {"x": EIGHT},
     f"SELECT ?x {{ VALUES (?x) {{ ({EIGHT}) }} {{ SELECT ?x {{ BIND(1 AS ?x) }} }} }}"),
    ("a-subquery-not-projecting-it-keeps-its-own", "SELECT ?x { ?x ?p ?o "
     "{ SELECT ?y WHERE { ?y ?q ?x } } }", None, {"x": IRI},
     f"SELECT ?x {{ VALUES (?x) {{ ({IRI}) }} ?x ?p ?o {{ SELECT ?y WHERE {{ ?y ?q ?x }} }} }}"),
    ("a-bind-of-it-gets-a-trailing-block", "SELECT ?x { ?s ?p ?o BIND(?o AS ?x) }", None,
     {"x": IRI}, f"SELECT ?x {{ ?s ?p ?o BIND(?o AS ?x) }}\nVALUES (?x) {{ ({IRI}) }}"),
    ("a-bind-with-a-relative-iri", "SELECT ?x { BIND(<a> AS ?x) }", BASE, {"x": IRI},
     f"BASE <{BASE}> SELECT ?x {{ BIND(<a> AS ?x) }}\nVALUES (?x) {{ ({IRI}) }}"),
    ("relative-iri-gets-the-base", "SELECT * { <a> ?p ?o }", BASE, None,
     f"BASE <{BASE}> SELECT * {{ <a> ?p ?o }}"),
    ("relative-prefix-gets-the-base", "PREFIX e: <e#> SELECT * { e:a ?p ?o }", BASE, None,
     f"BASE <{BASE}> PREFIX e: <e#> SELECT * {{ e:a ?p ?o }}"),
    ("absolute-iris-need-no-base", "SELECT * { <http://e/a> ?p ?o }", BASE, None,
     "SELECT * { <http://e/a> ?p ?o }"),
    ("a-relative-iri-in-a-comment-is-no-iri", "SELECT * { ?s ?p ?o } # <a>", BASE, None,
     "SELECT * { ?s ?p ?o } # <a>"),
    ("an-unusable-base-is-left-out", "SELECT * { <a> ?p ?o }", "http://h/a b", None,
     "SELECT * { <a> ?p ?o }"),
]


@pytest.mark.parametrize(("query", "base", "bindings", "expected"),
                         [case[1:] for case in PREPARED], ids=[case[0] for case in PREPARED])
def test_prepare_query(query, base, bindings, expected):
    prepared = prepare_query(query, base, bindings)
    assert prepared == expected
    # and it parses (nothing runs on an empty store; a base for the case that has none)
    ox.Store().query(prepared, base_iri="http://fallback.example/")


# The same answer both ways: pyoxigraph's substitutions (the embedded store) and the prepared
# text run without them (what a store receives); the cases are in the data file.
E = "http://e/"
ANSWERS_ALIKE = json.loads((Path(__file__).parent / "data" / "substitution-answers.json")
                           .read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def small_store() -> ox.Store:
    store = ox.Store()
    for s, p, o in [("a", "p", "b"), ("a", "p", "c"), ("b", "p", "c"), ("c", "q", "a"),
                    ("d", "p", "a"), ("b", "q", "d")]:
        store.add(ox.Quad(ox.NamedNode(E + s), ox.NamedNode(E + p), ox.NamedNode(E + o)))
    store.add(ox.Quad(ox.NamedNode(E + "b"), ox.NamedNode(E + "label"), ox.Literal("B"),
                      ox.NamedNode(E + "g")))
    return store


def _answer(store: ox.Store, text: str, substitutions: dict | None = None) -> object:
    result = store.query(text, use_default_graph_as_union=True, substitutions=substitutions)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return sorted(map(str, result))
    names = [variable.value for variable in result.variables]
    return sorted(tuple(str(row[name]) for name in names) for row in result)


@pytest.mark.parametrize(("query", "bound"),
                         [(case["query"], case["bound"]) for case in ANSWERS_ALIKE],
                         ids=[case["id"] for case in ANSWERS_ALIKE])
def test_the_prepared_text_answers_as_substitutions(small_store, query, bound):
    values = {name: ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
              if isinstance(value, int) else ox.NamedNode(E + value)
              for name, value in bound.items()}
    text = f"PREFIX : <{E}> {query}"
    substituted = _answer(small_store, text,
                          {ox.Variable(name): term for name, term in values.items()})
    assert _answer(small_store, prepare_query(text, None, values)) == substituted


def resolve(prologue: str, term: str) -> str:
    return Engine(ox.Store(), ()).resolve(prologue, term, BASE)


@pytest.mark.parametrize(("query", "default", "named"), [
    ("SELECT * FROM <http://g/1> FROM NAMED <http://g/2> { ?s ?p ?o }",
     ["http://g/1"], ["http://g/2"]),
    ("PREFIX g: <http://g/> SELECT * FROM g:1 FROM g:3 { ?s ?p ?o }",
     ["http://g/1", "http://g/3"], []),
    ("SELECT * FROM NAMED <rel> { GRAPH ?g { ?s ?p ?o } }", [], ["http://127.0.0.1:5000/rel"]),
    ("SELECT * FROM nope:x { ?s ?p ?o }", [], []),
], ids=["both", "prefixed", "relative", "unresolvable"])
def test_dataset_clauses(query, default, named):
    assert dataset_clauses(query, resolve) == (default, named)


@pytest.mark.parametrize(("media_type", "body", "form", "kind"), [
    ("application/sparql-results+json", b'{"head":{},"boolean":true}', "ASK", "ASK"),
    ("application/sparql-results+xml",
     b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
     b'<head><variable name="x"/></head><results/></sparql>', "SELECT", "SELECT"),
    ("text/tab-separated-values", b"?x\n<http://e/a>\n", "SELECT", "SELECT"),
    ("application/json", b'{"head":{"vars":[]},"results":{"bindings":[]}}', "SELECT", "SELECT"),
    ("application/json", b'{"@id":"http://e/a","http://e/p":"x"}', "CONSTRUCT", "CONSTRUCT"),
    ("text/turtle", b"<http://e/a> <http://e/p> 1 .", "DESCRIBE", "CONSTRUCT"),
], ids=["json-boolean", "xml", "tsv", "json-results", "json-ld", "turtle"])
def test_answers_are_read_by_their_media_type(media_type, body, form, kind):
    result, found = _parse(media_type, body, form)
    assert found == kind
    assert (bool(result) if kind == "ASK" else list(result) is not None)


@pytest.mark.parametrize("media_type", ["text/html", "text/plain", "text/csv", ""])
def test_other_media_types_are_a_bad_answer(media_type):
    with pytest.raises(StoreBadAnswer, match="neither SPARQL results nor RDF"):
        _parse(media_type, b"whatever", "SELECT")


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT * FROM <g> { ?s ?p ?o }", "SELECT *  { ?s ?p ?o }"),
    ("SELECT * FROM NAMED <g> FROM p:x WHERE { ?s ?p ?o }", "SELECT *   WHERE { ?s ?p ?o }"),
    ("SELECT * { ?s ?p 'FROM <g>' }", "SELECT * { ?s ?p 'FROM <g>' }"),
    ("# FROM <g>\nASK {}", "# FROM <g>\nASK {}"),
], ids=["from", "from-named-and-pname", "in-a-string", "in-a-comment"])
def test_dataset_clauses_are_taken_out_of_the_text(text, expected):
    assert without_dataset_clauses(text) == expected


@pytest.mark.parametrize(("text", "projected", "expected"), [
    ("SELECT ?a { ?a ?b ?c } ORDER BY LCASE(STR(?a)) DESC(?a) LIMIT 2", ["a"],
     ("", "LCASE(STR(?a)) DESC(?a)")),
    ("PREFIX x: <u:> SELECT ?a { ?a ?b ?c } ORDER BY x:f(?a)", ["a"],
     ("PREFIX x: <u:>", "x:f(?a)")),
    ("SELECT ?a { ?a ?b ?c } ORDER BY ?b", ["a"], None),
    ("SELECT ?a { { SELECT ?a { ?a ?b ?c } ORDER BY ?a } }", ["a"], None),
    ("SELECT ?a (COUNT(*) AS ?n) { ?a ?b ?c } GROUP BY ?a ORDER BY DESC(COUNT(*))", ["a", "n"],
     None),
], ids=["projected", "prologue", "not-projected", "only-in-a-subquery", "aggregate"])
def test_order_clause(text, projected, expected):
    assert order_clause(text, projected) == expected
