"""`napgraph serve` with DATA_FILES: one store, written once before Granian's workers start,
opened by every worker's query runners, and removed when the server stops.

Real server processes (tests/server_fixtures.py `launch`), each with its own temporary
folder (TMPDIR), where the store's folder is the only `napgraph-store-*` one.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
import requests

from napgraph.server.backends.embedded import PRIVATE_PREFIX
from tests.server_fixtures import MINI, NAPGRAPH, LiveServer, free_port, launch

COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
MINI_QUADS = sum(1 for line in MINI.read_text(encoding="utf-8").splitlines() if line.strip())


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def open_folders(pid: int, under: Path) -> set[Path]:
    """The store folders (`under`/napgraph-store-*) that process `pid` has files open in."""
    folders = set()
    for link in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = Path(link.readlink())
        except OSError:
            continue
        if target.is_relative_to(under):
            folders.add(under / target.relative_to(under).parts[0])
    return folders


@pytest.fixture
def tmpdir_env(tmp_path, monkeypatch) -> Path:
    """A temporary folder of the server's own (TMPDIR), empty at the start."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def start(tmp_path: Path, workers: int) -> LiveServer:
    return launch(tmp_path / "no-build", {"DATA_FILES": [str(MINI)], "QUERY_RUNNERS": 1,
                                          "CACHE_ENTRIES": 0}, tmp_path / "server.log",
                  workers=workers)


def count(server: LiveServer) -> int:
    """COUNT of the quads, on a new connection each time (so either worker may answer)."""
    answer = requests.get(server.endpoint, params={"query": COUNT},
                          headers={"Accept": "application/sparql-results+json",
                                   "Connection": "close"}, timeout=10)
    answer.raise_for_status()
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_one_store_for_every_worker_removed_at_stop(stop, tmp_path, tmpdir_env):
    server = start(tmp_path, workers=2)
    try:
        stores = sorted(tmpdir_env.glob(PRIVATE_PREFIX + "*"))
        assert len(stores) == 1, stores  # written once, not once per worker
        workers = children(server.process.pid)
        assert len(workers) == 2, server.log_tail()
        for worker in workers:  # each worker's runner reads that one store
            runners = children(worker)
            assert runners, server.log_tail()
            for runner in runners:
                assert open_folders(runner, tmpdir_env) == set(stores)
        assert {count(server) for _ in range(12)} == {MINI_QUADS}
    finally:
        server.process.send_signal(stop)
        server.process.wait(timeout=30)
    assert list(tmpdir_env.iterdir()) == []


def test_invalid_data_files_stop_serve_with_the_line_and_leave_nothing(tmp_path, tmpdir_env):
    bad = tmp_path / "bad.nq"
    bad.write_text(MINI.read_text(encoding="utf-8") + "<urn:a> <urn:b> .\n", encoding="utf-8")
    done = subprocess.run(
        [str(NAPGRAPH), "serve", "--port", str(free_port()), "--workers", "2"],
        capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "TMPDIR": str(tmpdir_env),
             "NAPGRAPH_DATA_FILES": f'["{bad}"]'})
    assert done.returncode == 1
    message = done.stderr.strip()
    assert message.startswith(f"Error: cannot load the data: {bad}: ")
    assert f"line {MINI_QUADS + 1}" in message and "Traceback" not in message
    assert list(tmpdir_env.iterdir()) == []
