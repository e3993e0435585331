"""`napgraph import`: load another country's NAP graph into the build folder.

Imports live beside the build and are published like it (graph/publish.py), one folder per
country, so an import is swapped in with one rename and a failed one changes nothing:

    build/countries/{cc}/current -> releases/<version>
    build/countries/{cc}/releases/<version>/graph.nq       the imported quads
                                            catalog.nq     napgraph's description of them
                                                           (graph/{cc}/catalog: VoID, DCAT)
                                            manifest.json  the import record: source, format,
                                                           date, SHA-256, counts, conformance

The quads are converted as they are parsed and written straight to a staging folder of the
country's releases (hashed on the way), so memory stays flat whatever the size of the file.

Where triples go: those of the source's default graph and of every named graph go to
`{BASE}graph/{cc}`, except that a named graph whose IRI ends in `/provenance`, `/registry`
or `/links` goes to `graph/{cc}/provenance` (`/registry`, `/links`), the layout of a
napgraph build (docs/profile.md). napgraph's own shared graphs (`{BASE}graph/ontology`,
`graph/schemes`, `graph/catalog`: any `{BASE}graph/{name}` whose name is not a country code) and any
`…/catalog` graph are skipped, and counted: this build provides them, and describes the
import itself in `graph/{cc}/catalog` (graph/describe.py `describe_import`). Blank nodes are renamed so that they
never meet those of another file. IRIs under the default base move to the build's base.

A folder of spreadsheets (CSV files of the template `data/sheets-template/`, or its
`csv-metadata.json`) is first converted to N-Quads (graph/sheets), then imported the same way.

Refused, with nothing written and a previous import of the country left as it was: a
country code that is neither two lower-case letters nor a synthetic code; a country the
build holds, unless `replace` (the import then takes the place of the build's graphs of that
country); a source that does not parse, with its line and column (pyoxigraph's parsers are
strict: an invalid or relative IRI is a syntax error); an endpoint that does not answer; a
source with no triples. Reported but accepted: a graph that does not conform to the shapes.
"""

import json
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from napgraph.graph import iris
from napgraph.graph.conformance import Conformance, not_checked, quiet_literals, summarise
from napgraph.graph.describe import describe_import
from napgraph.graph.fetch import FetchError, fetch_dataset, is_endpoint
from napgraph.graph.import_scope import ImportRefused, Survey, check
from napgraph.graph.loaded import (
    CATALOG_FILE,
    GRAPH_FILE,
    belongs,
    built_countries,
    is_country,
    read_manifest,
)
from napgraph.graph.publish import (
    HashingReader,
    HashingWriter,
    Staged,
    generator,
    publish,
    staging_folder,
    version_of,
)
from napgraph.graph.rdf_files import FORMATS, format_of
from napgraph.graph.schemes import load_ontology, load_schemes
from napgraph.graph.sheets import is_sheets, write_nquads
from napgraph.graph.summary import summarise_import
from napgraph.graph.validate import validate_graph

OWN_GRAPHS = ("provenance", "registry", "links")  # kept apart, as in a napgraph build
SHEETS_FORMAT = "CSV on the Web (napgraph spreadsheet template)"
MAX_VALIDATE = 200_000  # pyshacl takes about 10 s per 100,000 triples


@dataclass
class ImportReport:
    """What an import did: the release folder, its manifest, conformance and duration."""

    release: Path
    manifest: dict
    conformance: Conformance
    seconds: float
    warnings: list[str] = field(default_factory=list)  # what was kept out

    def summary(self) -> str:
        record, source = self.manifest, self.manifest["source"]
        lines = [
            f"imported {record['country']} from {source['location']} ({source['format']}) "
            f"into {self.release} in {self.seconds:.2f} s"
        ]
        lines += [f"  {name:<60} {count:>9}" for name, count in record["graphs"].items()]
        lines += [
            f"  skipped {name} ({count} triples): napgraph's shared graph, the build provides it"
            for name, count in record["skipped"].items()
        ]
        if record.get("replaces"):
            lines.append(f"  replaces the build's graphs: {', '.join(record['replaces'])}")
        return "\n".join([*lines, *self.warnings, self.conformance.text()])


def check_country(cc: str) -> None:
    """Raise ImportRefused unless `cc` is two lower-case letters or a synthetic code."""
    if not is_country(cc):
        raise ImportRefused(
            f"country code {cc!r} is neither two lower-case letters (ISO 3166-1 alpha-2) nor "
            "a synthetic code (s0001 to s9999)"
        )


def rdf_format(path: Path, name: str | None = None) -> ox.RdfFormat:
    """The RDF format of `path`: `name` if given (an extension such as `ttl`, a media type,
    or a format name such as `Turtle`), else the file's extension. Raises ImportRefused."""
    known = ", ".join(sorted(FORMATS))
    if name is None:
        found = format_of(path)
        if found is None:
            raise ImportRefused(
                f"{path}: unknown RDF file extension {path.suffix!r} (expected one of {known}, "
                "or say which with --format)"
            )
        return found
    by_name = {fmt.name.lower(): fmt for fmt in FORMATS.values()}
    found = (
        FORMATS.get("." + name.lower().lstrip("."))
        or by_name.get(name.lower())
        or ox.RdfFormat.from_media_type(name)
    )
    if found is None:
        raise ImportRefused(f"unknown RDF format {name!r} (give an extension: {known})")
    return found


