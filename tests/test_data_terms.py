"""Every term the built data uses is declared in the ontology, and the data uses it the way
the ontology declares it (object properties point to IRIs, datatype properties to literals)."""

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from napgraph.graph import iris
from napgraph.graph.owl_lite import declared_terms
from napgraph.graph.paths import ontology_dir

# RDF, RDFS and OWL are the languages the ontology is written in, not terms it declares.
LANGUAGE = (str(RDF), str(RDFS), str(OWL))
ONTOLOGY_GRAPH = str(iris.graph("ontology"))


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_dir() / "napgraph.ttl")


@pytest.fixture(scope="module")
def data_quads(build) -> list[ox.Quad]:
    quads = ox.parse(path=str(build.release / "napgraph.nq"), format=ox.RdfFormat.N_QUADS)
    return [q for q in quads if q.graph_name.value != ONTOLOGY_GRAPH]


def used_predicates(quads) -> set[str]:
    return {q.predicate.value for q in quads if not q.predicate.value.startswith(LANGUAGE)}


def used_classes(quads) -> set[str]:
    return {
        q.object.value
        for q in quads
        if q.predicate.value == str(RDF.type) and not q.object.value.startswith(LANGUAGE)
    }


def test_every_predicate_is_declared(ontology, data_quads):
    declared = {str(t) for t in declared_terms(ontology)}
    assert sorted(used_predicates(data_quads) - declared) == []


def test_every_class_is_declared(ontology, data_quads):
    declared = {str(t) for t in declared_terms(ontology)} | {
        str(OWL.Ontology),
        str(OWL.Class),
        str(OWL.ObjectProperty),
        str(OWL.DatatypeProperty),
        str(OWL.AnnotationProperty),
        str(OWL.FunctionalProperty),
        str(OWL.Restriction),
    }
    assert sorted(used_classes(data_quads) - declared) == []


@pytest.mark.parametrize("kind", ["ObjectProperty", "DatatypeProperty"])
def test_properties_get_values_of_their_kind(ontology, data_quads, kind):
    properties = {str(p) for p in ontology.subjects(RDF.type, OWL[kind])}
    wants_iri = kind == "ObjectProperty"
    wrong = {
        q.predicate.value
        for q in data_quads
        if q.predicate.value in properties and isinstance(q.object, ox.NamedNode) != wants_iri
    }
    assert sorted(wrong) == []


def test_declared_terms_are_iris(ontology):
    assert all(isinstance(term, URIRef) for term in declared_terms(ontology))
