"""Validate graphs against the SHACL shapes (`ontology/shapes*.ttl`) with pyshacl."""

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from napgraph.graph.paths import ontology_dir
from napgraph.graph.rdf_files import FORMATS, format_of


@dataclass
class ValidationResult:
    conforms: bool
    text: str
    report: Graph


def load_shapes() -> Graph:
    """The shared profile (`shapes.ttl`) and the country shapes (`shapes-{cc}.ttl`), each of
    which targets only its own country's resources."""
    shapes = Graph()
    for path in sorted(ontology_dir().glob("shapes*.ttl")):
        shapes.parse(path)
    return shapes


def validate_graph(data: Graph, shared: Graph | None = None) -> ValidationResult:
    """Validate `data`; `shared` (ontology and schemes) is mixed in for class and scheme checks."""
    from pyshacl import validate  # imported here: it is slow to import and only needed here

    if shared is not None:
        data = data + shared  # a new graph: the caller's is left as it was
    conforms, report, text = validate(
        data, shacl_graph=load_shapes(), inference="none", advanced=True, allow_warnings=True
    )
    return ValidationResult(bool(conforms), text, report)


def read_union(path: Path) -> Graph:
    """Parse an RDF file of any supported format into one graph (the union of its graphs).

    Raises ValueError for an unknown extension and SyntaxError (with line and column) for a
    file that does not parse.
    """
    rdf_format = format_of(path)
    if rdf_format is None:
        raise ValueError(f"unknown RDF file extension {path.suffix.lower()!r} "
                         f"(expected one of {', '.join(sorted(FORMATS))})")
    union = Graph()
    for quad in ox.parse(path=str(path), format=rdf_format, base_iri=path.absolute().as_uri()):
        union.add((_term(quad.subject), _term(quad.predicate), _term(quad.object)))
    return union


def _term(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def validate_file(path: Path) -> ValidationResult:
    """Validate the RDF file at `path` together with the shared ontology and schemes."""
    from napgraph.graph.schemes import load_ontology, load_schemes

    shared = load_ontology() + load_schemes()
    return validate_graph(read_union(path), shared)
