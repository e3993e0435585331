"""Publishing a country without writing RDF: a folder of CSV files (the template in
`data/sheets-template/`, described by W3C CSV on the Web metadata) turned into the named
graphs of the NAP graph profile, with one Web Annotation per row pointing at its quote.

`napgraph import FOLDER --country CC` calls `write_nquads`, then imports the N-Quads as any
other country's graph (graph/imports.py): the same scope checks, shapes, publishing and
catalogue. docs/spreadsheet.md is the guide for whoever fills the sheets in.
"""

from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from napgraph.graph import iris
from napgraph.graph.entailment import materialise_types
from napgraph.graph.publish import to_quads
from napgraph.graph.schemes import load_ontology, load_schemes
from napgraph.graph.sheets.context import Folder
from napgraph.graph.sheets.meetings import (
    emit_consultations,
    emit_contributions,
    emit_decisions,
    emit_participants,
    emit_points,
)
from napgraph.graph.sheets.plans import emit_commitments, emit_plans, emit_process, emit_stages
from napgraph.graph.sheets.quotes import Sources
from napgraph.graph.sheets.read import METADATA, SheetsRefused, read_folder
from napgraph.graph.sheets.refs import References
from napgraph.graph.sheets.registry import emit_actors, emit_concepts, emit_places

__all__ = ["SheetsRefused", "convert_folder", "is_sheets", "write_nquads"]

# In this order: a row may point only at what an earlier step declared.
STEPS = (emit_concepts, emit_actors, emit_places, emit_stages, emit_consultations,
         emit_participants, emit_contributions, emit_points, emit_decisions, emit_plans,
         emit_commitments)


def is_sheets(path: Path) -> bool:
    """True if `path` is a folder of spreadsheets (or the csv-metadata.json of one)."""
    return path.is_dir() or path.name == METADATA


def convert_folder(folder: Path, country: str) -> dict[str, Graph]:
    """The facts, registry and provenance graphs of the spreadsheets in `folder`, by graph
    IRI. Raises SheetsRefused naming the file, row, column and reason of every problem."""
    sheets = read_folder(folder)
    provenance = Graph()
    refs = References(country, load_schemes())
    sources = Sources(folder, country, provenance)
    work = Folder(country, sheets, refs, sources, Graph(), Graph())
    for row in sheets.tables["sources.csv"]:
        sources.add(row)
    if emit_process(work):
        for step in STEPS:
            step(work)
    for row in sheets.tables["sources.csv"]:
        if row.get("publisher"):
            publisher = refs.find("actor", row.get("publisher"), row, "publisher", "actors.csv")
            if publisher is not None:
                provenance.add((iris.source_document(country, row.get("id")),
                                DCTERMS.publisher, publisher))
    problems = refs.problems + sources.problems
    if problems:
        raise SheetsRefused(folder, sorted(problems, key=_order))
    ontology = load_ontology()
    for graph in (work.facts, work.registry):
        materialise_types(graph, ontology)  # the endpoint has no reasoner (docs/profile.md 4a)
    return {
        str(iris.graph(country)): work.facts,
        str(iris.graph(f"{country}/registry")): work.registry,
        str(iris.graph(f"{country}/provenance")): provenance,
    }


def write_nquads(source: Path, country: str, output: Path) -> None:
    """Convert the spreadsheets at `source` (a folder, or its csv-metadata.json) and write
    their graphs to `output` as N-Quads. Raises SheetsRefused."""
    folder = source if source.is_dir() else source.parent
    graphs = {URIRef(name): graph for name, graph in convert_folder(folder, country).items()}
    # to_quads sorts: the same folder always gives the same bytes (and the same checksum)
    output.write_bytes(ox.serialize(to_quads(graphs), format=ox.RdfFormat.N_QUADS))


def _order(problem) -> tuple:
    return (problem.file, problem.row or 0, problem.column or "")
