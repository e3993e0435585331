"""Dereferencing over HTTP: every kind of IRI of the real build, in every format.

A sample of IRIs of each kind is taken from the graph itself (the first and the last by
IRI). Each answer is parsed (rdflib for RDF, html.parser for pages) and checked against the
store: the description has the resource's own triples and the labels of its neighbours;
the page names its RDF twins and embeds its JSON-LD.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
import requests

from napgraph.graph.vocab import PREFIXES
from tests.html_tools import parse_html
from tests.server_fixtures import parse_rdf

BASE = "https://w3id.org/napgraph/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF_SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json",
                ".rdf": "application/rdf+xml", ".nt": "application/n-triples"}
# How to find IRIs of each kind in the graph (`?x` is the IRI).
KINDS = {
    "consultation": "?x a nap:Consultation",
    "participation": "?x a nap:Participation",
    "contribution": "?x a nap:Contribution",
    "contribution-item": "?x a nap:ContributionItem",
    "discussion-point": "?x a nap:DiscussionPoint",
    "organisation": "?x a org:FormalOrganization",
    "person": "?x a foaf:Person",
    "law": "?x a nap:DomesticLaw",
    "instrument": "?x a nap:InternationalInstrument",
    "pillar": f"?x skos:topConceptOf <{BASE}id/ungp>",
    "principle": f"?x skos:inScheme <{BASE}id/ungp> ; skos:broader ?pillar",
    "topic": f"?x skos:inScheme <{BASE}id/topic>",
    "role": f"?x skos:inScheme <{BASE}id/role>",
    "concept-scheme": "?x a skos:ConceptScheme",
    "named-graph": f"?x a void:Dataset FILTER(STRSTARTS(STR(?x), '{BASE}graph/'))",
    "dataset": "?x a dcat:Dataset",
    "catalog": "?x a dcat:Catalog",
    "ontology": "?x a owl:Ontology",
    "nap-process": "?x a nap:NAPProcess",
    "source-document": "?x a foaf:Document",
    "alignment": "?x a nap:PrincipleAlignment",
}
SAMPLES = [pytest.param(kind, which, id=f"{kind}-{which}")
           for kind in KINDS for which in ("first", "last")]
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label",
          "http://www.w3.org/2004/02/skos/core#prefLabel")


@pytest.fixture(scope="module")
def sample(store):
    """sample(kind, which) -> an IRI of that kind in the graph (first or last by IRI)."""
    prologue = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items())

    def pick(kind: str, which: str) -> str:
        rows = store.query(f"{prologue}\nSELECT DISTINCT ?x WHERE {{ {KINDS[kind]} }} "
                           "ORDER BY STR(?x)", use_default_graph_as_union=True)
        iris = [row["x"].value for row in rows]
        assert iris, f"the graph has no {kind}"
        return iris[0] if which == "first" else iris[-1]

    return pick


def vary(response: requests.Response) -> set[str]:
    """The header names of a response's Vary, in lower case."""
    return {name.strip().lower() for name in response.headers.get("Vary", "").split(",")}


def path_of(iri: str) -> str:
    assert iri.startswith(BASE)
    return "/" + iri[len(BASE):]


def expected(store, query: str, iri: str) -> rdflib.Graph:
    """Run a CONSTRUCT on the session store with ?x bound, as an rdflib graph."""
    triples = store.query(query, use_default_graph_as_union=True,
                          substitutions={ox.Variable("x"): ox.NamedNode(iri)})
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


OWN = "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }"
NEIGHBOUR_LABELS = ("CONSTRUCT { ?n ?lp ?l } WHERE { { ?x ?p ?n } UNION { ?n ?p ?x } "
                    "?n ?lp ?l FILTER(?lp IN (<" + LABELS[0] + ">, <" + LABELS[1] + ">)) }")
