"""`napgraph validate`: conforming graphs pass, broken ones fail with a report that says why."""

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from napgraph.graph.validate import validate_file

SHAPES = Path(__file__).parent / "data" / "shapes"
with (SHAPES / "invalid" / "expected.csv").open(encoding="utf-8") as handle:
    INVALID = list(csv.DictReader(handle))


def napgraph(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "napgraph", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("path", sorted((SHAPES / "valid").glob("*.ttl")), ids=lambda p: p.stem)
def test_valid_graph_conforms_without_warnings(path):
    """The minimal graph, a written and an online consultation, a foreign law ID."""
    result = validate_file(path)
    assert result.conforms, result.text
    assert "Severity: sh:Warning" not in result.text


@pytest.mark.parametrize("path", sorted((SHAPES / "warning").glob("*.ttl")), ids=lambda p: p.stem)
def test_country_concept_linked_by_broad_match_conforms_with_a_warning(path):
    result = validate_file(path)
    assert result.conforms, result.text
    assert "Severity: sh:Warning" in result.text
    assert "linked to a shared one by skos:broadMatch" in result.text
    assert "Severity: sh:Violation" not in result.text


@pytest.mark.parametrize("case", INVALID, ids=[c["case"] for c in INVALID])
def test_broken_graph_fails_with_a_useful_report(case):
    result = validate_file(SHAPES / "invalid" / f"{case['case']}.ttl")
    assert not result.conforms
    assert case["message"] in result.text


@pytest.mark.parametrize("name", ["napgraph.nq", "napgraph.trig", "napgraph.ttl", "napgraph.jsonld"])
def test_cli_accepts_every_published_format(build, name):
    done = napgraph("validate", str(build.release / name))
    assert done.returncode == 0, done.stdout[-2000:]
    assert "conforms to the NAP graph shapes" in done.stdout


def test_cli_rejects_a_broken_graph_with_exit_1():
    done = napgraph("validate", str(SHAPES / "invalid" / "participation-without-role.ttl"))
    assert done.returncode == 1
    assert "exactly one role from the role scheme" in done.stdout


def test_cli_reports_a_syntax_error_with_its_position(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c ;\n  ex:d \"unterminated .\n")
    done = napgraph("validate", str(bad))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{bad}:" in done.stderr and "line 3" in done.stderr.lower()


def test_cli_rejects_an_unknown_extension(tmp_path):
    odd = tmp_path / "graph.xyz"
    odd.write_text("")
    done = napgraph("validate", str(odd))
    assert done.returncode == 1
    assert "unknown RDF file extension '.xyz'" in done.stderr


INVALID = sorted((SHAPES / "invalid").glob("*.ttl"))


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_cli_says_how_many_errors_in_how_many_rules_first(path):
    done = napgraph("validate", str(path))
    assert done.returncode == 1
    first, *details = done.stdout.splitlines()
    match = re.fullmatch(rf"{re.escape(str(path))}: (\d+) errors? in (\d+) rules?", first)
    assert match, first
    errors, rules = int(match.group(1)), int(match.group(2))
    assert 1 <= rules <= errors
    assert len([line for line in details if line.startswith("  ")]) >= rules
    assert "Traceback" not in done.stdout + done.stderr


def test_cli_names_an_ill_typed_literal_without_a_traceback(tmp_path):
    bad = tmp_path / "ill-typed.ttl"
    bad.write_text(
        "@prefix nap: <https://w3id.org/napgraph/ontology#> .\n"
        "@prefix schema: <https://schema.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/napgraph/id/xx/consultation/1> a nap:Consultation ;\n"
        '  nap:ordinal "first"^^xsd:integer ; schema:startDate "2018-13-45"^^xsd:date .\n')
    done = napgraph("validate", str(bad))
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr == ""
    assert re.match(rf"{re.escape(str(bad))}: \d+ errors in \d+ rules\n", done.stdout)
    assert "literals not of their datatype (2×)" in done.stdout
    assert '"first"^^<http://www.w3.org/2001/XMLSchema#integer>: not a valid' in done.stdout
