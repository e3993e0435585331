"""`napgraph import` and `napgraph graphs`: another country's graph lands in its own named
graphs in every RDF format; bad input is refused with its position and changes nothing."""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from napgraph.graph import iris, publish
from napgraph.graph.imports import (
    ImportRefused,
    check_country,
    import_country,
    rdf_format,
    target_graph,
)
from napgraph.graph.loaded import list_graphs, loaded_graph_files
from napgraph.graph.validate import validate_file

COUNTRIES = Path(__file__).parent / "data" / "countries"
FIXTURE = COUNTRIES / "xx.ttl"
SOURCE_TEXT = COUNTRIES / "xx-source.txt"
XX = str(iris.graph("xx"))
OA = "http://www.w3.org/ns/oa#"


def napgraph(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "napgraph", *args], capture_output=True, text=True, timeout=300
    )


def fixture_triples() -> set[ox.Triple]:
    return {q.triple for q in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE)}


def imported(build_dir: Path, cc: str = "xx") -> list[ox.Quad]:
    path = build_dir / "countries" / cc / "current" / "graph.nq"
    return list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def snapshot(build_dir: Path, cc: str = "xx") -> dict[str, bytes]:
    """What a reader of the country's import sees: where `current` points and its bytes."""
    current = build_dir / "countries" / cc / "current"
    return {
        "->": os.readlink(current).encode(),
        **{p.name: p.read_bytes() for p in sorted(current.iterdir())},
    }


@pytest.fixture
def build_dir(build, tmp_path) -> Path:
    """A copy of the session's build folder, so imports never touch the shared one."""
    folder = tmp_path / "build"
    shutil.copytree(build.release.parents[1], folder, symlinks=True)
    return folder


@pytest.fixture
def with_xx(build_dir) -> Path:
    """A build folder that holds an import of the fixture country."""
    import_country(str(FIXTURE), "xx", build_dir)
    return build_dir


# -- the fixture ---------------------------------------------------------------------------


def test_fixture_conforms_to_the_shapes():
    result = validate_file(FIXTURE)
    assert result.conforms, result.text


def test_fixture_is_labelled_synthetic():
    quads = list(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE))
    consultations = {q.subject for q in quads if q.object.value.endswith("#Consultation")}
    labels = {q.subject: q.object.value for q in quads if q.predicate.value.endswith("#label")}
    assert len(consultations) >= 3
    assert all("(synthetic)" in labels[c] for c in consultations)
    comments = {
        q.subject.value for q in quads if q.object.value == "Synthetic test data, not real facts"
    }
    assert {str(iris.dataset("xx")), str(iris.nap_process("xx", "synthetic-2099"))} <= comments


def _selectors() -> list[tuple[str, int, int, str]]:
    quads = list(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE))
    value = {(q.subject.value, q.predicate.value): q.object.value for q in quads}
    positions = sorted(
        q.subject.value for q in quads if q.object.value == OA + "TextPositionSelector"
    )
    return [
        (
            p,
            int(value[p, OA + "start"]),
            int(value[p, OA + "end"]),
            value[p.removesuffix("-position") + "-quote", OA + "exact"],
        )
        for p in positions
    ]


@pytest.mark.parametrize(
    ("selector", "start", "end", "exact"),
    _selectors(),
    ids=[s[0].rsplit("/id/xx/", 1)[1] for s in _selectors()],
)
def test_fixture_quotes_its_source_text(selector, start, end, exact):
    assert SOURCE_TEXT.read_text(encoding="utf-8")[start:end] == exact


def test_fixture_checksum_is_that_of_its_source_text():
    digest = hashlib.sha256(SOURCE_TEXT.read_bytes()).hexdigest()
    assert f'"{digest}"^^xsd:hexBinary' in FIXTURE.read_text(encoding="utf-8")


# -- every format --------------------------------------------------------------------------

FORMATS = {
    "ttl": "TURTLE",
    "nt": "N_TRIPLES",
    "nq": "N_QUADS",
    "trig": "TRIG",
    "jsonld": "JSON_LD",
    "rdf": "RDF_XML",
}


@pytest.mark.parametrize("extension", FORMATS)
def test_import_of_every_format_lands_the_same_triples(build_dir, tmp_path, extension):
    source = tmp_path / f"exampleland.{extension}"
    source.write_bytes(
        ox.serialize(fixture_triples(), format=getattr(ox.RdfFormat, FORMATS[extension]))
    )
    done = napgraph("import", str(source), "--country", "xx", "--build-dir", str(build_dir))
    assert done.returncode == 0, done.stderr
    quads = imported(build_dir)
    assert {q.graph_name.value for q in quads} == {XX}
    assert {q.triple for q in quads} == fixture_triples()
    assert "conforms to the NAP graph shapes" in done.stdout


