"""Ctrl-C (SIGINT) during `napgraph build` and `napgraph import`: whenever it comes, the
previous good build or import stays whole and is what the server serves; no half-written
folder is left behind. (tests/test_faults_build.py does the same with SIGKILL for builds.)"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from napgraph.graph.paths import data_dir
from napgraph.graph.publish import verify_release
from tests.server_fixtures import launch

COUNTRIES = Path(__file__).parent / "data" / "countries"
XX = "https://w3id.org/napgraph/id/xx/"
GRAPH_XX = "https://w3id.org/napgraph/graph/xx"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def interrupt(argv: list[str], delay: float) -> int:
    """Run a napgraph command, send it SIGINT after `delay` seconds, return its status."""
    process = subprocess.Popen([sys.executable, "-m", "napgraph", *argv],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=120)


def releases(folder: Path) -> set[Path]:
    return {path.resolve() for path in (folder / "releases").iterdir() if path.is_dir()}


def assert_no_leftovers(folder: Path) -> None:
    assert not list((folder / "releases").glob(".staging-*")), "a half-written release"


def count(server, query: str) -> int:
    answer = requests.get(server.endpoint, params={"query": query}, timeout=30).json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def build_dir(build, tmp_path) -> Path:
    folder = tmp_path / "build"
    shutil.copytree(build.release.parent.parent, folder, symlinks=True)
    return folder


def test_interrupted_build_leaves_the_previous_build_served(build_dir, tmp_path):
    before = (build_dir / "current").resolve()
    quads = len(list(ox.parse(path=before / "napgraph.nq", format=ox.RdfFormat.N_QUADS)))
    source = tmp_path / "changed.txt"
    original = (data_dir() / "source" / "jp-nap-2018-consultations.txt").read_text(
        encoding="utf-8")
    source.write_text(original.replace("Supply chains\n", "Supply chains \n"), encoding="utf-8")
    statuses = []
    for delay in (0.4, 0.9, 1.4):
        status = interrupt(["build", "--source", str(source), "--out", str(build_dir)], delay)
        statuses.append(status)
        current = (build_dir / "current").resolve()
        assert current in releases(build_dir)
        verify_release(current)
        if current == before:
            assert status != 0, "the build was interrupted, yet reported success"
        assert_no_leftovers(build_dir)
    assert any(statuses), "no build was interrupted: the test proved nothing"
    server = launch(build_dir, {}, tmp_path / "serve.log")
    try:
        served = count(server, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    finally:
        server.stop()
    if (build_dir / "current").resolve() == before:
        assert served == quads


def test_interrupted_import_leaves_the_previous_import_served(build_dir, tmp_path):
    done = subprocess.run([sys.executable, "-m", "napgraph", "import", str(COUNTRIES / "xx.ttl"),
                           "--country", "xx", "--build-dir", str(build_dir)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    country = build_dir / "countries" / "xx"
    before = (country / "current").resolve()
    small = len(list(ox.parse(path=before / "graph.nq", format=ox.RdfFormat.N_QUADS)))
    bigger = tmp_path / "xx-bigger.ttl"
    extra = [ox.Triple(ox.NamedNode(f"{XX}org/bulk-{i}"), LABEL,
                       ox.Literal(f"bulk {i}", language="en")) for i in range(40_000)]
    bigger.write_bytes((COUNTRIES / "xx.ttl").read_bytes() + b"\n"
                       + ox.serialize(extra, format=ox.RdfFormat.N_TRIPLES))
    statuses = []
    for delay in (0.4, 1.2, 2.0):
        statuses.append(interrupt(["import", str(bigger), "--country", "xx", "--build-dir",
                                   str(build_dir)], delay))
        current = (country / "current").resolve()
        assert current in releases(country)
        verify_release(current)
        assert_no_leftovers(country)
    assert any(statuses), "no import was interrupted: the test proved nothing"
    server = launch(build_dir, {}, tmp_path / "serve.log")
    try:
        served = count(server, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{GRAPH_XX}> {{ ?s ?p ?o }} }}")
    finally:
        server.stop()
    assert served in (small, small + len(extra))
    if (country / "current").resolve() == before:
        assert served == small
