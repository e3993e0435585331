"""Check that an RDF graph stays within OWL Lite (OWL 1), using rdflib only.

No maintained Python tool checks the OWL 1 Lite profile, so this module encodes the Lite
synopsis (W3C OWL Overview, section 3) and the structural rules of the OWL Lite/DL RDF
mapping that matter for a hand-written ontology: a whitelist of OWL vocabulary, 0/1
cardinalities, only named classes or restrictions in class positions, no punning (nor a
class as the value of an object property), literals only on datatype properties, every
property declared, annotations only in the ontology header, no shared blank nodes. It is a
linter, not a full parser of the abstract syntax.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

# The OWL vocabulary that OWL Lite allows. owl:versionIRI (OWL 2) is tolerated because it is
# a header annotation without semantics that OWL 1 tools read as an ontology property.
LITE_OWL = {
    OWL[name]
    for name in (
        "Class Thing Nothing Restriction onProperty allValuesFrom someValuesFrom minCardinality "
        "maxCardinality cardinality intersectionOf equivalentClass equivalentProperty sameAs "
        "differentFrom AllDifferent distinctMembers ObjectProperty DatatypeProperty "
        "AnnotationProperty OntologyProperty inverseOf TransitiveProperty SymmetricProperty "
        "FunctionalProperty InverseFunctionalProperty Ontology imports versionInfo versionIRI "
        "priorVersion backwardCompatibleWith incompatibleWith DeprecatedClass DeprecatedProperty"
    ).split()
}
# OWL 1 DL/Full terms outside Lite; any other non-Lite owl: term is OWL 2.
OWL1_NOT_LITE = {
    OWL[name] for name in "unionOf complementOf oneOf hasValue disjointWith DataRange".split()
}

CARDINALITIES = (OWL.minCardinality, OWL.maxCardinality, OWL.cardinality)
CLASS_POSITIONS = (RDFS.subClassOf, OWL.equivalentClass, OWL.allValuesFrom, OWL.someValuesFrom)
HEADER_PREDICATES = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
    OWL.imports,
    OWL.versionInfo,
    OWL.versionIRI,
    OWL.priorVersion,
    OWL.backwardCompatibleWith,
    OWL.incompatibleWith,
}
BUILT_IN_PROPERTIES = (
    HEADER_PREDICATES
    | LITE_OWL
    | {RDF.first, RDF.rest, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range}
)

# Each IRI may be typed as at most one of these kinds (no punning); any type outside the
# RDF/RDFS/OWL vocabularies makes it an individual.
KIND_OF_TYPE = {
    OWL.Class: "class",
    RDFS.Class: "class",
    OWL.DeprecatedClass: "class",
    OWL.ObjectProperty: "object property",
    OWL.TransitiveProperty: "object property",
    OWL.SymmetricProperty: "object property",
    OWL.InverseFunctionalProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
    OWL.OntologyProperty: "ontology property",
    OWL.Ontology: "ontology",
    RDFS.Datatype: "datatype",
}
PROPERTY_KINDS = {
    "object property",
    "datatype property",
    "annotation property",
    "ontology property",
}
# Types that say nothing about the kind of an IRI (its kind comes from another type).
NEUTRAL_TYPES = {
    OWL.FunctionalProperty,
    OWL.DeprecatedProperty,
    RDF.Property,
    OWL.Restriction,
    OWL.AllDifferent,
    RDF.List,
}

Kinds = dict[URIRef, set[str]]


def _kinds(graph: Graph) -> Kinds:
    """Map every typed IRI to the kinds its rdf:type triples give it."""
    kinds: Kinds = defaultdict(set)
    for subject, type_ in graph.subject_objects(RDF.type):
        if not isinstance(subject, URIRef) or type_ in NEUTRAL_TYPES:
            continue
        if type_ in KIND_OF_TYPE:
            kinds[subject].add(KIND_OF_TYPE[type_])
        elif not type_.startswith(str(OWL)):  # other owl: types are reported as not Lite
            kinds[subject].add("individual")
    return kinds


def declared_terms(graph: Graph) -> set[URIRef]:
    """Return every IRI that `graph` declares as a class or a property of any kind."""
    return {term for term, kinds in _kinds(graph).items() if kinds & (PROPERTY_KINDS | {"class"})}


def _name(graph: Graph, term: object) -> str:
    """Name `term` for a message: a prefixed IRI, or the restriction a blank node is."""
    if isinstance(term, URIRef):
        return graph.namespace_manager.normalizeUri(term)
    on = graph.value(term, OWL.onProperty)
    return f"a restriction on {_name(graph, on)}" if on is not None else "a blank node"


def _of_kind(kinds: Kinds, *wanted: str) -> set[URIRef]:
    return {term for term, term_kinds in kinds.items() if term_kinds & set(wanted)}


def _is_datatype(term: object) -> bool:
    return term == RDFS.Literal or (isinstance(term, URIRef) and term.startswith(str(XSD)))


def _is_class_or_restriction(graph: Graph, kinds: Kinds, term: object) -> bool:
    if isinstance(term, BNode):
        return (term, RDF.type, OWL.Restriction) in graph
    return term in (OWL.Thing, OWL.Nothing) or "class" in kinds.get(term, ())


def _vocabulary(graph: Graph, kinds: Kinds) -> Iterator[str]:
    for term in {term for triple in graph for term in triple}:
        if isinstance(term, URIRef) and term.startswith(str(OWL)) and term not in LITE_OWL:
            origin = "OWL 1 DL/Full" if term in OWL1_NOT_LITE else "OWL 2"
            yield f"{_name(graph, term)} is not in OWL Lite ({origin})"


def _punning(graph: Graph, kinds: Kinds) -> Iterator[str]:
    for term, term_kinds in kinds.items():
        if len(term_kinds) > 1:
            yield f"{_name(graph, term)} is punned: typed as {' and '.join(sorted(term_kinds))}"
        if "class" in term_kinds and (term, RDF.type, OWL.Class) not in graph:
            yield f"{_name(graph, term)} is an rdfs:Class but not an owl:Class"


def _restrictions(graph: Graph, kinds: Kinds) -> Iterator[str]:
    for predicate in CARDINALITIES:
        for restriction, value in graph.subject_objects(predicate):
            if not (isinstance(value, Literal) and str(value) in {"0", "1"}):
                yield (
                    f"{_name(graph, predicate)} {value} on {_name(graph, restriction)}: only 0 or 1"
                )
    for restriction in graph.subjects(RDF.type, OWL.Restriction):
        if len(set(graph.objects(restriction, OWL.onProperty))) != 1:
            yield f"an owl:Restriction ({_name(graph, restriction)}) needs one owl:onProperty"


def _class_positions(graph: Graph, kinds: Kinds) -> Iterator[str]:
    for predicate in CLASS_POSITIONS:
        for subject, obj in graph.subject_objects(predicate):
            values_from = predicate in (OWL.allValuesFrom, OWL.someValuesFrom)
            if not (
                _is_class_or_restriction(graph, kinds, obj) or (values_from and _is_datatype(obj))
            ):
                yield (
                    f"{_name(graph, predicate)} of {_name(graph, subject)} is "
                    f"{_name(graph, obj)}, neither a named class nor a restriction"
                )
    for subject, members in graph.subject_objects(OWL.intersectionOf):
        if not isinstance(subject, URIRef):
            yield "owl:intersectionOf on a blank node: only a named class may have one"
        for member in graph.items(members):
            if not _is_class_or_restriction(graph, kinds, member):
                yield (
                    f"owl:intersectionOf of {_name(graph, subject)} lists "
                    f"{_name(graph, member)}, neither a named class nor a restriction"
                )
    for predicate in (RDFS.domain, RDFS.range):
        for prop, obj in graph.subject_objects(predicate):
            named_class = isinstance(obj, URIRef) and _is_class_or_restriction(graph, kinds, obj)
            if not (named_class or _is_datatype(obj)):
                yield (
                    f"{_name(graph, predicate)} of {_name(graph, prop)} is "
                    f"{_name(graph, obj)}, neither a named class nor a datatype"
                )


def _declarations(graph: Graph, kinds: Kinds) -> Iterator[str]:
    used = set(graph.predicates()) - BUILT_IN_PROPERTIES
    for axiom in (RDFS.subPropertyOf, OWL.inverseOf, OWL.equivalentProperty):
        used |= set(graph.subjects(predicate=axiom)) | set(graph.objects(predicate=axiom))
    for axiom in (RDFS.domain, RDFS.range):
        used |= set(graph.subjects(predicate=axiom))
    used |= set(graph.objects(predicate=OWL.onProperty))
    for prop in used - _of_kind(kinds, *PROPERTY_KINDS):
        if not str(prop).startswith(str(OWL)):  # owl: terms are reported as not Lite
            yield (
                f"property {_name(graph, prop)} is used but not declared as an "
                "owl:ObjectProperty, owl:DatatypeProperty or owl:AnnotationProperty"
            )
    annotations = _of_kind(kinds, "annotation property", "ontology property")
    for ontology in graph.subjects(RDF.type, OWL.Ontology):
        for predicate in set(graph.predicates(ontology)) - HEADER_PREDICATES - annotations:
            yield f"ontology header uses {_name(graph, predicate)}, not an annotation property"


def _values(graph: Graph, kinds: Kinds) -> Iterator[str]:
    """Object properties take individuals, datatype properties literals (no punning)."""
    objects, datatypes = _of_kind(kinds, "object property"), _of_kind(kinds, "datatype property")
    classes = _of_kind(kinds, "class")
    for subject, predicate, obj in graph:
        if predicate in objects and isinstance(obj, Literal):
            yield f"object property {_name(graph, predicate)} of {_name(graph, subject)} has a literal"
        elif predicate in objects and obj in classes:
            yield (
                f"object property {_name(graph, predicate)} of {_name(graph, subject)} has "
                f"the class {_name(graph, obj)} as its value (a class used as an individual)"
            )
        elif predicate in datatypes and not isinstance(obj, Literal):
            yield f"datatype property {_name(graph, predicate)} of {_name(graph, subject)} has an IRI"


def _blank_nodes(graph: Graph, kinds: Kinds) -> Iterator[str]:
    uses = Counter(obj for obj in graph.objects() if isinstance(obj, BNode))
    for node, count in uses.items():
        if count > 1:
            yield f"{_name(graph, node)} is the object of {count} triples (blank node reused)"


CHECKS: tuple[Callable[[Graph, Kinds], Iterator[str]], ...] = (
    _vocabulary,
    _punning,
    _restrictions,
    _class_positions,
    _declarations,
    _values,
    _blank_nodes,
)


def check_owl_lite(graph: Graph) -> list[str]:
    """Return the ways in which `graph` leaves OWL Lite, as sorted messages; empty if none.

    It raises nothing: a graph that is no ontology at all just yields many messages.

    >>> check_owl_lite(Graph().parse(data="<urn:a> a <http://www.w3.org/2002/07/owl#Class> .",
    ...                              format="turtle"))
    []
    """
    kinds = _kinds(graph)
    return sorted({message for check in CHECKS for message in check(graph, kinds)})