def test_format_option_overrides_the_extension(build_dir, tmp_path):
    source = tmp_path / "exampleland.data"
    source.write_bytes(ox.serialize(fixture_triples(), format=ox.RdfFormat.N_TRIPLES))
    done = napgraph(
        "import", str(source), "--country", "xx", "--format", "nt", "--build-dir", str(build_dir)
    )
    assert done.returncode == 0, done.stderr
    assert {q.triple for q in imported(build_dir)} == fixture_triples()


RDF_FORMATS = [
    ("graph.ttl", None, "TURTLE"),
    ("graph.jsonld", None, "JSON_LD"),
    ("graph.json", None, "JSON_LD"),
    ("graph.owl", None, "RDF_XML"),
    ("graph.data", "trig", "TRIG"),
    ("graph.data", ".nq", "N_QUADS"),
    ("graph.data", "application/n-triples", "N_TRIPLES"),
    ("graph.data", "Turtle", "TURTLE"),
]


@pytest.mark.parametrize(("name", "given", "expected"), RDF_FORMATS)
def test_format_comes_from_the_option_or_the_extension(name, given, expected):
    assert rdf_format(Path(name), given) == getattr(ox.RdfFormat, expected)


@pytest.mark.parametrize(("name", "given"), [("graph.xyz", None), ("graph.ttl", "excel")])
def test_unknown_format_is_refused(name, given):
    with pytest.raises(ImportRefused, match="unknown RDF"):
        rdf_format(Path(name), given)


# -- where triples go ----------------------------------------------------------------------

BASE = iris.DEFAULT_BASE
TARGETS = [
    ("default graph", ox.DefaultGraph(), "graph/xx"),
    ("blank graph", ox.BlankNode("g1"), "graph/xx"),
    ("other site's graph", ox.NamedNode("https://example.org/data"), "graph/xx"),
    (
        "other site's provenance",
        ox.NamedNode("https://example.org/data/provenance"),
        "graph/xx/provenance",
    ),
    ("napgraph country graph", ox.NamedNode(BASE + "graph/fr"), "graph/xx"),
    ("napgraph provenance", ox.NamedNode(BASE + "graph/fr/provenance"), "graph/xx/provenance"),
    ("napgraph registry", ox.NamedNode(BASE + "graph/fr/registry"), "graph/xx/registry"),
    ("napgraph links", ox.NamedNode(BASE + "graph/fr/links"), "graph/xx/links"),
    ("synthetic country", ox.NamedNode(BASE + "graph/s0001/provenance"), "graph/xx/provenance"),
    ("shared ontology", ox.NamedNode(BASE + "graph/ontology"), None),
    ("shared schemes", ox.NamedNode(BASE + "graph/schemes"), None),
    ("shared catalog", ox.NamedNode(BASE + "graph/catalog"), None),
]


@pytest.mark.parametrize(("case", "source", "expected"), TARGETS, ids=[t[0] for t in TARGETS])
def test_source_graphs_go_to_the_country_graphs(case, source, expected):
    target = target_graph(source, "xx")
    assert (target.value if target else None) == (BASE + expected if expected else None)


def test_a_napgraph_build_imports_graph_by_graph(build_dir, build):
    """Japan's published TriG imported over Japan: its own graphs keep their roles, the
    shared ones are skipped and counted."""
    report = import_country(str(build.release / "napgraph.trig"), "jp", build_dir, replace=True)
    built = json.loads((build.release / "manifest.json").read_text())["graphs"]
    assert report.manifest["graphs"] == {
        name: count for name, count in built.items()
        if "/graph/jp" in name and not name.endswith("/catalog")  # summaries: made anew
    }
    assert set(report.manifest["skipped"]) == {
        str(iris.graph(name)) for name in ("ontology", "schemes", "catalog", "jp/catalog")
    }


def test_imports_follow_the_build_base(tmp_path):
    from napgraph.graph.build import run_build

    run_build(tmp_path, base="http://localhost:8080/")
    import_country(str(FIXTURE), "xx", tmp_path)
    quads = imported(tmp_path)
    assert {q.graph_name.value for q in quads} == {"http://localhost:8080/graph/xx"}
    assert not any(
        t.value.startswith(BASE)
        for q in quads
        for t in (q.subject, q.object)
        if isinstance(t, ox.NamedNode)
    )


# -- what is loaded ------------------------------------------------------------------------


