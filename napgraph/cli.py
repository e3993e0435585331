"""The `napgraph` command: build, validate and serve NAP graphs."""

import contextlib
import sys
import time
from pathlib import Path

import click

from napgraph import __version__

DEFAULT_BUILD_DIR = Path("build")


build_dir_option = click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_BUILD_DIR,
    show_default=True,
    help="Build folder (as written by `napgraph build`).",
)


@click.group()
@click.version_option(__version__, prog_name="napgraph")
def main() -> None:
    """napgraph: National Action Plans on Business and Human Rights as linked data."""


@main.command()
@click.option(
    "--source",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Source document (default: the bundled Japanese record).",
)
@click.option(
    "--out",
    "build_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_BUILD_DIR,
    show_default=True,
    help="Build folder.",
)
@click.option(
    "--base", help="Base IRI of the published graph (default https://w3id.org/napgraph/)."
)
def build(source: Path | None, build_dir: Path, base: str | None) -> None:
    """Convert the source document to RDF, validate it and publish it to the build folder."""
    from napgraph.graph.build import BuildError, run_build

    started = time.perf_counter()

    def progress(step: str) -> None:
        # To stderr, so the summary on stdout stays the build's answer.
        click.echo(f"[{time.perf_counter() - started:5.1f} s] {step} …", err=True)

    try:
        report = run_build(build_dir, source=source, base=base, progress=progress)
    except BuildError as error:
        raise click.ClickException(str(error)) from error
    click.echo(report.summary())
    _write_served_store(build_dir)


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--full", is_flag=True, help="Also print pyshacl's whole report.")
def validate(path: Path, full: bool) -> None:
    """Check an RDF file (N-Quads, TriG, Turtle, JSON-LD, RDF/XML, N-Triples) against the shapes.

    Prints a summary (errors and broken rules) first, then each rule with a few of the nodes
    that break it; literals that are not of their datatype are listed by name. Exit status 1
    when the file does not conform.
    """
    from napgraph.graph.conformance import summarise
    from napgraph.graph.schemes import load_ontology, load_schemes
    from napgraph.graph.validate import read_union, validate_graph

    with _quiet_rdflib():  # rdflib logs a traceback for each ill-typed literal it reads
        try:
            data = read_union(path)
        except (ValueError, SyntaxError) as error:
            raise click.ClickException(f"{path}: {error}") from error
        ill_typed = _ill_typed(data)
        result = validate_graph(data, load_ontology() + load_schemes())
    conformance = summarise(result)
    errors = sum(len(nodes) for nodes in conformance.rules.values()) + len(ill_typed)
    if result.conforms and not ill_typed:
        click.echo(f"{path}: conforms to the NAP graph shapes (ontology/shapes.ttl)")
        return
    rules = len(conformance.rules) + (1 if ill_typed else 0)
    click.echo(f"{path}: {errors} error{'s' if errors != 1 else ''} in {rules} "
               f"rule{'s' if rules != 1 else ''}")
    if ill_typed:
        click.echo(f"  literals not of their datatype ({len(ill_typed)}×):")
        for line in ill_typed:
            click.echo(f"    {line}")
    for rule, nodes in conformance.rules.items():
        shown = ", ".join(f"<{node}>" for node in nodes[:3])
        more = f" and {len(nodes) - 3} more" if len(nodes) > 3 else ""
        click.echo(f"  {rule} ({len(nodes)}×: {shown}{more})")
    if full:
        click.echo("\n" + result.text)
    raise SystemExit(1)


@contextlib.contextmanager
def _quiet_rdflib():
    """Silence rdflib's logged tracebacks (the command reports ill-typed literals itself)."""
    import logging

    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def _ill_typed(graph) -> list[str]:
    """One line per literal whose text is not a value of its datatype (e.g. "first" as an
    xsd:integer), naming the subject and property it is the value of."""
    from rdflib import Literal

    found = []
    for subject, predicate, value in sorted(graph, key=str):
        if isinstance(value, Literal) and value.ill_typed:
            found.append(f"<{subject}> <{predicate}> {value.n3()}: not a valid "
                         f"{value.datatype}")
    return found


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=int,
    help="Worker processes of the production WSGI server.",
)
@click.option(
    "--store", "store_url", help="Remote SPARQL 1.1 store URL instead of the embedded one."
)
@build_dir_option
def serve(host: str, port: int, workers: int, store_url: str | None, build_dir: Path) -> None:
    """Build the graph if needed, load it and serve SPARQL and linked-data pages."""
    from napgraph.server.serving import serve as run

    run(host=host, port=port, workers=workers, store_url=store_url, build_dir=build_dir)


@main.command("import")
@click.argument("source")
@click.option(
    "--country",
    "country",
    required=True,
    help="Country code: ISO 3166-1 alpha-2 in lower case (e.g. fr), or synthetic (s0001).",
)
@click.option(
    "--format",
    "rdf_format",
    help="RDF format of a file: an extension (ttl, trig, nq, nt, jsonld, rdf) or a media "
    "type (default: from the file's extension).",
)
@build_dir_option
@click.option(
    "--replace",
    is_flag=True,
    help="Import over a country that the build holds (its built graphs are then not served).",
)
@click.option(
    "--max-validate",
    default=200_000,
    show_default=True,
    type=click.IntRange(min=0),
    help="Check conformance to the shapes only up to this many triples (0: never).",
)
@click.option(
    "--source-text",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The country's source document (UTF-8 text): each provenance quote is checked "
    "against it at its offsets.",
)
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for each answer of a SPARQL endpoint.",
)
def import_(
    source: str,
    country: str,
    rdf_format: str | None,
    build_dir: Path,
    replace: bool,
    max_validate: int,
    source_text: Path | None,
    timeout: float,
) -> None:
    """Import another country's NAP graph from SOURCE: an RDF file, a SPARQL endpoint URL
    (only the country's graphs are taken from an endpoint), or a folder of CSV files filled
    in from the spreadsheet template (docs/spreadsheet.md; a mistake is named by file, row
    and column).

    Its triples go to the named graph {BASE}graph/CC (provenance to graph/CC/provenance) in the
    build folder. Refused, with nothing written and a previous import of the country as it
    was: a file that does not parse (line and column), data about another country than CC,
    blank nodes, data that does not conform to the shapes, quotes that differ from
    --source-text. Triples about shared resources or other countries are kept out, and listed.
    """
    from napgraph.graph.imports import ImportRefused, import_country

    with _byte_progress(source, sys.stderr) as progress:
        try:
            report = import_country(
                source,
                country,
                build_dir,
                format=rdf_format,
                replace=replace,
                max_validate=max_validate,
                timeout=timeout,
                progress=progress,
                source_text=source_text,
            )
        except ImportRefused as error:
            raise click.ClickException(str(error)) from error
    click.echo(report.summary())
    _write_served_store(build_dir)


