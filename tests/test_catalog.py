"""The dataset describes itself (VoID + DCAT): what it holds, where to get it, how big it is."""

import pytest

from napgraph.graph import iris


def test_dataset_counts_its_triples(sparql, store):
    rows = sparql("SELECT ?d ?n WHERE { ?d void:triples ?n }", d=str(iris.dataset("jp")))
    described = int(rows[0]["n"])
    counted = sparql(
        """SELECT ?o ?s ?c ?k (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?x ?y ?z }
        FILTER (?g NOT IN (?o, ?s, ?c, ?k)) } GROUP BY ?o ?s ?c ?k""",
        o=str(iris.graph("ontology")),
        s=str(iris.graph("schemes")),
        c=str(iris.graph("catalog")),
        k=str(iris.graph("jp/catalog")),  # the country's summary (graph/summary.py)
    )
    assert described == int(counted[0]["n"])


@pytest.mark.parametrize(
    "name", ["napgraph.nq", "napgraph.trig", "napgraph.ttl", "napgraph.jsonld"]
)
def test_every_dump_is_a_distribution(sparql, name):
    rows = sparql(
        """SELECT ?d ?dist ?type WHERE { ?d dcat:distribution ?dist .
        ?dist dcat:downloadURL ?url ; dcat:mediaType ?type }""",
        d=str(iris.dataset("jp")),
    )
    urls = sparql("SELECT ?d ?url WHERE { ?d void:dataDump ?url }", d=str(iris.dataset("jp")))
    assert str(iris.iri(f"download/{name}")) in {r["url"] for r in urls}
    assert len(rows) == 4


def test_catalog_names_the_sparql_service_and_source(sparql):
    rows = sparql(
        """SELECT ?d ?endpoint ?source ?licence WHERE { ?d void:sparqlEndpoint ?endpoint ;
        dcterms:source ?source ; dcterms:license ?licence }""",
        d=str(iris.dataset("jp")),
    )
    assert rows == [
        {
            "endpoint": str(iris.iri("sparql")),
            "source": str(iris.source_document("jp", "nap-2018-consultations")),
            "licence": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]
