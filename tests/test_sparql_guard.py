"""The SERVICE allow-list guard and the SPARQL tokenizer under it, case by case.

The guard resolves IRIs with the engine (runner.Engine on an empty store), as the server
does. Each row: an id, a query, and either the allowed SERVICE IRIs or the start of the
refusal message.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from napgraph.server.backends.query_guard import ServiceRefused, inspect_query
from napgraph.server.backends.runner import Engine
from napgraph.server.backends.sparql_lexer import (
    decode_codepoint_escapes,
    significant_tokens,
    tokenize,
)

ALLOWED = "http://allowed.example/sparql"
EVIL = "http://evil.example/sparql"
P = "PREFIX ok: <http://allowed.example/> PREFIX bad: <http://evil.example/> "

# (id, query, SERVICE IRIs the query may call) -- the guard must let these through.
ALLOWED_CASES = [
    ("no-service", "SELECT * { ?s ?p ?o }", ()),
    ("in-comment", f"SELECT * {{ ?s ?p ?o }} # SERVICE <{EVIL}> {{}}", ()),
    ("in-string", f"SELECT * {{ ?s ?p 'SERVICE <{EVIL}> {{}}' }}", ()),
    ("in-double-string", f'SELECT * {{ ?s ?p "x SERVICE <{EVIL}>" }}', ()),
    ("in-long-string", f"SELECT * {{ ?s ?p '''it's\nSERVICE <{EVIL}> {{}}''' }}", ()),
    ("in-long-double-string", f'SELECT * {{ ?s ?p """a "quoted" SERVICE <{EVIL}>""" }}', ()),
    ("escaped-quote-keeps-string", f"SELECT * {{ ?s ?p 'a\\' SERVICE <{EVIL}> {{}}' }}", ()),
    ("in-iri", "SELECT * { ?s ?p <http://x.example/SERVICE> }", ()),
    ("hash-in-iri-is-no-comment", "SELECT * { <http://x.example/#> ?p ?o }", ()),
    ("as-prefixed-name", P + "SELECT * { ?s ?p bad:SERVICE }", ()),
    ("as-prefix", "PREFIX SERVICE: <http://x.example/> SELECT * { ?s ?p SERVICE:x }", ()),
    ("as-variable", "SELECT ?service { ?service ?p ?o }", ()),
    ("line-separator-does-not-end-comment", f"SELECT * {{}} #c\u2028SERVICE <{EVIL}> {{}}", ()),
    ("allowed-iri", f"SELECT * {{ SERVICE <{ALLOWED}> {{ ?s ?p ?o }} }}", (ALLOWED,)),
    ("allowed-silent-lowercase", f"select * {{ service silent <{ALLOWED}> {{ ?s ?p ?o }} }}",
     (ALLOWED,)),
    ("allowed-prefixed-name", P + "SELECT * { SERVICE ok:sparql { ?s ?p ?o } }", (ALLOWED,)),
    ("allowed-relative-to-base",
     "BASE <http://allowed.example/x/> SELECT * { SERVICE <../sparql> { ?s ?p ?o } }",
     (ALLOWED,)),
    ("allowed-iri-with-escape", "SELECT * { SERVICE <http://allowed.example/sp\\u0061rql> "
     "{ ?s ?p ?o } }", (ALLOWED,)),
]

# (id, query, start of the refusal message)
REFUSED_CASES = [
    ("plain", f"SELECT * {{ SERVICE <{EVIL}> {{ ?s ?p ?o }} }}", f"SERVICE <{EVIL}> at line 1"),
    ("mixed-case", f"SELECT * {{ SeRvIcE <{EVIL}> {{ ?s ?p ?o }} }}", f"SERVICE <{EVIL}>"),
    ("silent", f"SELECT * {{ SERVICE SILENT <{EVIL}> {{ ?s ?p ?o }} }}", f"SERVICE <{EVIL}>"),
    ("prefixed-name", P + "SELECT * { SERVICE bad:sparql { ?s ?p ?o } }", f"SERVICE <{EVIL}>"),
    ("pname-escape", P + "SELECT * { SERVICE bad:spa\\.rql { ?s ?p ?o } }",
     "SERVICE <http://evil.example/spa.rql>"),
    ("relative-to-base", "BASE <http://evil.example/> SELECT * { SERVICE <sparql> {} }",
     f"SERVICE <{EVIL}>"),
    ("variable", "SELECT * { ?s ?p ?o SERVICE ?s { ?a ?b ?c } }", "SERVICE ?s at line 1"),
    ("dollar-variable", "SELECT * { ?s ?p ?o SERVICE $s { ?a ?b ?c } }", "SERVICE $s"),
    ("no-target", "SELECT * { SERVICE { ?s ?p ?o } }", "SERVICE at line 1"),
    ("escaped-keyword", f"SELECT * {{ SE\\u0052VICE <{EVIL}> {{ ?s ?p ?o }} }}",
     f"SERVICE <{EVIL}>"),
    ("fully-escaped-keyword",
     f"SELECT * {{ \\u0053\\u0045\\u0052\\u0056\\u0049\\u0043\\u0045 <{EVIL}> {{}} }}",
     f"SERVICE <{EVIL}>"),
    # pyoxigraph reads \u0027 inside the string as a quote character, so the string closes
    # only at the second quote and SERVICE is live; the spec reading sees it differently.
    ("escape-closes-string-for-the-engine",
     f"SELECT * {{ BIND('a\\u0027' AS ?x) SERVICE <{EVIL}> {{}} }}", f"SERVICE <{EVIL}>"),
    # ...and the other way round: the spec reading ends the string at \u0022.
    ("escape-closes-string-for-the-spec",
     f'SELECT * {{ BIND("a\\u0022 AS ?x) SERVICE <{EVIL}> {{}} #" AS ?y) }}',
     f"SERVICE <{EVIL}>"),
    ("iri-escape-changes-target", f"SELECT * {{ SERVICE <{ALLOWED}\\u0023x> {{}} }}",
     f"SERVICE <{ALLOWED}#x>"),
    ("glued-to-dot", f"SELECT * {{ ?s ?p ?o.SERVICE<{EVIL}>{{}} }}", f"SERVICE <{EVIL}>"),
    ("after-comment", f"SELECT * {{ # SERVICE <{ALLOWED}>\nSERVICE <{EVIL}> {{}} }}",
     f"SERVICE <{EVIL}> at line 2"),
    ("carriage-return-ends-comment", f"SELECT * {{ #c\rSERVICE <{EVIL}> {{}} }}",
     f"SERVICE <{EVIL}>"),
    ("hash-in-iri", f"SELECT * {{ <http://x.example/#> ?p ?o SERVICE <{EVIL}> {{}} }}",
     f"SERVICE <{EVIL}>"),
    ("nested-in-exists",
     f"ASK {{ ?s ?p ?o FILTER EXISTS {{ {{ SELECT * {{ SERVICE <{EVIL}> {{}} }} }} }} }}",
     f"SERVICE <{EVIL}>"),
    ("second-of-two", f"SELECT * {{ SERVICE <{ALLOWED}> {{}} SERVICE <{EVIL}> {{}} }}",
     f"SERVICE <{EVIL}>"),
    ("unclosed-string-before", f"SELECT * {{ ?s ?p 'x \n SERVICE <{EVIL}> {{}} }}",
     f"SERVICE <{EVIL}>"),
    ("similar-but-not-allowed", f"SELECT * {{ SERVICE <{ALLOWED}/> {{}} }}",
     f"SERVICE <{ALLOWED}/>"),
]


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(ox.Store(), [ALLOWED])


def inspect(engine: Engine, query: str):
    return inspect_query(query, engine.allowlist, engine.resolve)


@pytest.mark.parametrize(("query", "services"), [c[1:] for c in ALLOWED_CASES],
                         ids=[c[0] for c in ALLOWED_CASES])
def test_allowed(engine, query, services):
    assert inspect(engine, query).services == services


@pytest.mark.parametrize(("query", "message"), [c[1:] for c in REFUSED_CASES],
                         ids=[c[0] for c in REFUSED_CASES])
def test_refused(engine, query, message):
    with pytest.raises(ServiceRefused) as refusal:
        inspect(engine, query)
    assert str(refusal.value).startswith(message)


def test_refusal_lists_the_allow_list(engine):
    with pytest.raises(ServiceRefused, match=f"allow-list \\(<{ALLOWED}>\\)"):
        inspect(engine, f"SELECT * {{ SERVICE <{EVIL}> {{}} }}")


def test_empty_allow_list_refuses_everything():
    with pytest.raises(ServiceRefused, match=r"allow-list \(none\)"):
        inspect(Engine(ox.Store(), []), f"SELECT * {{ SERVICE <{ALLOWED}> {{}} }}")


@pytest.mark.parametrize(("query", "form", "has_from"), [
    ("SELECT * {}", "SELECT", False),
    ("  # comment\nprefix a: <http://a/> base <http://b/> ask {}", "ASK", False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
    ("describe <http://x/>", "DESCRIBE", False),
    ("SELECT * FROM <http://g/> { ?s ?p ?o }", "SELECT", True),
    ("SELECT * FROM NAMED <http://g/> { GRAPH ?g {} }", "SELECT", True),
    ("SELECT * { ?s ?p 'FROM' }", "SELECT", False),
    ("INSERT DATA { <a> <b> <c> }", None, False),
    ("garbage", None, False),
    ("", None, False),
], ids=["select", "prologue-ask", "construct", "describe", "from", "from-named",
        "from-in-string", "update", "garbage", "empty"])
def test_form_and_dataset_clause(engine, query, form, has_from):
    facts = inspect(engine, query)
    assert (facts.form, facts.has_dataset_clause) == (form, has_from)


@pytest.mark.parametrize(("text", "kinds"), [
    ("ASK { <a#b> ?p 'x#y' } # c", ["WORD", "PUNCT", "IRI", "VAR", "STRING", "PUNCT"]),
    ("?x<3 && ?y>=2", ["VAR", "PUNCT", "NUMBER", "PUNCT", "VAR", "PUNCT", "NUMBER"]),
    ("ex:a.b ex:a. :x", ["PNAME", "PNAME", "PUNCT", "PNAME"]),
    ("ex.:a", ["WORD", "PUNCT", "PNAME"]),
    ("'x'@en--ltr \"\"\"a\"b\"\"\" _:b1.", ["STRING", "LANGTAG", "STRING", "BNODE", "PUNCT"]),
    ("1.5e3 .5 7", ["NUMBER", "NUMBER", "NUMBER"]),
    ("'unclosed\nx", ["PUNCT", "WORD", "WORD"]),
], ids=["basic", "operators", "prefixed-names", "dot-before-colon", "literals", "numbers",
        "unclosed-string"])
def test_tokens(text, kinds):
    assert [t.kind for t in significant_tokens(text)] == kinds


def test_tokens_cover_the_text_exactly():
    text = "PREFIX ex: <http://ex/> SELECT ?s { ?s ex:p 'a\\'b' . } # end\n"
    assert "".join(t.text for t in tokenize(text)) == text


@pytest.mark.parametrize(("text", "decoded"), [
    (r"SE\u0052VICE", "SERVICE"),
    (r"\U0001F600", "\U0001F600"),
    (r"\uZZZZ", r"\uZZZZ"),
    (r"\U00110000", r"\U00110000"),
], ids=["basic", "astral", "not-hex", "beyond-unicode"])
def test_codepoint_escapes(text, decoded):
    assert decode_codepoint_escapes(text) == decoded