def test_graphs_lists_the_build_and_the_import(with_xx, build):
    done = napgraph("graphs", "--build-dir", str(with_xx))
    assert done.returncode == 0, done.stderr
    rows = {}
    for line in done.stdout.splitlines()[1:]:
        name, count, source = line.split(maxsplit=2)
        rows[name] = (int(count), source)
    built = json.loads((build.release / "manifest.json").read_text())["graphs"]
    catalog = XX + "/catalog"  # napgraph's VoID and DCAT description of the import
    assert {name: count for name, (count, _) in rows.items() if name not in (XX, catalog)} == built
    assert rows[XX][0] == len(fixture_triples())
    assert rows[catalog][0] > 0
    assert str(FIXTURE) in rows[XX][1]


def test_loaded_files_are_the_build_then_each_import(with_xx):
    assert loaded_graph_files(with_xx) == [
        (with_xx / "current" / "napgraph.nq").resolve(),
        (with_xx / "countries" / "xx" / "current" / "graph.nq").resolve(),
        (with_xx / "countries" / "xx" / "current" / "catalog.nq").resolve(),
    ]


def test_nothing_loaded_in_an_empty_folder(tmp_path):
    assert loaded_graph_files(tmp_path) == []
    assert list_graphs(tmp_path) == []
    done = napgraph("graphs", "--build-dir", str(tmp_path))
    assert done.returncode == 0 and "nothing in" in done.stdout


# -- refusals -------------------------------------------------------------------------------

CODES = [
    ("fr", True),
    ("xx", True),
    ("s0001", True),
    ("s9999", True),
    ("JP", False),
    ("jpn", False),
    ("j", False),
    ("s1", False),
    ("s00001", False),
    ("x1", False),
    ("ontology", False),
    ("", False),
    ("../jp", False),
]


@pytest.mark.parametrize(("code", "accepted"), CODES, ids=[c or "empty" for c, _ in CODES])
def test_country_codes(code, accepted):
    if accepted:
        check_country(code)
    else:
        with pytest.raises(ImportRefused, match="neither two lower-case letters"):
            check_country(code)


def test_cli_refuses_a_bad_country_code(build_dir):
    done = napgraph("import", str(FIXTURE), "--country", "xxx", "--build-dir", str(build_dir))
    assert done.returncode == 1
    assert "country code 'xxx' is neither" in done.stderr
    assert not (build_dir / "countries").exists()


def test_cli_takes_a_code_in_any_case(build_dir):
    done = napgraph("import", str(FIXTURE), "--country", "XX", "--build-dir", str(build_dir))
    assert done.returncode == 0, done.stderr
    assert {q.graph_name.value for q in imported(build_dir)} == {XX}


def test_built_country_needs_replace(build_dir):
    done = napgraph("import", str(FIXTURE), "--country", "jp", "--build-dir", str(build_dir))
    assert done.returncode == 1
    assert "pass --replace" in done.stderr
    assert not (build_dir / "countries").exists()


def as_japan(tmp_path: Path) -> Path:
    """The fixture re-written as a graph about Japan (its IRIs and country moved to jp)."""
    text = FIXTURE.read_text(encoding="utf-8")
    for old, new in (("/id/xx/", "/id/jp/"), ("/country/xx", "/country/jp"),
                     ("/dataset/xx", "/dataset/jp")):
        text = text.replace(old, new)
    path = tmp_path / "jp-small.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def test_replace_takes_the_place_of_the_built_country(build_dir, tmp_path):
    source = as_japan(tmp_path)
    done = napgraph(
        "import", str(source), "--country", "jp", "--replace", "--build-dir", str(build_dir)
    )
    assert done.returncode == 0, done.stderr
    served: dict[str, set] = {}
    for path in loaded_graph_files(build_dir):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            served.setdefault(quad.graph_name.value, set()).add(quad.triple)
    assert {name for name in served if "/graph/jp" in name} == {
        str(iris.graph("jp")), str(iris.graph("jp/catalog"))}
    assert served[str(iris.graph("jp"))] == {
        q.triple for q in ox.parse(path=str(source), format=ox.RdfFormat.TURTLE)}
    assert {str(iris.graph(n)) for n in ("ontology", "schemes", "catalog")} <= set(served)
    replaced = {row.name for row in list_graphs(build_dir) if row.replaced}
    assert str(iris.graph("jp/provenance")) in replaced


def test_a_file_without_triples_is_refused(build_dir, tmp_path):
    empty = tmp_path / "empty.ttl"
    empty.write_text("@prefix ex: <https://example.org/> .\n")
    with pytest.raises(ImportRefused, match="holds no triples"):
        import_country(str(empty), "xx", build_dir)


