"""The `napgraph` command: build, validate and serve NAP graphs."""

from pathlib import Path

import click

from napgraph import __version__

DEFAULT_BUILD_DIR = Path("build")


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
@click.option(
    "--build-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_BUILD_DIR,
    show_default=True,
)
def serve(host: str, port: int, workers: int, store_url: str | None, build_dir: Path) -> None:
    """Build the graph if needed, load it and serve SPARQL and linked-data pages."""
    from napgraph.server.serving import serve as run

    run(host=host, port=port, workers=workers, store_url=store_url, build_dir=build_dir)
