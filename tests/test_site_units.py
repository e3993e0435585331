"""Fast checks of the site's parts: IRI and URL mapping, suffixes, template helpers, the
server's copy of the vocabulary, and every page query on the real build."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS

from napgraph.graph import canned
from napgraph.graph.vocab import ELI, NAP, PREFIXES
from napgraph.server.http import formats as fmt
from napgraph.server.pages import terms
from napgraph.server.pages.site_data import PAGE_QUERIES, read_rows, url_for_iri
from napgraph.server.pages.templating import (
    curie,
    long_date,
    number,
    role_code,
    short_date,
    upper_first,
)

BASE = "https://w3id.org/napgraph/"
RDFLIB = {"nap": NAP, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "skos": SKOS, "dcterms": DCTERMS,
          "foaf": FOAF, "org": ORG, "prov": PROV, "schema": SDO, "eli": ELI}
TERMS = [pytest.param(prefix, name, id=f"{prefix}:{name}")
         for prefix, vocabulary in terms.VOCABULARIES.items() for name in sorted(vocabulary.names)]


@pytest.mark.parametrize(("prefix", "name"), TERMS)
def test_server_terms_are_the_converters(prefix, name):
    assert getattr(terms.VOCABULARIES[prefix], name) == str(RDFLIB[prefix][name])


def test_server_prefixes_are_the_converters():
    assert terms.PREFIXES == PREFIXES


def test_server_vocabularies_are_closed():
    with pytest.raises(AttributeError, match="not declared"):
        terms.SKOS.prefLable  # noqa: B018 - the typo is the point


@pytest.mark.parametrize(("iri", "base", "root", "url"), [
    (BASE + "id/jp/org/mofa", BASE, "", "/id/jp/org/mofa"),
    (BASE + "ontology#Consultation", BASE, "", "/ontology#Consultation"),
    (BASE + "dataset", BASE, "/napgraph", "/napgraph/dataset"),
    ("http://www.wikidata.org/entity/Q17", BASE, "", "http://www.wikidata.org/entity/Q17"),
    ("https://w3id.org/napgraphs/other", BASE, "", "https://w3id.org/napgraphs/other"),
    ("https://example.org/kg/id/x", "https://example.org/kg/", "", "/id/x"),
], ids=["resource", "hash", "script-root", "external", "prefix-lookalike", "other-base"])
def test_url_for_iri(iri, base, root, url):
    assert url_for_iri(iri, base, root) == url


@pytest.mark.parametrize(("path", "stem", "key"), [
    ("/id/jp/org/mofa.ttl", "/id/jp/org/mofa", "ttl"),
    ("/id/jp/org/mofa.jsonld", "/id/jp/org/mofa", "jsonld"),
    ("/id/jp/org/mofa.rdf", "/id/jp/org/mofa", "rdf"),
    ("/id/jp/org/mofa.nt", "/id/jp/org/mofa", "nt"),
    ("/id/jp/org/mofa.html", "/id/jp/org/mofa", "html"),
    ("/id/jp/org/mofa", "/id/jp/org/mofa", None),
    ("/ontology/0.1.0", "/ontology/0.1.0", None),
    ("/id/jp/org/mofa.xml", "/id/jp/org/mofa.xml", None),
    ("/id/.ttl", "/id/.ttl", None),
    ("/id.x/mofa", "/id.x/mofa", None),
], ids=["ttl", "jsonld", "rdf", "nt", "html", "none", "version", "unknown", "bare", "dot-dir"])
def test_suffix_of(path, stem, key):
    found_stem, chosen = fmt.suffix_of(path)
    assert found_stem == stem
    assert (chosen.key if chosen else None) == key


@pytest.mark.parametrize(("helper", "value", "expected"), [
    (role_code, "relevant-ministry", "RM"),
    (role_code, "stakeholder", "S"),
    (role_code, "government-related-entity", "GRE"),
    (upper_first, "smes and LGBT", "Smes and LGBT"),
    (long_date, "2018-03-08", "8 March 2018"),
    (long_date, "not a date", "not a date"),
    (short_date, "2018-08-31", "31 Aug"),
    (curie, "https://w3id.org/napgraph/ontology#Consultation", "nap:Consultation"),
    (curie, "http://www.w3.org/ns/org#unitOf", "org:unitOf"),
    (curie, "https://example.org/x", "https://example.org/x"),
    (number, 36811, "36,811"),
    (number, "36811", "36,811"),
    (number, 1234567, "1,234,567"),
    (number, 999, "999"),
    (number, 0, "0"),
    (number, -1500, "-1,500"),
    (number, 2047.6, "2,048"),
    (number, "12.5", "12.5"),
    (number, "n/a", "n/a"),
    (number, "9" * 5000, "9" * 5000),
], ids=["code-two", "code-one", "code-three", "upper-first", "long-date", "not-date",
        "short-date", "curie-nap", "curie-org", "curie-unknown", "number-int",
        "number-lexical", "number-millions", "number-under-1000", "number-zero",
        "number-negative", "number-float-rounded", "number-decimal-text", "number-not-one",
        "number-too-long-for-int"])
def test_template_helpers(helper, value, expected):
    assert helper(value) == expected


def test_read_rows_keeps_languages_and_datatypes():
    body = (b'{"head":{"vars":["a","b"]},"results":{"bindings":[{"a":{"type":"uri","value":"x"},'
            b'"b":{"type":"literal","value":"v","xml:lang":"ja"}},{"b":{"type":"typed-literal",'
            b'"value":"1","datatype":"http://www.w3.org/2001/XMLSchema#integer"}}]}}')
    rows = read_rows(body)
    assert rows[0]["a"].is_iri and rows[0]["b"].lang == "ja"
    assert "a" not in rows[1] and rows[1]["b"].kind == "literal"
    assert rows[1]["b"].datatype.endswith("#integer")


PAGE_QUERY_FILES = sorted(PAGE_QUERIES.glob("*.rq"))


@pytest.mark.parametrize("path", PAGE_QUERY_FILES, ids=[p.stem for p in PAGE_QUERY_FILES])
def test_page_query_answers_on_the_real_build(store, path):
    """Each page query loads (header, syntax, parameters) and answers with its defaults."""
    query = canned.load_query(path)
    answer = canned.run(store, query)
    if isinstance(answer, ox.QuerySolutions):
        assert list(answer), f"{path.name} found nothing for its default parameters"
    else:
        assert list(answer), f"{path.name} built no triples for its default parameters"


@pytest.mark.parametrize(("value", "expected"), [("3", 3), ("first", 0), ("-1", 0), (None, 0)])
def test_a_consultation_page_reads_positions_safely(value, expected):
    """Imported data may hold any literal as nap:position: the page orders it first, never
    fails (a decision or point with nap:position "first" must not be a 500)."""
    import pyoxigraph as ox

    from napgraph.server.pages.consultation import _position

    row = {} if value is None else {"position": ox.Literal(value)}
    assert _position(row) == expected