def test_a_missing_file_is_refused(build_dir, tmp_path):
    done = napgraph(
        "import", str(tmp_path / "nowhere.ttl"), "--country", "xx", "--build-dir", str(build_dir)
    )
    assert done.returncode == 1
    assert "no such file" in done.stderr


# (file name, content, line, column, part of the reason); RDF/XML errors carry no position.
BROKEN = [
    (
        "syntax.ttl",
        '@prefix ex: <https://example.org/> .\nex:a ex:b ex:c ;\n  ex:d "unterminated .\n',
        3,
        8,
        "Unexpected end of file",
    ),
    (
        "iri.nt",
        "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"
        "<https://example.org/a> <https://example.org/b> <http://exa mple.org/a> .\n",
        2,
        49,
        "Invalid IRI code point ' '",
    ),
    (
        "iri.ttl",
        "@prefix ex: <https://example.org/> .\n\nex:a ex:b <http://exa mple.org/a> .\n",
        3,
        11,
        "Invalid IRI code point ' '",
    ),
    (
        "relative.nt",
        "<https://example.org/a> <https://example.org/b> <c> .\n",
        1,
        49,
        "No scheme found in an absolute IRI",
    ),
    (
        "language.nq",
        '<https://example.org/a> <https://example.org/b> "x"@en-- <https://example.org/g> .\n',
        1,
        57,
        "base directions",
    ),
    (
        "syntax.trig",
        "@prefix ex: <https://example.org/> .\nex:g {\n ex:a ex:b ex:c .\n",
        4,
        1,
        "Unexpected end",
    ),
    (
        "syntax.jsonld",
        '{\n  "@id": "https://example.org/a",\n  "https://example.org/b": \n',
        4,
        1,
        "a value was expected",
    ),
    (
        "syntax.rdf",
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="https://example.org/a">\n</rdf:RDF>\n',
        None,
        None,
        "expected `</rdf:Description>`",
    ),
]


@pytest.mark.parametrize(
    ("name", "content", "line", "column", "reason"), BROKEN, ids=[b[0] for b in BROKEN]
)
def test_broken_file_is_refused_and_changes_nothing(
    with_xx, tmp_path, name, content, line, column, reason
):
    before = snapshot(with_xx)
    bad = tmp_path / name
    bad.write_text(content, encoding="utf-8")
    done = napgraph("import", str(bad), "--country", "xx", "--build-dir", str(with_xx))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    where = f"{bad}:{line}:{column}: " if line else f"{bad}: "
    assert f"Error: {where}" in done.stderr
    assert reason in done.stderr
    assert snapshot(with_xx) == before


def test_a_refused_first_import_leaves_no_folder(build_dir, tmp_path):
    """The quads are streamed to a staging folder as they are read; a source that breaks
    half-way leaves neither that folder nor the ones made for it."""
    bad = tmp_path / "half.nt"
    good = "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n"
    bad.write_text(good * 5000 + "<https://example.org/a> <b> .\n", encoding="utf-8")
    done = napgraph("import", str(bad), "--country", "yy", "--build-dir", str(build_dir))
    assert done.returncode == 1 and f"{bad}:5001:" in done.stderr
    assert not (build_dir / "countries").exists()


def test_failure_while_publishing_leaves_the_previous_import(with_xx, tmp_path, monkeypatch):
    """An import that fails after staging (the disk fills, the process is stopped) leaves
    the previous import served and no staging folder behind."""
    before, files = snapshot(with_xx), loaded_graph_files(with_xx)
    other = tmp_path / "other.nt"
    other.write_text("<https://w3id.org/napgraph/id/xx/a> <https://example.org/b> "
                     "<https://example.org/c> .\n")

    def fail(*args):
        raise OSError("No space left on device")

    monkeypatch.setattr(publish.os, "replace", fail)
    with pytest.raises(OSError, match="No space left"):
        import_country(str(other), "xx", with_xx)
    monkeypatch.undo()
    assert snapshot(with_xx) == before
    assert loaded_graph_files(with_xx) == files
    assert not list((with_xx / "countries" / "xx" / "releases").glob(".staging-*"))


