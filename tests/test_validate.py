"""`napgraph validate`: conforming graphs pass, broken ones fail with a report that says why."""

import csv
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
    assert "Conforms: True" in done.stdout


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
