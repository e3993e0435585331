"""Spreadsheet folders (graph/sheets): the worked example converts to a conforming graph
with a quote for every row, the template matches it, and every kind of mistake is refused
with the file, row, column and reason (one case per row of tests/data/sheets/errors.csv,
each a one-cell change to the example)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF

from napgraph.graph import iris
from napgraph.graph.owl_lite import check_owl_lite
from napgraph.graph.registry import read_csv
from napgraph.graph.schemes import load_ontology, load_schemes
from napgraph.graph.sheets import SheetsRefused, convert_folder, write_nquads
from napgraph.graph.sheets.quotes import language
from napgraph.graph.sheets.read import METADATA, read_folder, template_dir
from napgraph.graph.validate import validate_graph
from napgraph.graph.vocab import NAP, OA

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "sampleland"
ERRORS = read_csv(Path(__file__).parent / "data" / "sheets" / "errors.csv")


@pytest.fixture(scope="module")
def example() -> dict[str, Graph]:
    return convert_folder(EXAMPLE, "xs")


def union(graphs: dict[str, Graph]) -> Graph:
    whole = Graph()
    for graph in graphs.values():
        whole += graph
    return whole


def test_example_conforms_to_the_shapes(example):
    result = validate_graph(union(example), load_ontology() + load_schemes())
    assert result.conforms, result.text


def test_example_has_the_graphs_of_a_build(example):
    assert set(example) == {str(iris.graph("xs")), str(iris.graph("xs/registry")),
                            str(iris.graph("xs/provenance"))}


@pytest.mark.parametrize(("name", "count"), [
    ("Consultation", 3), ("WrittenConsultation", 1), ("Participation", 5), ("Contribution", 4),
    ("DiscussionPoint", 2), ("Decision", 1), ("ActionPlan", 1), ("Commitment", 2),
    ("NAPProcess", 4),  # the whole process and its three stages
])
def test_example_holds_every_row(example, name, count):
    facts = example[str(iris.graph("xs"))]
    assert len(set(facts.subjects(RDF.type, getattr(NAP, name)))) == count


def test_every_quote_is_the_text_at_its_offsets(example):
    provenance = example[str(iris.graph("xs/provenance"))]
    text = (EXAMPLE / "sources" / "record.txt").read_text(encoding="utf-8")
    quotes = list(provenance.subjects(RDF.type, OA.TextQuoteSelector))
    # every row with a quote: 3 consultations, 5 participants, 4 contributions, 2 points,
    # 1 decision, 1 plan, 2 commitments, 1 stage
    assert len(quotes) == 19
    for quote in quotes:
        position = iris.annotation_part(str(quote).removesuffix("-quote"), "position")
        start, end = (int(provenance.value(position, p)) for p in (OA.start, OA.end))
        assert text[start:end] == str(provenance.value(quote, OA.exact))


def test_every_annotation_names_its_spreadsheet_row(example):
    provenance = example[str(iris.graph("xs/provenance"))]
    annotations = set(provenance.subjects(RDF.type, OA.Annotation))
    assert len(annotations) == 19
    for annotation in annotations:
        rows = [str(s) for s in provenance.objects(annotation, DCTERMS.source) if "#row=" in s]
        assert len(rows) == 1 and "/id/xs/source/sheets/" in rows[0]


def test_a_page_is_linked_from_the_annotation(example):
    """The example's participants rows give page 2 of a source without a url."""
    provenance = example[str(iris.graph("xs/provenance"))]
    node = iris.participation(iris.consultation("xs", 2099, 1), "shrc")
    sources = set(provenance.objects(iris.annotation(node), DCTERMS.source))
    assert sources == {iris.sheet_row(iris.sheet_table("xs", "participants.csv"), 3),
                       iris.page(iris.source_document("xs", "record"), 2)}


def test_template_metadata_is_the_example_metadata():
    assert (EXAMPLE / METADATA).read_bytes() == (template_dir() / METADATA).read_bytes()


def test_template_is_empty_and_reads():
    sheets = read_folder(template_dir())
    assert sheets.tables and not any(sheets.tables.values())


def copy_example(folder: Path, file_name: str | None = None,
                 cells: dict[tuple[int, str], str] | None = None) -> Path:
    """Copy the example to `folder`, with `cells` ({(row, column): value}) of one file set."""
    shutil.copytree(EXAMPLE, folder)
    if file_name:
        path = folder / file_name
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        for (row, column), value in (cells or {}).items():
            rows[row - 1][rows[0].index(column)] = value
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return folder


def _mutate(folder: Path, case: dict) -> None:
    """Apply one case's change to a copy of the example."""
    path, value = folder / case["file"], case["value"]
    if value == "<delete file>":
        path.unlink()
        return
    if value == "<encode latin-1>":
        path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
        return
    if value.startswith("<raw "):  # the whole line, as typed (or the whole file if no row)
        line = value.removeprefix("<raw ").removesuffix(">")
        lines = path.read_bytes().decode("utf-8").split("\r\n")
        if case["row"]:
            lines[int(case["row"]) - 1] = line
        else:
            lines = [line]
        path.write_text("\r\n".join(lines), encoding="utf-8")
        return
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if value == "<duplicate row>":
        rows.append(rows[int(case["row"]) - 1])
    elif value == "<drop column>":
        column = rows[0].index(case["column"])
        rows = [row[:column] + row[column + 1:] for row in rows]
    elif value.startswith("<rename column "):
        rows[0][rows[0].index(case["column"])] = value.removeprefix("<rename column ").rstrip(">")
    else:
        rows[int(case["row"]) - 1][rows[0].index(case["column"])] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