def _byte_progress(source: str, stream):
    """A progress bar over the bytes of a large local file, shown only on a terminal."""
    path = Path(source)
    if not (stream.isatty() and path.is_file() and path.stat().st_size >= 1 << 20):
        return contextlib.nullcontext(None)

    @contextlib.contextmanager
    def bar():
        with click.progressbar(
            length=path.stat().st_size, label=f"reading {path.name}", file=stream
        ) as progress:
            yield progress.update

    return bar()


@main.command()
@click.argument("country")
@build_dir_option
def remove(country: str, build_dir: Path) -> None:
    """Remove the imported COUNTRY (its code, in any case) at once; a running server stops
    serving it within seconds."""
    from napgraph.graph.remove import RemoveRefused, remove_country

    try:
        manifest = remove_country(build_dir, country)
    except RemoveRefused as error:
        raise click.ClickException(str(error)) from error
    triples = sum(manifest["graphs"].values())
    click.echo(f"removed {manifest['country']} ({triples} triples, imported "
               f"{manifest['imported']} from {manifest['source']['location']})")
    _write_served_store(build_dir)


def _write_served_store(build_dir: Path) -> None:
    """Write the on-disk store of what `build_dir` now serves (graph/served_store.py), which
    every query runner opens; raise click.ClickException if it cannot be written."""
    from napgraph.graph.publish import CorruptRelease
    from napgraph.graph.served_store import StoreError, make_build_store

    if not (build_dir / "current").exists():
        return  # no build yet, so nothing is served: `napgraph serve` builds, then writes it
    started = time.perf_counter()
    try:
        info = make_build_store(build_dir)
    except (CorruptRelease, StoreError, OSError, SyntaxError, ValueError) as error:
        raise click.ClickException(
            f"published, but the store to serve it could not be written: {error} "
            "(`napgraph serve` tries again at start)") from None
    click.echo(f"[{time.perf_counter() - started:5.1f} s] store of dataset "
               f"{info.version[:16]} ready in {info.folder} ({info.quads} quads)", err=True)


@main.command()
@build_dir_option
def graphs(build_dir: Path) -> None:
    """List the named graphs napgraph serves: the build's and each import's, with counts."""
    from napgraph.graph.loaded import list_graphs

    rows = list_graphs(build_dir)
    if not rows:
        click.echo(f"nothing in {build_dir}: run `napgraph build` or `napgraph import`")
        return
    width = max(len(row.name) for row in rows)
    click.echo(f"{'graph':<{width}}  {'triples':>9}  source")
    for row in rows:
        note = "  (replaced by an import)" if row.replaced else ""
        click.echo(f"{row.name:<{width}}  {row.triples:>9}  {row.source}{note}")


@main.command()
@click.option(
    "--to",
    "target",
    required=True,
    help="The store: its root URL or its query endpoint (Oxigraph: http://HOST:7878; "
    "Virtuoso: http://dba:PASSWORD@HOST:8890/sparql).",
)
@click.option(
    "--gsp",
    help="Graph Store Protocol endpoint (default: the store's own, for Oxigraph and Virtuoso).",
)
@build_dir_option
@click.option(
    "--timeout",
    default=300.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for the store's answer to each graph.",
)
def push(target: str, gsp: str | None, build_dir: Path, timeout: float) -> None:
    """Load the current build and every import into a remote SPARQL store.

    One PUT per named graph (SPARQL 1.1 Graph Store HTTP Protocol), which replaces the graph:
    pushing again gives the same store. Serve it with `napgraph serve --store URL`.
    """
    from napgraph.graph.push import PushError
    from napgraph.graph.push import push as run

    try:
        report = run(
            build_dir, target, gsp, timeout=timeout,
            progress=lambda graph: click.echo(graph.line()),
        )
    except PushError as error:
        raise click.ClickException(str(error)) from error
    click.echo(report.summary())


@main.command()
@click.option(
    "--countries",
    required=True,
    type=click.IntRange(1, 9999),
    help="How many synthetic countries (codes s0001, s0002, …).",
)
@click.option(
    "--out",
    "path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="N-Quads file to write.",
)
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--consultations",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="Consultations per country (10 make about 10,000 quads).",
)
def synth(countries: int, path: Path, seed: int, consultations: int) -> None:
    """Write synthetic NAP graphs (test data, not real facts) for benchmarks and tests."""
    from napgraph.graph.synthetic import write_nquads

    started = time.perf_counter()
    count = write_nquads(path, countries, seed, consultations)
    click.echo(
        f"wrote {count} quads of {countries} synthetic countries to {path} "
        f"in {time.perf_counter() - started:.2f} s"
    )