HASH_TRIPLES = ("CONSTRUCT { ?h ?p ?o } WHERE { ?h ?q ?x . ?h ?p ?o "
                "FILTER(STRSTARTS(STR(?h), CONCAT(STR(?x), '#'))) }")


@pytest.mark.parametrize("suffix", RDF_SUFFIXES, ids=[s[1:] for s in RDF_SUFFIXES])
@pytest.mark.parametrize(("kind", "which"), SAMPLES)
def test_rdf_describes_the_resource(site_server, store, sample, kind, which, suffix):
    iri = sample(kind, which)
    response = requests.get(site_server.root + path_of(iri) + suffix, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == RDF_SUFFIXES[suffix]
    assert response.headers["Content-Location"] == path_of(iri) + suffix
    graph = parse_rdf(response.content, RDF_SUFFIXES[suffix])
    subject = rdflib.URIRef(iri)
    assert set(graph.triples((subject, None, None))), "no triple has the IRI as subject"
    own = expected(store, OWN, iri)
    assert set(own) <= set(graph), "some of the resource's own triples are missing"
    labels = expected(store, NEIGHBOUR_LABELS, iri)
    if kind != "ontology":  # the ontology's RDF is its named graph, not a description
        assert set(labels) <= set(graph), "some neighbours' labels are missing"
        assert set(expected(store, HASH_TRIPLES, iri)) <= set(graph), "hash IRIs missing"


@pytest.mark.parametrize(("kind", "which"), SAMPLES)
def test_page_of_the_resource(site_server, sample, kind, which):
    iri = sample(kind, which)
    response = requests.get(site_server.root + path_of(iri), headers={"Accept": BROWSER},
                            timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == "text/html"
    assert response.headers["Content-Location"] == path_of(iri) + ".html"
    page = parse_html(response.text)
    assert page.root_attrs == {"lang": "en"}
    assert len(page.find("h1")) == 1
    alternates = {a["type"]: a["href"] for a in page.find("link")
                  if a.get("rel") == "alternate"}
    assert alternates == {media: path_of(iri) + suffix for suffix, media in RDF_SUFFIXES.items()}
    for media, href in alternates.items():
        assert f'<{href}>; rel="alternate"; type="{media}"' in response.headers["Link"]
    documents = [json.loads(text) for attrs, text in page.scripts
                 if attrs.get("type") == "application/ld+json"]
    assert len(documents) == 1
    assert iri in {node.get("@id") for node in documents[0]}
    # JSON data blocks (ld+json, chart data) are not run, so CSP allows them.
    assert not [attrs for attrs, _ in page.scripts
                if attrs.get("type") not in ("application/ld+json", "application/json")
                and "src" not in attrs], "an inline script"


def test_the_hash_iris_of_a_consultation_come_with_it(site_server):
    consultation = BASE + "id/jp/consultation/2018-01"
    response = requests.get(site_server.root + path_of(consultation) + ".nt", timeout=30)
    graph = parse_rdf(response.content, "application/n-triples")
    oa = rdflib.Namespace("http://www.w3.org/ns/oa#")
    quote = rdflib.URIRef(consultation + "#source-quote")
    assert (quote, oa.exact, None) in graph
    assert (rdflib.URIRef(consultation + "#source"), oa.hasBody,
            rdflib.URIRef(consultation)) in graph


# (path, format=, Accept) -> the media type answered: a suffix wins over format=, which wins
# over Accept; without either, Accept decides, and anything (*/*, none) gets the page.
PRECEDENCE = [
    ("/id/jp/org/mofa.ttl", None, "application/ld+json", "text/turtle"),
    ("/id/jp/org/mofa.jsonld", "ttl", "text/turtle", "application/ld+json"),
    ("/id/jp/org/mofa.html", None, "text/turtle", "text/html"),
    ("/id/jp/org/mofa", "nt", "text/turtle", "application/n-triples"),
    ("/id/jp/org/mofa", "application/rdf+xml", None, "application/rdf+xml"),
    ("/id/jp/org/mofa", None, "application/rdf+xml", "application/rdf+xml"),
    ("/id/jp/org/mofa", None, "text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("/id/jp/org/mofa", None, BROWSER, "text/html"),
    ("/id/jp/org/mofa", None, "*/*", "text/html"),
    ("/id/jp/org/mofa", None, None, "text/html"),
]


@pytest.mark.parametrize(("path", "format_key", "accept", "media_type"), PRECEDENCE,
                         ids=[f"{p}-{f}-{a}" for p, f, a, _ in PRECEDENCE])
def test_suffix_then_format_then_accept(site_server, path, format_key, accept, media_type):
    params = {"format": format_key} if format_key else {}
    headers = {"Accept": accept} if accept else {}
    response = requests.get(site_server.root + path, params=params, headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    negotiated = "." not in path.rsplit("/", 1)[1] and format_key is None
    assert ("accept" in vary(response)) == negotiated


def test_negotiated_answer_names_its_document(site_server):
    response = requests.get(site_server.root + "/id/jp/org/mofa",
                            headers={"Accept": "text/turtle"}, timeout=30)
    assert response.headers["Content-Location"] == "/id/jp/org/mofa.ttl"
    assert "accept" in vary(response)
    assert '</id/jp/org/mofa.html>; rel="alternate"; type="text/html"' in response.headers["Link"]


@pytest.mark.parametrize(("params", "accept", "status"), [
    ({}, "image/png", 406),
    ({}, "application/sparql-results+json", 406),
    ({"format": "csv"}, None, 406),
    ({"format": "docx"}, "image/png", 406),  # an unknown format= leaves it to Accept
], ids=["png", "results-json", "format-csv", "format-unknown"])
def test_formats_that_do_not_fit(site_server, params, accept, status):
    headers = {"Accept": accept} if accept else {}
    response = requests.get(site_server.root + "/id/jp/org/mofa", params=params,
                            headers=headers, timeout=30)
    assert response.status_code == status


def test_unknown_iri_is_a_helpful_404_page(site_server):
    response = requests.get(site_server.root + "/id/jp/org/no-such-org",
                            headers={"Accept": BROWSER}, timeout=30)
    assert response.status_code == 404
    assert response.headers["Content-Type"].split(";")[0] == "text/html"
    page = parse_html(response.text)
    forms = [attrs for attrs in page.find("form") if attrs.get("action") == "/search"]
    assert forms and all(attrs["method"] == "get" for attrs in forms)
    assert any(attrs.get("name") == "q" for attrs in page.find("input"))
    assert any(attrs.get("href") == "/" for attrs in page.find("a"))
    assert "https://w3id.org/napgraph/id/jp/org/no-such-org is not in the graph" in response.text


def test_unknown_iri_is_plain_text_for_other_clients(site_server):
    response = requests.get(site_server.root + "/id/jp/org/no-such-org.ttl", timeout=30)
    assert response.status_code == 404
    assert response.headers["Content-Type"].split(";")[0] == "text/plain"


def test_well_known_void_answers_void_itself(site_server):
    response = requests.get(site_server.root + "/.well-known/void", allow_redirects=False,
                            headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 200
    graph = parse_rdf(response.content, "text/turtle")
    dcat = rdflib.Namespace("http://www.w3.org/ns/dcat#")
    void = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert (rdflib.URIRef(BASE + "dataset"), rdflib.RDF.type, dcat.Catalog) in graph
    japan = rdflib.URIRef(BASE + "dataset/jp")
    assert (japan, rdflib.RDF.type, void.Dataset) in graph
    assert (japan, void.sparqlEndpoint, rdflib.URIRef(BASE + "sparql")) in graph
    assert int(graph.value(japan, void.triples)) > 10_000
    assert (japan, void.dataDump, rdflib.URIRef(BASE + "download/napgraph.nq")) in graph


def test_ontology_document_is_its_named_graph(site_server, store):
    response = requests.get(site_server.root + "/ontology.ttl", timeout=30)
    graph = parse_rdf(response.content, "text/turtle")
    size = next(iter(store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BASE}graph/ontology> {{ ?s ?p ?o }} }}")))
    assert len(graph) == int(size["n"].value)
    nap = rdflib.Namespace(BASE + "ontology#")
    assert (nap.Consultation, rdflib.RDF.type, rdflib.OWL.Class) in graph


def test_ontology_terms_have_anchors(site_server):
    page = parse_html(requests.get(site_server.root + "/ontology",
                                   headers={"Accept": BROWSER}, timeout=30).text)
    ids = {attrs.get("id") for attrs in page.find("article")}
    assert {"Consultation", "Participation", "hasParticipation", "ordinal"} <= ids


def test_pages_are_cached_and_conditional(site_server):
    url = site_server.root + "/id/jp/consultation/2018-03"
    first = requests.get(url, headers={"Accept": BROWSER}, timeout=30)
    second = requests.get(url, headers={"Accept": BROWSER}, timeout=30)
    assert first.headers["ETag"] == second.headers["ETag"]
    assert second.content == first.content
    again = requests.get(url, headers={"Accept": BROWSER, "If-None-Match": first.headers["ETag"]},
                         timeout=30)
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/", "/id/jp/consultation/2018-01", "/sparql", "/queries",
                                  "/search?q=supply", "/ontology", "/id/jp/org/nowhere"])
def test_html_carries_the_security_headers(site_server, path):
    response = requests.get(site_server.root + path, headers={"Accept": BROWSER}, timeout=30)
    assert response.headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    page = parse_html(response.text)
    assert not page.inline_handlers, "an inline event handler"
    assert not [a for a in page.all_attrs if "style" in a], "an inline style"


# Resources with more incoming statements of one property than a page lists (50).
MANY_POINTING = [("id/role/relevant-ministry", "http://www.w3.org/ns/prov#hadRole"),
                 ("id/jp/source/nap-2018-consultations", "http://www.w3.org/ns/oa#hasSource")]


@pytest.mark.parametrize(("path", "prop"), MANY_POINTING, ids=[p for p, _ in MANY_POINTING])
def test_a_long_incoming_list_is_bounded_counted_and_linked(site_server, store, path, prop):
    """A page lists 50 of the resources pointing to it with one property, says how many
    there are in all (the store's count), and links the SPARQL query page that lists them
    all; its embedded JSON-LD leaves them out, its JSON-LD document holds them all."""
    iri = BASE + path
    pointing = {str(row["s"].value) for row in store.query(
        f"SELECT DISTINCT ?s WHERE {{ ?s <{prop}> <{iri}> }}", use_default_graph_as_union=True)}
    assert len(pointing) > 50
    response = requests.get(f"{site_server.root}/{path}", headers={"Accept": BROWSER}, timeout=30)
    page = parse_html(response.text)
    [more] = [" ".join(t.split()) for tag, attrs, t in page.texts
              if tag == "li" and attrs.get("class") == "more"]
    assert more.startswith(f"and {len(pointing) - 50} more")
    [onward] = [a["href"] for a in page.find("a") if a.get("href", "").startswith("/sparql?")]
    listing = requests.get(site_server.root + onward, timeout=30)
    assert listing.status_code == 200
    assert f"of {len(pointing)} rows" in " ".join(listing.text.split())
    [embedded] = [json.loads(text) for attrs, text in page.scripts
                  if attrs.get("type") == "application/ld+json"]
    assert not [node for node in embedded for values in node.values() if isinstance(values, list)
                for value in values if isinstance(value, dict) and value.get("@id") == iri]
    document = requests.get(f"{site_server.root}/{path}.nt", timeout=30)
    graph = parse_rdf(document.content, "application/n-triples")
    assert {str(s) for s in graph.subjects(rdflib.URIRef(prop), rdflib.URIRef(iri))} == pointing
