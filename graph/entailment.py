"""Make the ontology's class hierarchy explicit in a country's data (rdf:type closure).

The published SPARQL endpoint has no reasoner, so a query written only in a reused
vocabulary (`?o a org:Organization`, `?p a foaf:Agent`) finds a resource only if the
superclass type is stated. The build therefore adds, for every `rdf:type` in the facts and
registry graphs, the types of all superclasses that `ontology/napgraph.ttl` declares
(rdfs:subClassOf, transitively). Nothing else is inferred: no sub-properties, inverses,
domains or ranges, so no other triple of a country's facts changes.
"""

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS


def superclasses(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    """{named class: every named superclass of it, transitively}, from rdfs:subClassOf."""
    direct: dict[URIRef, set[URIRef]] = {}
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(sub, set()).add(sup)
    closure: dict[URIRef, set[URIRef]] = {}
    for start in direct:
        seen: set[URIRef] = set()
        pending = list(direct[start])
        while pending:
            cls = pending.pop()
            if cls not in seen:
                seen.add(cls)
                pending += direct.get(cls, ())
        closure[start] = seen - {start}
    return closure


def materialise_types(graph: Graph, ontology: Graph) -> Graph:
    """Add to `graph` the superclass types its typed resources have; return what was added."""
    closure = superclasses(ontology)
    added = Graph()
    for node, cls in list(graph.subject_objects(RDF.type)):
        for sup in closure.get(cls, ()):
            if (node, RDF.type, sup) not in graph:
                added.add((node, RDF.type, sup))
    graph += added
    return added
