"""`napgraph serve`: what it refuses, when it builds, and how it starts the front.

The live-server fixtures run the real command; these tests cover the paths that stop
before Granian starts.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from napgraph.cli import main
from napgraph.server import serving
from tests.server_fixtures import MINI, make_build_dir


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("NAPGRAPH_DATA_FILES", "NAPGRAPH_BUILD_DIR", "NAPGRAPH_QUERY_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def no_front(monkeypatch):
    """Record how the front would be started instead of starting it."""
    started = []
    monkeypatch.setattr(serving, "run_front",
                        lambda host, port, workers, settings: started.append(
                            {"host": host, "port": port, "workers": workers,
                             "settings": settings}))
    return started


def test_a_remote_store_is_checked_and_nothing_is_built(clean_env, no_front, fake_store,
                                                       tmp_path):
    """With --store, serve reads the store once, then starts the front; it builds nothing.
    (Stores that fail are in test_remote_faults.py.)"""
    clean_env.setattr("napgraph.graph.build.run_build",
                      lambda *a, **k: pytest.fail("must not build"))
    result = CliRunner().invoke(main, ["serve", "--store", fake_store.url,
                                       "--build-dir", str(tmp_path / "none")])
    assert result.exit_code == 0, result.output
    assert f"serving the SPARQL store {fake_store.url}: 0 named graphs" in result.output
    assert len(no_front) == 1


def test_a_bad_setting_stops_start_up(clean_env, tmp_path):
    clean_env.setenv("NAPGRAPH_QUERY_TIMEOUT", "forever")
    result = CliRunner().invoke(main, ["serve", "--build-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "setting QUERY_TIMEOUT: 'forever' is not a valid float" in result.output


def test_missing_data_files_stop_start_up(clean_env, tmp_path):
    clean_env.setenv("NAPGRAPH_DATA_FILES", str(tmp_path / "missing.nq"))
    result = CliRunner().invoke(main, ["serve", "--build-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "DATA_FILES: cannot read" in result.output


def test_builds_first_when_current_is_missing(clean_env, no_front, tmp_path):
    built = []

    def fake_build(build_dir: Path, **_: object) -> SimpleNamespace:
        built.append(build_dir)
        make_build_dir(build_dir, MINI.read_bytes(), "built")
        return SimpleNamespace(summary=lambda: "built for the test")

    clean_env.setattr("napgraph.graph.build.run_build", fake_build)
    result = CliRunner().invoke(main, ["serve", "--build-dir", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    assert built == [tmp_path / "b"]
    assert "built for the test" in result.output
    assert len(no_front) == 1


def test_does_not_rebuild_an_existing_build(clean_env, no_front, tmp_path):
    make_build_dir(tmp_path, MINI.read_bytes(), "v1")
    clean_env.setattr("napgraph.graph.build.run_build",
                      lambda *a, **k: pytest.fail("must not build"))
    result = CliRunner().invoke(main, ["serve", "--build-dir", str(tmp_path), "--port", "5123",
                                       "--workers", "3"])
    assert result.exit_code == 0, result.output
    options, = no_front
    assert (options["host"], options["port"], options["workers"]) == ("127.0.0.1", 5123, 3)
    assert options["settings"]["BUILD_DIR"] == str(tmp_path)
