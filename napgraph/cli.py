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

    try:
        report = run_build(build_dir, source=source, base=base)
    except BuildError as error:
        raise click.ClickException(str(error)) from error
    click.echo(report.summary())


@main.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(path: Path) -> None:
    """Check an RDF file (N-Quads, TriG, Turtle, JSON-LD, RDF/XML, N-Triples) against the shapes."""
    from napgraph.graph.validate import validate_file

    try:
        result = validate_file(path)
    except (ValueError, SyntaxError) as error:
        raise click.ClickException(f"{path}: {error}") from error
    click.echo(result.text)
    if not result.conforms:
        raise SystemExit(1)


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
    timeout: float,
) -> None:
    """Import another country's NAP graph from SOURCE: an RDF file or a SPARQL endpoint URL.

    Its triples go to the named graph {BASE}graph/CC (provenance to graph/CC/provenance) in the
    build folder. A file that does not parse is refused with its line and column, and a previous
    import of the country stays as it was; conformance to the shapes is reported, not enforced.
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
            )
        except ImportRefused as error:
            raise click.ClickException(str(error)) from error
    click.echo(report.summary())


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
