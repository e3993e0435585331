"""One copy of the data: the served dataset in one on-disk store, opened read-only by every
query runner (graph/served_store.py), written by `napgraph build`/`import`/`remove`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from napgraph.cli import main
from napgraph.graph import loaded, page_index
from napgraph.graph.loaded import served_dataset
from napgraph.graph.served_store import (
    DATA,
    KEEP_STORES,
    META,
    STORES,
    StoreError,
    StoreInfo,
    make_build_store,
    open_read_only,
    prune,
    store_folder,
    write_store,
)
from napgraph.graph.synthetic import write_nquads
from napgraph.server import create_app, serving
from tests.server_fixtures import MINI, launch, make_build_dir

MINI_QUADS = sum(1 for line in MINI.read_text().splitlines() if line.strip())


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("served") / "mini"
    write_store([MINI], "mini-version", folder)
    return folder


def test_a_written_store_holds_the_files_and_their_sizes(mini_store):
    store, info = open_read_only(mini_store, "mini-version")
    assert info.quads == len(store) == MINI_QUADS
    named = store.query("SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    assert sum(count for _, count in info.graphs) == int(next(named)["n"].value)
    assert not list(mini_store.parent.glob(".staging-*"))


OPENER = textwrap.dedent("""
    import sys
    import pyoxigraph as ox
    store = ox.Store.read_only(sys.argv[1])
    print("open", flush=True)
    sys.stdin.readline()  # every opener is open at once before any of them queries
    print(len(store), flush=True)
