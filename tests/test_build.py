"""`napgraph build`: bad input fails with the line and reason and loses nothing; builds are
reproducible byte for byte."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from napgraph.graph.build import BuildError, run_build
from napgraph.graph.paths import data_dir

SOURCE = data_dir() / "source" / "jp-nap-2018-consultations.txt"
TEXT = SOURCE.read_text(encoding="utf-8")


def corrupt(kind: str) -> str:
    """Return the source text broken in one way (line numbers stay those of the original)."""
    if kind == "truncated":
        return TEXT[: TEXT.index("Cross and comprehensive theme") + 12]
    if kind == "missing-date":
        line = "On August 31, 2018, the Government of Japan held the tenth multi-stakeholder consultation, which provided an opportunity to recap the all of the previous consultation meetings."
        return TEXT.replace(line, "")
    if kind == "unknown-attendee":
        return TEXT.replace(
            "OECD Tokyo Centre\n\nInternational Labour", "OECD Paris Centre\n\nInternational Labour"
        )
    if kind == "duplicate-number":
        return TEXT.replace(
            "9th multi-stakeholder consultation", "8th multi-stakeholder consultation"
        )
    if kind == "bad-date":
        return TEXT.replace("On July 6, 2018", "On July 36, 2018")
    if kind == "item-gap":
        return TEXT.replace(
            "3. Stakeholders shared opinions regarding human rights",
            "4. Stakeholders shared opinions regarding human rights",
        )
    if kind == "wrong-ordinal-word":
        return TEXT.replace("held the fifth multi-stakeholder", "held the sixth multi-stakeholder")
    if kind == "unknown-section":
        return TEXT.replace("(Academia)\n\nMs. Miwa YAMADA", "(Academics)\n\nMs. Miwa YAMADA", 1)
    if kind == "text-after-recap":
        return TEXT.replace(
            "it was decided to continue examining a way forward.",
            "it was decided to continue examining a way forward. The minutes were approved.",
        )
    raise ValueError(kind)


# (kind, line, part of the reason) — lines found by reading the source.
BROKEN = [
    ("truncated", 238, "discussion point 'Cross and co' has no text"),
    ("missing-date", 414, "consultation 10 has no date sentence"),
    ("unknown-attendee", 404, "unknown attendee name 'OECD Paris Centre'"),
    ("duplicate-number", 367, "consultation 8 appears twice (first at line 315)"),
    ("bad-date", 317, "consultation 8: bad date 'July 36, 2018'"),
    ("item-gap", 191, "consultation 5: item 4 found where item 3 was expected"),
    (
        "wrong-ordinal-word",
        187,
        "says the 'sixth' consultation under the heading of consultation 5",
    ),
    ("unknown-section", 353, "unknown attendee section '(Academics)'"),
    ("text-after-recap", 236, "unexpected text after 'The following recaps"),
]


@pytest.fixture(scope="module")
def good_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    run_build(folder)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    current = folder / "current"
    return {
        "->": os.readlink(current).encode(),
        **{p.name: p.read_bytes() for p in sorted(current.iterdir())},
    }


@pytest.mark.parametrize(("kind", "line", "reason"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_source_fails_with_line_and_reason(tmp_path, good_build, kind, line, reason):
    before = snapshot(good_build)
    bad = tmp_path / "bad.txt"
    bad.write_text(corrupt(kind), encoding="utf-8")
    with pytest.raises(BuildError) as error:
        run_build(good_build, source=bad)
    assert f"{bad}:{line}: " in str(error.value)
    assert reason in str(error.value)
    assert snapshot(good_build) == before


def test_invalid_utf8_names_the_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(TEXT[:2000].encode() + b"\n\xff\xfe broken\n")
    with pytest.raises(BuildError, match=rf"{bad}:\d+: the file is not valid UTF-8"):
        run_build(tmp_path / "out", source=bad)
    assert not (tmp_path / "out" / "current").exists()


def test_cli_reports_the_line_and_exits_nonzero(tmp_path, good_build):
    before = snapshot(good_build)
    bad = tmp_path / "bad.txt"
    bad.write_text(corrupt("unknown-attendee"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "napgraph", "build", "--source", str(bad), "--out", str(good_build)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"{bad}:404: unknown attendee name 'OECD Paris Centre'" in done.stderr
    assert snapshot(good_build) == before


def test_builds_are_byte_identical(tmp_path, good_build):
    """A second build in another process (other hash seed) gives the same bytes."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-m", "napgraph", "build", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert snapshot(tmp_path) == snapshot(good_build)


def test_build_prints_what_it_built(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "napgraph", "build", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    counts = {}
    for line in done.stdout.splitlines()[1:]:
        name, _, count = line.strip().rpartition(" ")
        if count.isdigit():
            counts[name.strip()] = int(count)
    assert counts["consultations"] == 10
    assert counts["participations"] == 212
    assert counts["discussion points"] == 31
    assert counts["quads"] > 10000
    # While it works, it says what it is doing, on stderr, each step with the time so far.
    steps = [line.split("] ", 1)[1] for line in done.stderr.splitlines()
             if line.startswith("[") and " s] " in line]
    assert [step.split(" ")[0] for step in steps] == ["reading", "checking", "writing",
                                                     "publishing", "store"]
    assert f"store of dataset {counts_version(tmp_path)} ready in" in steps[-1]
    assert "Traceback" not in done.stderr


def test_every_format_is_published(good_build):
    names = {p.name for p in (good_build / "current").iterdir()}
    assert names == {
        "napgraph.nq",
        "napgraph.trig",
        "napgraph.ttl",
        "napgraph.jsonld",
        "context.jsonld",
        "manifest.json",
    }


def test_other_base_moves_every_iri(tmp_path):
    report = run_build(tmp_path, base="http://localhost:8080/")
    text = (report.release / "napgraph.nq").read_text(encoding="utf-8")
    assert "<https://w3id.org/napgraph/" not in text  # IRIs; literals stay as written
    assert "<http://localhost:8080/id/jp/consultation/2018-01>" in text


@pytest.mark.parametrize(
    ("name", "fmt"), [("napgraph.trig", "TRIG"), ("napgraph.jsonld", "JSON_LD")]
)
def test_every_quad_format_holds_the_same_quads(good_build, name, fmt):
    import pyoxigraph as ox

    current = good_build / "current"
    expected = set(ox.parse(path=str(current / "napgraph.nq"), format=ox.RdfFormat.N_QUADS))
    assert set(ox.parse(path=str(current / name), format=getattr(ox.RdfFormat, fmt))) == expected


def test_turtle_holds_the_union_of_the_graphs(good_build):
    import pyoxigraph as ox

    current = good_build / "current"
    quads = ox.parse(path=str(current / "napgraph.nq"), format=ox.RdfFormat.N_QUADS)
    union = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    turtle = ox.parse(path=str(current / "napgraph.ttl"), format=ox.RdfFormat.TURTLE)
    assert {ox.Triple(q.subject, q.predicate, q.object) for q in turtle} == union


def test_jsonld_has_a_context_and_compact_iris(good_build):
    import json

    document = json.loads((good_build / "current" / "napgraph.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["nap"] == "https://w3id.org/napgraph/ontology#"
    assert any(
        key.startswith("nap:")
        for graph in document["@graph"]
        for node in graph["@graph"]
        for key in node
    )


def counts_version(build_dir) -> str:
    """The first 16 characters of the published build's version."""
    return json.loads((build_dir / "current" / "manifest.json").read_text())["version"][:16]
