"""`napgraph build`: convert, emit, validate and publish a build folder."""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from napgraph.graph import iris
from napgraph.graph.dataset import build_dataset
from napgraph.graph.publish import (
    PublishError,
    generator,
    publish,
    serialize_all,
    to_quads,
    version_of,
)
from napgraph.graph.source import SourceError
from napgraph.graph.summary import summarise_quads, summary_graph
from napgraph.graph.validate import validate_graph


class BuildError(Exception):
    """The build failed; the previous build, if any, is untouched."""


@dataclass
class BuildReport:
    release: Path
    version: str
    counts: dict[str, int]
    repairs: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [f"built {self.release} (version {self.version[:16]}) in {self.seconds:.2f} s"]
        lines += [f"  {name:<22} {count:>6}" for name, count in self.counts.items()]
        lines += [f"  repaired: {repair}" for repair in self.repairs]
        return "\n".join(lines)


def run_build(
    build_dir: Path, source: Path | None = None, base: str | None = None, country: str = "jp",
    progress: Callable[[str], None] = lambda step: None,
) -> BuildReport:
    """Build the graph of `country` into `build_dir`; raises BuildError (with the source line
    for unreadable input, or the SHACL report for an invalid graph). `progress` is told each
    step as it starts (the command line prints them)."""
    started = time.perf_counter()
    base = base or iris.DEFAULT_BASE
    if not base.endswith(("/", "#")):
        raise BuildError(f"the base IRI must end with '/' or '#': {base!r}")
    progress("reading the source and converting it to RDF")
    try:
        dataset = build_dataset(source, country)
    except SourceError as error:
        raise BuildError(str(error)) from error
    shared = dataset.graphs[iris.graph("ontology")] + dataset.graphs[iris.graph("schemes")]
    data = Graph()
    for name, graph in dataset.graphs.items():
        if name not in (iris.graph("ontology"), iris.graph("schemes")):
            data += graph
    progress(f"checking {len(data)} triples against the shapes")
    result = validate_graph(data, shared)
    if not result.conforms:
        raise BuildError(f"the built graph does not conform to the shapes:\n{result.text}")
    progress("writing N-Quads, TriG, Turtle and JSON-LD")
    quads = to_quads(dataset.graphs, base)
    summary = summarise_quads(quads, country, base)  # graph/summary.py: kept with the release
    quads += summary
    files = serialize_all(quads, base)
    version = version_of(files)
    counts = _counts(dataset, len(quads))
    manifest = {
        "version": version,
        "base": base,
        "generator": generator(),
        "source": {"file": dataset.record.source.path.name, "sha256": dataset.record.source.sha256},
        "graphs": {
            iris.rebase(name, base): len(graph)
            for name, graph in dataset.graphs.items()
        } | {summary_graph(country, base).value: len(summary)},
        "counts": counts,
    }
    progress(f"publishing release {version[:16]} in {build_dir}")
    try:
        release = publish(build_dir, files, manifest)
    except PublishError as error:
        raise BuildError(str(error)) from None
    return BuildReport(
        release, version, counts, dataset.record.repairs, time.perf_counter() - started
    )


def _counts(dataset, quads: int) -> dict[str, int]:
    consultations = dataset.record.consultations
    actors = {p.actor for c in consultations for p in c.participations}
    return {
        "consultations": len(consultations),
        "actors attending": len(actors),
        "participations": sum(len(c.participations) for c in consultations),
        "contributions": sum(len(c.contributions) for c in consultations),
        "discussion points": sum(len(c.points) for c in consultations),
        "quads": quads,
    }