""")


def test_several_processes_open_one_store_read_only_at_once(mini_store):
    """RocksDB's read-only mode takes no lock: every runner opens the same folder."""
    openers = [subprocess.Popen([sys.executable, "-c", OPENER, str(mini_store / DATA)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        assert [p.stdout.readline().strip() for p in openers] == ["open"] * 4, \
            [p.stderr.read() for p in openers if p.poll() is not None]
        answers = [p.communicate("go\n", timeout=30)[0].strip() for p in openers]
    finally:
        for process in openers:
            process.kill()
    assert answers == [str(MINI_QUADS)] * 4


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from napgraph.graph.served_store import write_store
    print(write_store([sys.argv[1]], "same", Path(sys.argv[2])).quads)
""")


def test_two_writers_of_the_same_version_are_harmless(tmp_path):
    folder = tmp_path / STORES / "same"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(MINI), str(folder)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    results = [w.communicate(timeout=60) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], results
    assert [out.strip() for out, _ in results] == [str(MINI_QUADS)] * 2
    assert [p.name for p in (tmp_path / STORES).iterdir()] == ["same"]
    assert len(open_read_only(folder, "same")[0]) == MINI_QUADS


def _copy(store: Path, to: Path) -> Path:
    shutil.copytree(store, to)
    return to


def _no_meta(folder: Path) -> None:
    (folder / META).unlink()


def _bad_meta(folder: Path) -> None:
    (folder / META).write_text("{not json")


def _other_version(folder: Path) -> None:
    meta = json.loads((folder / META).read_text())
    (folder / META).write_text(json.dumps({**meta, "version": "another-version"}))


def _other_format(folder: Path) -> None:
    meta = json.loads((folder / META).read_text())
    (folder / META).write_text(json.dumps({**meta, "format": "napgraph-store-0"}))


def _no_data(folder: Path) -> None:
    shutil.rmtree(folder / DATA)


def _no_rocksdb_current(folder: Path) -> None:
    (folder / DATA / "CURRENT").unlink()


def _garbage_rocksdb_manifest(folder: Path) -> None:
    for manifest in (folder / DATA).glob("MANIFEST-*"):
        manifest.write_bytes(b"\0garbage" * 100)


def _garbage_tables(folder: Path) -> None:
    for table in (folder / DATA).glob("*.sst"):
        table.write_bytes(b"\0garbage" * 1000)


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "no-metadata": (_no_meta, "not a napgraph store"),
    "unreadable-metadata": (_bad_meta, "unreadable store metadata"),
    "another-dataset": (_other_version, "holds dataset another-versio"),
    "another-format": (_other_format, "a store of format 'napgraph-store-0'"),
    "no-data-folder": (_no_data, "no data folder"),
    "rocksdb-without-CURRENT": (_no_rocksdb_current, "damaged store"),
    "rocksdb-garbage-manifest": (_garbage_rocksdb_manifest, "damaged store"),
    "rocksdb-garbage-tables": (_garbage_tables, "damaged store"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_store_is_one_line_naming_its_folder(damage, mini_store, tmp_path):
    folder = _copy(mini_store, tmp_path / "copy")
    spoil, reason = DAMAGE[damage]
    spoil(folder)
    with pytest.raises(StoreError) as raised:
        open_read_only(folder, "mini-version")
    message = str(raised.value)
    assert reason in message and str(folder) in message
    assert "\n" not in message


@pytest.fixture
def build_dir(tmp_path) -> Path:
    """A build folder of MINI with its store, as `napgraph build` leaves it."""
    folder = make_build_dir(tmp_path / "build", MINI.read_bytes(), "mini-build")
    make_build_store(folder)
    return folder


@pytest.fixture
def serve_cli(monkeypatch):
    """`napgraph serve` up to the front, which is recorded instead of started."""
    for name in ("NAPGRAPH_DATA_FILES", "NAPGRAPH_BUILD_DIR"):
        monkeypatch.delenv(name, raising=False)
    started = []
    monkeypatch.setattr(serving, "run_front", lambda *args: started.append(args))

    def serve(build: Path):
        result = CliRunner().invoke(main, ["serve", "--build-dir", str(build)])
        return result, started

    return serve


@pytest.mark.parametrize("damage", DAMAGE)
def test_serve_refuses_a_damaged_store_in_one_line(damage, build_dir, serve_cli):
    _, version = served_dataset(build_dir)
    folder = store_folder(build_dir, version)
    spoil, reason = DAMAGE[damage]
    spoil(folder)
    result, started = serve_cli(build_dir)
    assert result.exit_code == 1, result.output
    assert reason in result.output and str(folder) in result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert started == []


def test_serve_writes_the_store_of_an_older_build_folder_once(tmp_path, serve_cli):
    build = make_build_dir(tmp_path / "old", MINI.read_bytes(), "old-build")
    result, started = serve_cli(build)
    assert result.exit_code == 0, result.output
    assert len(started) == 1
    _, version = served_dataset(build)
    folder = store_folder(build, version)
    assert open_read_only(folder, version)[1].quads == MINI_QUADS
    written = (folder / META).stat().st_mtime_ns
    assert serve_cli(build)[0].exit_code == 0
    assert (folder / META).stat().st_mtime_ns == written
    assert (folder / page_index.FILE).is_file()  # a build folder's store: pages read it


def test_a_private_store_of_data_files_is_removed_at_close():
    app = create_app({"DATA_FILES": [str(MINI)], "QUERY_RUNNERS": 2})
    backend = app.extensions["napgraph.sparql"].backend
    private = backend.data.private
    assert (private / "store" / META).is_file()
    # No pages' kept answers: the site runs its queries for DATA_FILES (site_data.py).
    assert not (private / "store" / page_index.FILE).exists()
    assert backend.info.quads == MINI_QUADS
    backend.close()
    assert not private.exists()


def test_pruning_keeps_the_newest_stores_and_always_the_served_one(tmp_path, mini_store):
    stores = tmp_path / STORES
    names = [f"v{i}" for i in range(KEEP_STORES + 2)]
    for age, name in enumerate(names):
        os.utime(_copy(mini_store, stores / name), (age, age))
    (stores / ".staging-999999999-x").mkdir()  # of a process that is gone
    prune(stores, keep="v0")  # the oldest, but `current` serves it
    assert sorted(p.name for p in stores.iterdir()) == ["v0", *names[-KEEP_STORES:]]


@pytest.fixture(scope="module")
def countries(tmp_path_factory) -> dict[str, Path]:
    """Two synthetic countries, one N-Quads file each (an import takes one country)."""
    folder = tmp_path_factory.mktemp("countries")
    write_nquads(folder / "both.nq", 2, seed=0, consultations=2)
    quads = list(ox.parse(path=str(folder / "both.nq"), format=ox.RdfFormat.N_QUADS))
    files = {}
    for code in ("s0001", "s0002"):
        files[code] = folder / f"{code}.nq"
        own = [q for q in quads if f"/graph/{code}" in q.graph_name.value]
        files[code].write_bytes(ox.serialize(own, format=ox.RdfFormat.N_QUADS))
    return files


def napgraph(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "napgraph", *args], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def served(build: Path) -> tuple[set[str], StoreInfo]:
    _, version = served_dataset(build)
    store, info = open_read_only(store_folder(build, version), version)
    return {str(quad) for quad in store}, info


def served_as_whole(build: Path, scratch: Path) -> StoreInfo:
    """The store `build` serves, checked against one loaded whole from the same files."""
    quads, info = served(build)
    whole = write_store(info.files, info.version, scratch / info.version)
    assert whole.graphs == info.graphs and whole.quads == info.quads == len(quads)
    assert {str(q) for q in open_read_only(whole.folder, whole.version)[0]} == quads
    assert compacted(info.folder / DATA, scratch)
    return info


def compacted(data: Path, scratch: Path) -> bool:
    """Whether the RocksDB folder `data` is compacted: optimizing a copy of it rewrites no
    table file (a store left as bulk loads wrote it gets new ones).

    The copy is opened and closed once before its files are listed: RocksDB deletes a table
    file that a compaction made obsolete in the background, and one still in the folder when
    the writer closed goes at the next opening, which is not a rewrite."""
    copy = scratch / f"compacted-{data.parent.name}"
    shutil.copytree(data, copy)
    ox.Store(str(copy))  # opened and closed at once
    tables = sorted(path.name for path in copy.glob("*.sst"))
    store = ox.Store(str(copy))
    store.optimize()
    del store
    return sorted(path.name for path in copy.glob("*.sst")) == tables


def test_build_import_and_remove_each_write_the_store_they_publish(tmp_path, countries):
    """Each command leaves the store of what it published, compacted (readers find few,
    sorted files: a store grown by imports without it answered 1.5-3 times slower), and
    every store holds what a whole load would."""
    build, scratch = tmp_path / "build", tmp_path / "whole"
    napgraph("build", "--out", str(build))
    stores = [served_as_whole(build, scratch)]
    for code, path in countries.items():
        napgraph("import", str(path), "--country", code, "--build-dir", str(build))
        stores.append(served_as_whole(build, scratch))
    napgraph("remove", "s0001", "--build-dir", str(build))
    stores.append(served_as_whole(build, scratch))
    sizes = [info.quads for info in stores]
    assert sizes[0] < sizes[1] < sizes[2] and sizes[0] < sizes[3] < sizes[2]


@pytest.fixture
def one_import(tmp_path, countries) -> Path:
    """A build folder of Japan with s0001 imported, by the real commands."""
    build = tmp_path / "build"
    napgraph("build", "--out", str(build))
    napgraph("import", str(countries["s0001"]), "--country", "s0001", "--build-dir", str(build))
    return build


def import_checking(build: Path, path: Path, code: str, monkeypatch) -> tuple[object, list]:
    """`napgraph import` in this process; returns its result and the releases it checksummed."""
    checked = []
    real = loaded.verify_release
    monkeypatch.setattr(loaded, "verify_release",
                        lambda folder: checked.append(folder) or real(folder))
    result = CliRunner().invoke(main, ["import", str(path), "--country", code,
                                       "--build-dir", str(build)])
    return result, checked


def test_an_import_checksums_its_own_release_not_every_one_before_it(one_import, countries,
                                                                      monkeypatch):
    result, checked = import_checking(one_import, countries["s0002"], "s0002", monkeypatch)
    assert result.exit_code == 0, result.output
    assert checked == [(one_import / "countries" / "s0002" / "current").resolve()]
    assert served(one_import)[1].files[-2:] == tuple(
        str((one_import / "countries" / "s0002" / "current" / name).resolve())
        for name in ("graph.nq", "catalog.nq"))


def test_an_import_still_checksums_a_release_changed_since_its_store(one_import, countries,
                                                                     monkeypatch):
    earlier = (one_import / "countries" / "s0001" / "current").resolve()
    graph = earlier / "graph.nq"
    graph.write_bytes(graph.read_bytes()[:-10])  # damaged: its size and time change
    result, checked = import_checking(one_import, countries["s0002"], "s0002", monkeypatch)
    assert result.exit_code == 1
    assert earlier in checked
    assert f"{graph}: corrupted" in result.output and "Traceback" not in result.output


def test_a_refused_import_leaves_the_last_store_served(tmp_path, countries):
    build = tmp_path / "build"
    napgraph("build", "--out", str(build))
    before = served(build)
    broken = tmp_path / "broken.nq"
    broken.write_text(countries["s0001"].read_text()[:-40])  # the last line cut short
    done = subprocess.run([sys.executable, "-m", "napgraph", "import", str(broken),
                           "--country", "s0001", "--build-dir", str(build)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert served(build) == before


COUNT_QUADS = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
EXTRA = b"<https://example.org/a> <https://example.org/p> \"new\" <https://example.org/g> .\n"


def served_count(server) -> int:
    answer = requests.get(server.endpoint, params={"query": COUNT_QUADS}, timeout=30,
                          headers={"Accept": "application/sparql-results+json"})
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_serve_writes_a_missing_store_once_for_all_workers_and_follows_new_releases(tmp_path):
    """An older build folder (no store) gets one at start, written by `napgraph serve` before
    its workers start; a release published later without a store (no `napgraph build`) is
    picked up by the running server, which writes its store the same way."""
    build = make_build_dir(tmp_path / "build", MINI.read_bytes(), "first")
    server = launch(build, {"QUERY_RUNNERS": 2}, tmp_path / "server.log", workers=2)
    try:
        assert served_count(server) == MINI_QUADS
        assert server.log.read_text().count("writing it once") == 1
        make_build_dir(build, MINI.read_bytes() + EXTRA, "second")
        deadline = time.monotonic() + 60
        while served_count(server) != MINI_QUADS + 1:
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.5)
    finally:
        server.stop()
    _, version = served_dataset(build)
    assert open_read_only(store_folder(build, version), version)[1].quads == MINI_QUADS + 1


def test_a_store_that_cannot_be_written_fails_the_command_and_serve_uses_a_private_one(
        tmp_path):
    """`stores` is a file here, so no store can be written beside the releases: `napgraph
    build` publishes and then says so in one line; the server serves from a private store in
    a temporary folder, removed at close."""
    build = tmp_path / "build"
    build.mkdir()
    (build / STORES).write_text("in the way")
    done = subprocess.run([sys.executable, "-m", "napgraph", "build", "--out", str(build)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "published, but the store to serve it could not be written" in done.stderr
    assert (build / "current" / "napgraph.nq").is_file()
    app = create_app({"BUILD_DIR": str(build), "QUERY_RUNNERS": 1})
    backend = app.extensions["napgraph.sparql"].backend
    private = backend.data.private
    assert private is not None and (private / "store" / META).is_file()
    assert backend.info.quads == served_dataset(build)[0][0].read_bytes().count(b"\n")
    backend.close()
    assert not private.exists()


def test_a_damaged_release_is_refused_even_when_its_store_exists(build_dir, serve_cli):
    """Start-up checksums the served files only when one changed size or time since its
    store was written (10^7 quads take seconds to checksum): a truncated dump is caught."""
    dump = (build_dir / "current" / "napgraph.nq").resolve()
    dump.write_bytes(dump.read_bytes()[:-10])
    result, started = serve_cli(build_dir)
    assert result.exit_code == 1 and "corrupted" in result.output, result.output
    assert started == []


def test_a_release_touched_but_whole_is_served(build_dir, serve_cli):
    dump = (build_dir / "current" / "napgraph.nq").resolve()
    os.utime(dump, (1, 1))
    result, started = serve_cli(build_dir)
    assert result.exit_code == 0, result.output
    assert len(started) == 1
