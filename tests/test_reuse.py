"""Reused vocabularies work without a reasoner, and the published data loads in HermiT.

The live endpoint has no reasoner, so the build states the superclass types of reused
vocabularies (graph/entailment.py). Each query below is written only in ORG, FOAF,
schema.org, PROV, SKOS or Web Annotation terms and must find exactly the resources that
napgraph's own data identifies by other means. The whole published dataset must load in
HermiT (OWL 2 DL) and be consistent.
"""

import shutil

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, ORG, RDF

from napgraph.graph.entailment import materialise_types, superclasses
from napgraph.graph.owl_lite import check_owl_lite
from napgraph.graph.schemes import load_ontology

# How napgraph's own data identifies each group of resources.
ORGANISATIONS = "?x org:classification ?kind"
PERSONS = "?x foaf:givenName ?name"
AGENTS = f"{{ {ORGANISATIONS} }} UNION {{ {PERSONS} }}"
CONSULTATIONS = "?x nap:ordinal ?n"
ACTIVITIES = f"{{ {CONSULTATIONS} }} UNION {{ ?x a nap:NAPProcess }}"
PARTICIPATIONS = "?c nap:hasParticipation ?x"
WORKS = "{ ?c nap:hasContribution ?x } UNION { ?x a nap:Instrument }"

# (what, a query in reused vocabularies only, the same resources found by napgraph's data)
STANDARD = [
    ("organisations (ORG)", "?x a org:Organization", ORGANISATIONS),
    ("organisations (FOAF)", "?x a foaf:Organization", ORGANISATIONS),
    ("organisations (schema.org)", "?x a schema:Organization", ORGANISATIONS),
    ("agents (FOAF)", "?x a foaf:Agent", AGENTS),
    ("agents (PROV)", "?x a prov:Agent", AGENTS),
    ("persons (FOAF)", "?x a foaf:Person", PERSONS),
    ("persons (schema.org)", "?x a schema:Person", PERSONS),
    ("events (schema.org)", "?x a schema:Event", CONSULTATIONS),
    ("activities (PROV)", "?x a prov:Activity", ACTIVITIES),
    ("associations (PROV)", "?x a prov:Association", PARTICIPATIONS),
    ("influences (PROV)", "?x a prov:Influence", PARTICIPATIONS),
    ("creative works (schema.org)", "?x a schema:CreativeWork", WORKS),
    ("legislation (schema.org)", "?x a schema:Legislation", "?x a nap:DomesticLaw"),
    ("concepts (SKOS)", "?x a skos:Concept", "?x skos:inScheme ?scheme"),
]
COUNTS = {"organisations (ORG)": 49, "persons (FOAF)": 2, "events (schema.org)": 10}


@pytest.mark.parametrize(("what", "standard", "own"), STANDARD, ids=[s[0] for s in STANDARD])
def test_standard_query_finds_every_resource(sparql, what, standard, own):
    found = {row["x"] for row in sparql(f"SELECT DISTINCT ?x {{ {standard} }}")}
    expected = {row["x"] for row in sparql(f"SELECT DISTINCT ?x {{ {own} }}")}
    assert expected and found == expected
    if what in COUNTS:
        assert len(found) == COUNTS[what]


def test_every_organisation_in_a_named_graph(sparql):
    """The query of issue 13, as the live endpoint runs it (named graphs, no reasoner)."""
    rows = sparql("SELECT (COUNT(DISTINCT ?o) AS ?n) { GRAPH ?g { ?o a org:Organization } }")
    assert rows == [{"n": "49"}]


def test_materialising_adds_only_superclass_types():
    graph = Graph()
    ada, unit = URIRef("urn:ex:ada"), URIRef("urn:ex:unit")
    graph.add((ada, RDF.type, FOAF.Person))
    graph.add((ada, FOAF.name, Literal("Ada")))
    graph.add((unit, RDF.type, ORG.OrganizationalUnit))
    added = materialise_types(graph, load_ontology())
    assert set(added) == {
        (ada, RDF.type, FOAF.Agent),
        (unit, RDF.type, ORG.Organization),
        (unit, RDF.type, FOAF.Agent),
    }
    assert len(graph) == 3 + 3


def test_superclasses_are_transitive():
    closure = superclasses(load_ontology())
    assert {ORG.Organization, FOAF.Organization, FOAF.Agent} <= closure[ORG.FormalOrganization]


def _published(build) -> Graph:
    """The union of the release's named graphs (N-Quads read as N-Triples, graph dropped)."""
    store = ox.Store()
    store.bulk_load(path=str(build.release / "napgraph.nq"), format=ox.RdfFormat.N_QUADS)
    triples = ox.serialize(
        store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"),
        format=ox.RdfFormat.N_TRIPLES,
    )
    return Graph().parse(data=triples.decode("utf-8"), format="nt")


def test_published_data_is_owl_lite(build):
    assert check_owl_lite(_published(build)) == []


def test_published_data_is_consistent_in_hermit(build, tmp_path):
    """HermiT (bundled with owlready2) loads ontology, schemes and Japan's data together and
    finds them consistent; it fails on a literal outside the OWL 2 datatype map."""
    assert shutil.which("java"), "HermiT needs a Java runtime (setup.sh --test installs one)"
    import owlready2

    path = tmp_path / "napgraph.nt"
    _published(build).serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load(format="ntriples")
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