@pytest.mark.parametrize("case", ERRORS, ids=[c["case"] for c in ERRORS])
def test_mistake_is_refused_naming_file_row_and_column(case, tmp_path):
    folder = copy_example(tmp_path / "sheets")
    _mutate(folder, case)
    with pytest.raises(SheetsRefused) as refused:
        convert_folder(folder, "xs")
    expected_row = int(case["expect_row"]) if case["expect_row"] else None
    found = [p for p in refused.value.problems
             if (p.file, p.row, p.column or "") == (case["file"], expected_row,
                                                     case["expect_column"])]
    assert found, str(refused.value)
    assert any(case["reason"] in p.reason for p in found), str(refused.value)
    assert str(found[0]) in str(refused.value)


DOC = (ROOT / "docs" / "spreadsheet.md").read_text(encoding="utf-8")
COLUMNS = [
    (table["url"], column["name"])
    for table in json.loads((template_dir() / METADATA).read_text(encoding="utf-8"))["tables"]
    for column in table["tableSchema"]["columns"]
]


@pytest.mark.parametrize(("file", "column"), COLUMNS, ids=[f"{f}:{c}" for f, c in COLUMNS])
def test_column_is_documented_under_its_file(file, column):
    section = DOC.split(f"### `{file}`", 1)[1].split("\n### ", 1)[0]
    assert f"| `{column}` |" in section


@pytest.mark.parametrize("cls", [ORG.Organization, FOAF.Organization, FOAF.Agent, PROV.Agent],
                         ids=lambda c: c.n3().rsplit("/", 1)[-1])
def test_every_organisation_has_the_types_a_standard_query_asks_for(example, cls):
    registry = example[str(iris.graph("xs/registry"))]
    assert len(set(registry.subjects(RDF.type, cls))) == 6  # the example's six organisations


def test_a_folder_is_named_by_its_metadata_file_too(tmp_path):
    written = tmp_path / "sheets.nq"
    write_nquads(EXAMPLE / METADATA, "xs", written)
    quads = list(ox.parse(path=str(written), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {str(iris.graph(n)) for n in
                                                   ("xs", "xs/registry", "xs/provenance")}
    assert len(quads) == sum(len(g) for g in convert_folder(EXAMPLE, "xs").values())


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("number", "x", "'x' is not a valid value"),  # a cell csvw checks
    ("quote", "Something nobody said.", "the quote is not in record"),  # a row napgraph checks
])
def test_rows_are_numbered_as_a_spreadsheet_numbers_them(tmp_path, column, value, reason):
    """A cell holding line breaks is one row, though csvw counts lines."""
    folder = copy_example(tmp_path / "sheets", "discussion_points.csv", {
        (2, "heading"): "Supply\nchains\n(two line breaks)", (3, column): value})
    with pytest.raises(SheetsRefused) as refused:
        convert_folder(folder, "xs")
    assert [(p.row, p.column) for p in refused.value.problems] == [(3, column)]
    assert reason in refused.value.problems[0].reason


def test_blank_rows_are_skipped(tmp_path, example):
    """A spreadsheet program may save cleared rows as empty cells or empty lines."""
    folder = copy_example(tmp_path / "sheets")
    with (folder / "places.csv").open("a", newline="", encoding="utf-8") as handle:
        handle.write(",,\r\n\r\n")
    converted = convert_folder(folder, "xs")
    assert {name: len(graph) for name, graph in converted.items()} == {
        name: len(graph) for name, graph in example.items()}


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(SheetsRefused, match="no such folder"):
        write_nquads(tmp_path / "nowhere" / METADATA, "xs", tmp_path / "sheets.nq")
    assert not (tmp_path / "sheets.nq").exists()


@pytest.mark.parametrize(("tag", "iri"), [
    ("en", "http://id.loc.gov/vocabulary/iso639-1/en"),
    ("pt-BR", "http://id.loc.gov/vocabulary/iso639-1/pt"),
    ("fil", "http://id.loc.gov/vocabulary/iso639-2/fil"),
])
def test_a_language_is_an_iri(tag, iri):
    assert str(language(tag)) == iri


def test_example_is_owl_lite(example):
    assert check_owl_lite(union(example) + load_ontology() + load_schemes()) == []


def test_example_is_consistent_in_hermit(example, tmp_path):
    """HermiT (owlready2) loads the example with the ontology and schemes: every literal is
    in the OWL 2 datatype map, and nothing contradicts the ontology."""
    assert shutil.which("java"), "HermiT needs a Java runtime (setup.sh --test installs one)"
    import owlready2

    path = tmp_path / "example.nt"
    (union(example) + load_ontology() + load_schemes()).serialize(path, format="nt",
                                                                  encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load(format="ntriples")
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
