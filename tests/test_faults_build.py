"""Faults around the build folder: a damaged or half-written build is refused at start-up, an
interrupted build leaves the previous one served, and imported countries are served too."""

import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests

from napgraph.graph.paths import data_dir
from napgraph.graph.publish import verify_release
from tests.server_fixtures import NAPGRAPH, launch

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture
def build_dir(build, tmp_path):
    """A private copy of the session's build folder (symlinks kept)."""
    folder = tmp_path / "build"
    shutil.copytree(build.release.parent.parent, folder, symlinks=True)
    return folder


def serve_once(build_dir) -> subprocess.CompletedProcess:
    """Run `napgraph serve` expecting it to refuse to start; return its output."""
    return subprocess.run(
        [str(NAPGRAPH), "serve", "--build-dir", str(build_dir), "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


DAMAGE = [
    ("truncated-dump", lambda current: truncate(current / "napgraph.nq"), "corrupted"),
    ("missing-dump", lambda current: (current / "napgraph.nq").unlink(), "missing"),
    ("missing-manifest", lambda current: (current / "manifest.json").unlink(), "no manifest.json"),
    (
        "old-manifest",
        lambda current: (current / "manifest.json").write_text('{"version": "x"}'),
        "written by an older napgraph, without checksums; rebuild with `napgraph build`",
    ),
    (
        "garbled-manifest",
        lambda current: (current / "manifest.json").write_text("{not json"),
        "unreadable manifest",
    ),
]


@pytest.mark.parametrize(("name", "damage", "message"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_build_is_refused_at_start_up(build_dir, name, damage, message):
    damage((build_dir / "current").resolve())
    done = serve_once(build_dir)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_killed_build_leaves_the_previous_one_served(build_dir, tmp_path):
    """SIGKILL `napgraph build` at several moments: `current` always names a whole build."""
    before = (build_dir / "current").resolve()
    source = tmp_path / "changed.txt"
    original = (data_dir() / "source" / "jp-nap-2018-consultations.txt").read_text(encoding="utf-8")
    source.write_text(original.replace("Supply chains\n", "Supply chains \n"), encoding="utf-8")
    for delay in (0.3, 0.8, 1.2):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "napgraph",
                "build",
                "--source",
                str(source),
                "--out",
                str(build_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        current = (build_dir / "current").resolve()
        assert current in (before, *[p for p in (build_dir / "releases").iterdir() if p.is_dir()])
        verify_release(current)  # whole and intact, whichever build it is
    server = launch(build_dir, {}, tmp_path / "serve.log")
    try:
        answer = requests.get(server.endpoint, params={"query": COUNT}, timeout=10).json()
        assert int(answer["results"]["bindings"][0]["n"]["value"]) > 10000
    finally:
        server.stop()


def test_imported_country_is_served(build_dir, tmp_path):
    fixture = "tests/data/countries/xx.ttl"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "napgraph",
            "import",
            fixture,
            "--country",
            "xx",
            "--build-dir",
            str(build_dir),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    server = launch(build_dir, {}, tmp_path / "serve.log")
    try:
        query = """ASK { GRAPH <https://w3id.org/napgraph/graph/xx> {
            ?c a <https://w3id.org/napgraph/ontology#Consultation> } }"""
        answer = requests.get(server.endpoint, params={"query": query}, timeout=10).json()
        assert answer["boolean"] is True
    finally:
        server.stop()