def test_leftovers_of_a_killed_import_are_never_served(with_xx, tmp_path):
    """A process killed while it writes leaves a staging folder; readers never see it and
    the next import removes it."""
    releases = with_xx / "countries" / "xx" / "releases"
    leftover = releases / ".staging-killed"
    leftover.mkdir()
    (leftover / "graph.nq").write_text("<https://example.org/a> <https://example.org/b> ")
    files, rows = loaded_graph_files(with_xx), list_graphs(with_xx)
    assert all(".staging" not in str(path) for path in files)
    import_country(str(FIXTURE), "xx", with_xx)
    assert not leftover.exists()
    assert list_graphs(with_xx) == rows


def test_a_concurrent_imports_staging_is_left_alone(with_xx, tmp_path):
    """Another import of the same country, still converting in a live process, keeps its
    staging folder when this one publishes; a dead process's folder is removed."""
    import subprocess

    releases = with_xx / "countries" / "xx" / "releases"
    other = subprocess.Popen(["sleep", "60"])
    try:
        live = releases / f".staging-{other.pid}-converting"
        live.mkdir()
        (live / "graph.nq").write_text("<https://example.org/a> <https://example.org/b> ")
        dead = releases / ".staging-999999999-gone"
        dead.mkdir()
        import_country(str(FIXTURE), "xx", with_xx)
        assert (live / "graph.nq").exists()
        assert not dead.exists()
    finally:
        other.kill()
        other.wait()
    import_country(str(FIXTURE), "xx", with_xx)  # its process is gone now
    assert not live.exists()


# -- conformance is reported, not enforced --------------------------------------------------

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
# (case, subject whose triples are dropped (None: every subject), predicate, message)
NONCONFORMING = [
    ("no date", None, "https://schema.org/startDate", "A consultation has exactly one date"),
    (
        "no role",
        None,
        "http://www.w3.org/ns/prov#hadRole",
        "A participation has exactly one role from the role scheme",
    ),
    (
        "no process label",
        str(iris.nap_process("xx", "synthetic-2099")),
        LABEL,
        "A NAP process needs a label",
    ),
]


@pytest.mark.parametrize(
    ("case", "subject", "predicate", "message"), NONCONFORMING, ids=[n[0] for n in NONCONFORMING]
)
def test_nonconforming_graph_is_refused_with_a_summary_then_details(
    build_dir, tmp_path, case, subject, predicate, message
):
    kept = [
        t
        for t in fixture_triples()
        if not (t.predicate.value == predicate and subject in (None, t.subject.value))
    ]
    source = tmp_path / "broken-shape.nt"
    source.write_bytes(ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES))
    done = napgraph("import", str(source), "--country", "xx", "--build-dir", str(build_dir))
    assert done.returncode == 1
    summary, details = done.stderr.split("details:")
    assert "does not conform" in summary
    assert re.search(rf"Violation: {re.escape(message)}.*\(\d+×: <", summary)
    assert re.search(rf"Violation: {re.escape(message)}.*:\n    <", details)
    assert "Traceback" not in done.stderr
    assert not (build_dir / "countries").exists()


def test_big_graphs_are_not_validated_but_said_so(build_dir):
    report = import_country(str(FIXTURE), "xx", build_dir, max_validate=100)
    assert report.manifest["conformance"] == {
        "checked": False,
        "reason": f"{len(fixture_triples())} triples, more than --max-validate 100; "
        "check the source with `napgraph validate FILE`",
    }


def test_cli_default_limit_is_the_library_default():
    from napgraph.cli import import_
    from napgraph.graph.imports import MAX_VALIDATE

    option = next(p for p in import_.params if p.name == "max_validate")
    assert option.default == MAX_VALIDATE


def test_import_record(with_xx):
    manifest = json.loads((with_xx / "countries/xx/current/manifest.json").read_text())
    assert manifest["source"] == {
        "location": str(FIXTURE.resolve()),
        "format": "Turtle",
        "sha256": hashlib.sha256(FIXTURE.read_bytes()).hexdigest(),
        "bytes": FIXTURE.stat().st_size,
    }
    assert manifest["graphs"] == {XX: len(fixture_triples())}
    assert manifest["conformance"] == {"checked": True, "conforms": True, "rules": {}}
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", manifest["imported"])


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("stream", "shown"), [(Terminal, True), (io.StringIO, False)])
def test_progress_bar_only_on_a_terminal(tmp_path, stream, shown):
    from napgraph.cli import _byte_progress
    from napgraph.graph.synthetic import write_nquads

    big = tmp_path / "big.nq"
    write_nquads(big, 1)  # about 2 MB: big enough for a bar
    output = stream()
    with _byte_progress(str(big), output) as progress:
        assert (progress is not None) == shown
        import_country(str(big), "s0001", tmp_path / "build", progress=progress, max_validate=0)
    assert ("reading big.nq" in output.getvalue()) == shown
