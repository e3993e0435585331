"""The links graph describes its links to Wikidata as a VoID linkset, so another country's
graph (or a crawler) can see what Japan's graph links to and how."""

from napgraph.graph import iris
from napgraph.graph.vocab import WD

LINKSET = str(iris.dataset("jp")) + "/links/wikidata"


def test_the_linkset_is_in_the_links_graph(sparql):
    rows = sparql(
        """SELECT ?ls ?g ?subjects ?objects ?predicate ?n WHERE { GRAPH ?g {
        ?ls a void:Linkset ; void:subjectsTarget ?subjects ; void:objectsTarget ?objects ;
            void:linkPredicate ?predicate ; void:triples ?n } }""",
        ls=LINKSET,
    )
    assert len(rows) == 1
    assert rows[0]["g"] == str(iris.graph("jp/links"))
    assert rows[0]["subjects"] == str(iris.dataset("jp"))
    assert rows[0]["predicate"] == "http://www.w3.org/2002/07/owl#sameAs"


def test_the_linkset_counts_its_links(sparql):
    counted = sparql(
        """SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s owl:sameAs ?o
        FILTER STRSTARTS(STR(?o), STR(wd:)) } } GROUP BY ?g""",
        g=str(iris.graph("jp/links")),
    )
    described = sparql("SELECT ?ls ?n WHERE { ?ls void:triples ?n }", ls=LINKSET)
    assert int(counted[0]["n"]) > 0
    assert described == [{"n": counted[0]["n"]}]


def test_wikidata_is_described_as_the_objects_target(sparql):
    rows = sparql(
        """SELECT ?ls ?space ?endpoint WHERE { ?ls void:objectsTarget ?wd .
        ?wd a void:Dataset ; void:uriSpace ?space ; void:sparqlEndpoint ?endpoint }""",
        ls=LINKSET,
    )
    assert rows == [{"space": str(WD), "endpoint": "https://query.wikidata.org/sparql"}]
