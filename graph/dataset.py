"""Assemble every named graph of a build from the record, the registry and the schemes."""

import json
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from napgraph.graph import iris
from napgraph.graph.converters import converter_for
from napgraph.graph.describe import describe
from napgraph.graph.emit_facts import emit_facts
from napgraph.graph.emit_registry import emit_links, emit_registry
from napgraph.graph.entailment import materialise_types
from napgraph.graph.paths import data_dir
from napgraph.graph.provenance import document_iri, emit_provenance
from napgraph.graph.record import Record
from napgraph.graph.registry import load_registry
from napgraph.graph.schemes import load_ontology, load_schemes
from napgraph.graph.source import SourceText


@dataclass
class Dataset:
    """The named graphs of one build, in publication order, and the parsed record."""

    graphs: dict[URIRef, Graph]
    record: Record
    meta: dict


def source_meta(country: str = "jp") -> dict:
    """The description of a country's bundled source (`data/<cc>/source.json`)."""
    return json.loads((data_dir() / country / "source.json").read_text(encoding="utf-8"))


def build_dataset(source: Path | None = None, country: str = "jp") -> Dataset:
    """Convert the country's record and emit its named graphs; raises SourceError on
    unreadable input."""
    meta = source_meta(country)
    registry = load_registry(country)
    text = SourceText.read(source or data_dir() / meta["file"])
    record = converter_for(country).convert(text, registry, meta)
    ontology = load_ontology()
    graphs = {
        iris.graph("ontology"): ontology,
        iris.graph("schemes"): load_schemes(),
        iris.graph(country): emit_facts(record, registry, meta),
        iris.graph(f"{country}/registry"): emit_registry(record, registry),
        iris.graph(f"{country}/provenance"): emit_provenance(record, registry, meta),
        iris.graph(f"{country}/links"): emit_links(record, registry),
    }
    for name in (iris.graph(country), iris.graph(f"{country}/registry")):
        materialise_types(graphs[name], ontology)  # the endpoint has no reasoner
    example = iris.consultation(country, record.consultations[0].date.year, 1)
    own = {
        name: graph
        for name, graph in graphs.items()
        if name == iris.graph(country) or str(name).startswith(f"{iris.graph(country)}/")
    }
    graphs[iris.graph("catalog")] = describe(own, country, document_iri(registry, meta), example)
    return Dataset(graphs, record, meta)
