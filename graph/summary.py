"""A country's summary: the figures of its home-page row and country page, as VoID statistics.

Computed once when the country's release is made (`napgraph build` for the build's country,
`napgraph import` for an import), from that country's own graphs only (and the shared concept
schemes, for the principles its topics concern), and published with it in the country's
catalog graph `graph/{cc}/catalog`. Pages read these few triples instead of counting over the
union of every country on each request, and a figure cannot double because another graph
states the same facts. Vocabulary (docs/model.md, "Summaries"): on the dataset
`{base}dataset/{cc}`,

- `void:classPartition` per counted class (`void:class`, `void:entities`): NAP processes,
  consultations, participations, contributions, discussion points, and the instruments the
  consultations name;
- `void:propertyPartition` for `prov:agent`: `void:triples` (participations with an agent)
  and `void:distinctObjects` (the actors who attended);
- `dcterms:temporal`: a `dcterms:PeriodOfTime` with `dcat:startDate`/`dcat:endDate`, the
  first and last consultation;
- `void:subset` per UN Guiding Principle addressed: `dcterms:subject` the principle,
  `void:class nap:Consultation`, `void:entities` the consultations that addressed it.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from napgraph.graph import iris

FOLDER = Path(__file__).parent
NAP = "https://w3id.org/napgraph/ontology#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
# (part name, class counted, column of summary.rq)
CLASSES = (
    ("processes", NAP + "NAPProcess", "processes"),
    ("consultations", NAP + "Consultation", "consultations"),
    ("participations", NAP + "Participation", "participations"),
    ("contributions", NAP + "Contribution", "contributions"),
    ("discussion-points", NAP + "DiscussionPoint", "points"),
    ("instruments", NAP + "Instrument", "instruments"),
)
PROV_AGENT = "http://www.w3.org/ns/prov#agent"


def summary_graph(cc: str, base: str) -> ox.NamedNode:
    """The graph a country's summary is published in: its catalog graph."""
    return ox.NamedNode(iris.rebase(str(iris.graph(f"{cc}/catalog")), base))


def summarise(store: ox.Store, cc: str, base: str) -> list[ox.Quad]:
    """The summary quads of country `cc`, computed over `store` (its own graphs and the
    shared schemes, nothing of another country)."""
    def node(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iris.rebase(iri, base))

    country = node(str(iris.country(cc)))
    dataset = node(str(iris.dataset(cc)))
    graph = summary_graph(cc, base)
    figures = _one_row(store, "summary.rq", country, base)
    triples: list[tuple] = []

    def count(value: ox.Literal | None) -> ox.Literal:
        return ox.Literal(value.value if value is not None else "0", datatype=XSD_INTEGER)

    for part, klass, column in CLASSES:
        partition = node(str(iris.summary_part(cc, part)))
        triples += [(dataset, ox.NamedNode(VOID + "classPartition"), partition),
                    (partition, ox.NamedNode(VOID + "class"), node(klass)),
                    (partition, ox.NamedNode(VOID + "entities"), count(figures.get(column)))]
    agents = node(str(iris.summary_part(cc, "attendance")))
    triples += [(dataset, ox.NamedNode(VOID + "propertyPartition"), agents),
                (agents, ox.NamedNode(VOID + "property"), ox.NamedNode(PROV_AGENT)),
                (agents, ox.NamedNode(VOID + "triples"), count(figures.get("participations"))),
                (agents, ox.NamedNode(VOID + "distinctObjects"), count(figures.get("actors")))]
    if figures.get("first") is not None:
        period = node(str(iris.summary_part(cc, "period")))
        triples += [(dataset, ox.NamedNode(DCTERMS + "temporal"), period),
                    (period, RDF_TYPE, ox.NamedNode(DCTERMS + "PeriodOfTime")),
                    (period, ox.NamedNode(DCAT + "startDate"), figures["first"]),
                    (period, ox.NamedNode(DCAT + "endDate"), figures["last"])]
    for row in _rows(store, "summary-principles.rq", country, base):
        principle = row["principle"]
        notation = principle.value.rstrip("/").rsplit("/", 1)[-1]
        subset = node(str(iris.summary_part(cc, f"principle/{notation}")))
        triples += [(dataset, ox.NamedNode(VOID + "subset"), subset),
                    (subset, RDF_TYPE, ox.NamedNode(VOID + "Dataset")),
                    (subset, ox.NamedNode(DCTERMS + "subject"), principle),
                    (subset, ox.NamedNode(VOID + "class"), node(NAP + "Consultation")),
                    (subset, ox.NamedNode(VOID + "entities"), count(row["consultations"]))]
    return [ox.Quad(s, p, o, graph) for s, p, o in triples]


def summarise_quads(quads: Iterable[ox.Quad], cc: str, base: str) -> list[ox.Quad]:
    """The summary of `cc` over `quads` held in memory (a build: ~10^4 quads)."""
    store = ox.Store()
    store.extend(quads)
    return summarise(store, cc, base)


def summarise_file(nquads: Path, shared: Iterable[ox.Quad], cc: str, base: str) -> list[ox.Quad]:
    """The summary of `cc` over an N-Quads file and the `shared` schemes' quads, in a
    temporary store on disk, so memory does not grow with the size of the import."""
    folder = Path(tempfile.mkdtemp(prefix="napgraph-summary-", dir=nquads.parent))
    try:
        store = ox.Store(str(folder))
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        store.extend(shared)
        quads = summarise(store, cc, base)
        del store
        return quads
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _rows(store: ox.Store, name: str, country: ox.NamedNode, base: str) -> list[dict]:
    # The data is under `base`, the ontology's IRIs too (graph/publish.py `to_quads`).
    text = (FOLDER / name).read_text(encoding="utf-8").replace(iris.DEFAULT_BASE, base)
    solutions = store.query(text, use_default_graph_as_union=True,
                            substitutions={ox.Variable("country"): country})
    names = [variable.value for variable in solutions.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in solutions]


def _one_row(store: ox.Store, name: str, country: ox.NamedNode, base: str) -> dict:
    rows = _rows(store, name, country, base)
    return rows[0] if rows else {}


def summarise_import(nquads: Path, cc: str, base: str, build_dir: Path) -> list[ox.Quad]:
    """The summary of an imported country: its staged N-Quads, with the build's concept
    schemes (`graph/schemes` of `build_dir/current/napgraph.nq`, if there is a build)."""
    schemes = ox.NamedNode(iris.rebase(str(iris.graph("schemes")), base))
    dump = build_dir / "current" / "napgraph.nq"
    shared = [q for q in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS)
              if q.graph_name == schemes] if dump.is_file() else []
    return summarise_file(nquads, shared, cc, base)
