"""Validate graphs against the SHACL shapes (`ontology/shapes.ttl`) with pyshacl."""

from dataclasses import dataclass
from pathlib import Path

from napgraph.graph.paths import ontology_dir
from rdflib import Dataset, Graph

QUAD_FORMATS = {".nq": "nquads", ".trig": "trig"}
TRIPLE_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".xml": "xml",
    ".owl": "xml",
}


@dataclass
class ValidationResult:
    conforms: bool
    text: str
    report: Graph


def load_shapes() -> Graph:
    return Graph().parse(ontology_dir() / "shapes.ttl")


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

    Raises ValueError for an unknown extension and rdflib's parser errors for bad syntax.
    """
    suffix = path.suffix.lower()
    if suffix in QUAD_FORMATS:
        dataset = Dataset()
        dataset.parse(path, format=QUAD_FORMATS[suffix])
        union = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    if suffix in TRIPLE_FORMATS:
        return Graph().parse(path, format=TRIPLE_FORMATS[suffix])
    raise ValueError(f"{path}: unknown RDF file extension {suffix!r}")


def validate_file(path: Path) -> ValidationResult:
    """Validate the RDF file at `path` together with the shared ontology and schemes."""
    from napgraph.graph.schemes import load_ontology, load_schemes

    shared = load_ontology() + load_schemes()
    return validate_graph(read_union(path), shared)