def import_country(
    source: str,
    country: str,
    build_dir: Path,
    *,
    format: str | None = None,
    replace: bool = False,
    max_validate: int = MAX_VALIDATE,
    timeout: float = 60.0,
    progress: Callable[[int], None] | None = None,
    source_text: Path | None = None,
) -> ImportReport:
    """Import the NAP graph at `source` (a file or a SPARQL endpoint URL) as `country`
    (a code in any case).

    Raises ImportRefused (saying why, with the line and column of a syntax error), and
    writes nothing, when the data describes another country, holds blank nodes, does not
    conform to the shapes (a summary by rule first, then the nodes), or quotes other than
    `source_text` (the country's source document) says at their offsets. Triples about
    resources outside the country's own IRIs are kept out and reported (graph/import_scope.py).
    `progress` is called with the number of bytes read; `max_validate` bounds the triples
    checked against the shapes.
    """
    started = time.perf_counter()
    country = country.strip().lower()
    check_country(country)
    build = read_manifest(build_dir / "current")
    base = build["base"] if build else iris.DEFAULT_BASE
    if build and country in built_countries(build) and not replace:
        raise ImportRefused(
            f"the build holds country {country!r} already "
            f"(graph <{iris.rebase(iris.graph(country), base)}>); "
            "pass --replace to import over it"
        )
    target = build_dir / "countries" / country
    replacing = bool(build) and country in built_countries(build)
    survey = Survey(country, tuple(dict.fromkeys((iris.DEFAULT_BASE, base))), replacing)
    with _staging(target) as staging:
        converted, location, format_name = _convert_source(
            source, format, staging / GRAPH_FILE, survey, base, max_validate, timeout, progress
        )
        check(survey, location, source_text)
        if not converted.counts:
            shared = ", ".join(converted.skipped)
            raise ImportRefused(
                f"{location}: holds no triples to import"
                + (f" (only napgraph's shared graphs: {shared})" if shared else "")
                + ("\n" + "\n".join(survey.warnings()) if survey.kept_out else "")
            )
        conformance = _conformance(converted.kept, sum(converted.counts.values()), max_validate)
        if conformance.checked and not conformance.conforms:
            raise ImportRefused(f"{location}: nothing was imported\n{conformance.details()}")
        record = {
            "country": country,
            "base": base,
            "generator": generator(),
            "imported": date.today().isoformat(),
            "source": {
                "location": location,
                "format": format_name,
                "sha256": converted.sha256,
                "bytes": converted.size,
            },
            "graphs": dict(sorted(converted.counts.items())),
            "skipped": dict(sorted(converted.skipped.items())),
            "kept_out": sum(survey.kept_out.values()),
            "conformance": conformance.record(),
        }
        if replacing:
            record["replaces"] = sorted(g for g in build["graphs"] if belongs(g, country, base))
        catalog = describe_import(country, dict(converted.counts), base) + summarise_import(
            staging / GRAPH_FILE, country, base, build_dir)  # graph/summary.py
        record["catalog"] = {catalog[0].graph_name.value: len(catalog)}
        files = {
            GRAPH_FILE: converted.data,
            CATALOG_FILE: ox.serialize(catalog, format=ox.RdfFormat.N_QUADS),
        }
        identity = json.dumps(record, sort_keys=True).encode()
        record["version"] = version_of({**files, "manifest.json": identity})
        release = publish(target, files, record)
        report = ImportReport(release, record, conformance, time.perf_counter() - started)
        report.warnings = survey.warnings()
        return report


def _convert_source(
    source: str,
    format: str | None,
    written: Path,
    survey: Survey,
    base: str,
    max_validate: int,
    timeout: float,
    progress: Callable[[int], None] | None,
) -> tuple["_Converted", str, str]:
    """Convert a file, or what a SPARQL endpoint answers, into `written`: the conversion,
    where the data came from, and its format's name."""
    if not is_endpoint(source) and is_sheets(Path(source)):  # a folder of CSV files
        location, quads = str(Path(source).resolve()), written.with_name("sheets.nq")
        write_nquads(Path(source), survey.country, quads)  # SheetsRefused is an ImportRefused
        fmt = ox.RdfFormat.N_QUADS
        converted = _convert(quads, fmt, written, survey, base, max_validate, progress, location)
        return converted, location, SHEETS_FORMAT
    if not is_endpoint(source):
        path = Path(source)
        if not path.is_file():
            raise ImportRefused(f"{source}: no such file")
        found = rdf_format(path, format)
        converted = _convert(path, found, written, survey, base, max_validate, progress, source)
        return converted, str(path.resolve()), found.name
    with tempfile.TemporaryDirectory(prefix="napgraph-fetch-") as folder:
        fetched = Path(folder) / "endpoint.nq"
        try:
            with open(fetched, "wb") as output:
                fetch_dataset(source, output, timeout, survey.country)
        except FetchError as error:
            raise ImportRefused(str(error)) from error
        except SyntaxError as error:
            raise ImportRefused(_where(f"{source} (its answer)", error)) from error
        converted = _convert(
            fetched, ox.RdfFormat.N_QUADS, written, survey, base, max_validate, progress, source
        )
    return converted, source, "SPARQL 1.1 endpoint"


@contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A staging folder in `target`'s releases folder, removed afterwards with whatever
    publish did not move out of it; so are the folders it needed, if left empty (a refused
    first import of a country leaves nothing behind)."""
    created = [f for f in (target / "releases", target, target.parent) if not f.exists()]
    staging = staging_folder(target)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:
            try:
                folder.rmdir()
            except OSError:  # not empty: the import was published
                pass


def target_graph(
    name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph, country: str, base: str = iris.DEFAULT_BASE
) -> ox.NamedNode | None:
    """The graph that triples of the source graph `name` go to; None for a shared graph."""
    if isinstance(name, ox.NamedNode):
        for prefix in {str(iris.graph("")), iris.rebase(iris.graph(""), base)}:
            if name.value.startswith(prefix):
                first = name.value[len(prefix) :].split("/", 1)[0]
                if not is_country(first):
                    return None
        last = name.value.rstrip("/").rsplit("/", 1)[-1]
        if last == "catalog":  # a peer's description of its copy: this napgraph writes its own
            return None
        if last in OWN_GRAPHS:
            return _graph(f"{country}/{last}", base)
    return _graph(country, base)


# -- converting ---------------------------------------------------------------------------


@dataclass
class _Converted:
    data: Staged  # N-Quads, written to the staging folder
    counts: Counter  # target graph -> triples
    skipped: Counter  # shared source graph -> triples
    kept: list[ox.Triple] | None  # the triples as read, for validation (None: too many)
    sha256: str
    size: int


def _convert(
    path: Path,
    fmt: ox.RdfFormat,
    output: Path,
    survey: Survey,
    base: str,
    max_validate: int,
    progress: Callable[[int], None] | None,
    label: str,
) -> _Converted:
    """Parse `path` and write its quads, moved to the country's graphs, to `output` as
    N-Quads (streamed: a file of 10^7 quads is never held in memory)."""
    counts: Counter = Counter()
    skipped: Counter = Counter()
    targets: dict = {}
    kept: list[ox.Triple] | None = [] if max_validate > 0 else None

    def moved(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        nonlocal kept
        for quad in quads:
            name = quad.graph_name
            if name not in targets:
                targets[name] = target_graph(name, survey.country, base)
            target = targets[name]
            if target is None:
                skipped[name.value] += 1
                continue
            if not survey.admit(quad):
                continue
            counts[target.value] += 1
            if kept is not None and len(kept) >= max_validate:
                kept = None  # too many to validate: stop keeping them
            elif kept is not None:
                kept.append(quad.triple)
            subject, predicate, value = quad.subject, quad.predicate, quad.object
            if base != iris.DEFAULT_BASE:
                subject, predicate, value = (_rebased(t, base) for t in (subject, predicate, value))
            yield ox.Quad(subject, predicate, value, target)

    try:
        with open(path, "rb") as handle, open(output, "wb") as written:
            reading, writing = HashingReader(handle, progress), HashingWriter(written)
            ox.serialize(
                moved(ox.parse(reading, fmt, rename_blank_nodes=True)),
                writing,
                format=ox.RdfFormat.N_QUADS,
            )
            reading.finish()
    except SyntaxError as error:
        raise ImportRefused(_where(label, error)) from error
    except OSError as error:  # unreadable: permissions, a folder, a vanished file
        raise ImportRefused(f"{label}: {error.strerror or error}") from error
    data = Staged(output, writing.digest.hexdigest())
    return _Converted(data, counts, skipped, kept, reading.digest.hexdigest(), reading.size)


def _conformance(kept: list[ox.Triple] | None, total: int, max_validate: int) -> Conformance:
    if max_validate <= 0:
        return not_checked("switched off (--max-validate 0)")
    if kept is None:
        return not_checked(
            f"{total} triples, more than --max-validate {max_validate}; "
            "check the source with `napgraph validate FILE`"
        )
    with quiet_literals():
        data = Graph().parse(
            data=ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt"
        )
        return summarise(validate_graph(data, load_ontology() + load_schemes()))


def _where(label: str, error: SyntaxError) -> str:
    """`FILE:LINE:COLUMN: reason` (or `FILE: reason` when the parser gives no position)."""
    reason = error.msg
    if error.lineno is None:
        return f"{label}: {reason}"
    return f"{label}:{error.lineno}:{error.offset}: {reason}"


def _rebased(term, base: str):
    if isinstance(term, ox.NamedNode) and term.value.startswith(iris.DEFAULT_BASE):
        return ox.NamedNode(iris.rebase(term.value, base))
    return term


def _graph(name: str, base: str) -> ox.NamedNode:
    return ox.NamedNode(iris.rebase(iris.graph(name), base))
