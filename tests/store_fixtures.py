"""Fixtures for remote stores: real `oxigraph serve` processes, napgraph served from them, and
a fake store whose faults a test chooses.

Loaded by tests/conftest.py as a pytest plugin. `start_oxigraph` starts the Oxigraph server
(the `oxigraph` package's CLI) on a free loopback port with its own data folder and waits
until it answers; `push_build` loads a build folder into it with `napgraph push` (the real
command); `start_remote` runs `napgraph serve --store` in front of it. Everything started is
stopped at the end of the session.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.server_fixtures import NAPGRAPH, LiveServer, free_port, launch

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
XX_FIXTURE = Path(__file__).parent / "data" / "countries" / "xx.ttl"


@dataclass
class OxigraphServer:
    """An `oxigraph serve` process with a data folder that outlives it (for restarts)."""

    location: Path
    port: int
    log: Path
    union: bool = True
    process: subprocess.Popen | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.root}/query"

    def start(self) -> OxigraphServer:
        """Start the process and wait (at most 30 s) until it answers a query."""
        command = [str(OXIGRAPH), "serve", "--location", str(self.location),
                   "--bind", f"127.0.0.1:{self.port}"]
        if self.union:
            command.append("--union-default-graph")
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph exited with {self.process.returncode}:\n"
                                   f"{self.log.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.query_url, params={"query": "ASK {}"}, timeout=2).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("oxigraph did not answer within 30 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def start_oxigraph(tmp_path_factory) -> Iterator:
    """A factory: start_oxigraph(union=True) -> a running OxigraphServer, stopped at the end."""
    started: list[OxigraphServer] = []

    def start(union: bool = True) -> OxigraphServer:
        folder = tmp_path_factory.mktemp("oxigraph")
        server = OxigraphServer(folder / "data", free_port(), folder / "oxigraph.log", union)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


def push_build(build_dir: Path, store: OxigraphServer) -> str:
    """Load a build folder into the store with `napgraph push`; return its output."""
    result = subprocess.run([str(NAPGRAPH), "push", "--to", store.root, "--build-dir",
                             str(build_dir)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="session")
def start_remote(tmp_path_factory) -> Iterator:
    """A factory: start_remote(store_url, **settings) -> `napgraph serve --store` running."""
    started: list[LiveServer] = []

    def start(store_url: str, **settings: object) -> LiveServer:
        folder = tmp_path_factory.mktemp("remote")
        # No build folder: with a store, napgraph must neither build nor load anything.
        server = launch(folder / "no-build", {"STORE_URL": store_url, **settings},
                        folder / "server.log")
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


EMPTY_LISTING = json.dumps({"head": {"vars": ["g", "n"]},
                            "results": {"bindings": []}}).encode()


@dataclass
class FakeStore:
    """A tiny SPARQL 'store' in the test process whose behaviour a test sets with `mode`:

    "ok" answers every query with an empty, valid SELECT result; "garbage" with text that
    claims to be SPARQL JSON; "hang" never answers (until the session ends); "truncated"
    starts a valid answer and closes the connection; an int answers with that status.
    """

    mode: object = "ok"
    requests: list[dict] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/sparql"


def _fake_handler(store: FakeStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            self._answer()

        def do_PUT(self) -> None:  # noqa: N802
            self._answer()

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            store.requests.append({"method": self.command, "path": self.path,
                                   "body": self.rfile.read(length).decode(),
                                   "accept": self.headers.get("Accept"),
                                   "authorization": self.headers.get("Authorization")})
            mode = store.mode
            if mode == "hang":
                store.release.wait(60)
                return
            if mode == "garbage":
                self._send(200, "application/sparql-results+json", b"<html>oops</html>")
            elif mode == "truncated":
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(EMPTY_LISTING[:20])
                self.close_connection = True
            elif isinstance(mode, int):
                self._send(mode, "text/plain", f"store says {mode}".encode())
            else:
                self._send(200, "application/sparql-results+json", EMPTY_LISTING)

        def _send(self, status: int, media_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="session")
def fake_store() -> Iterator[FakeStore]:
    """A FakeStore served on a free loopback port for the whole session."""
    store = FakeStore()
    store.server = ThreadingHTTPServer(("127.0.0.1", 0), _fake_handler(store))
    store.server.daemon_threads = True
    thread = threading.Thread(target=store.server.serve_forever, daemon=True)
    thread.start()
    yield store
    store.release.set()
    store.server.shutdown()
    store.server.server_close()


@pytest.fixture(scope="session")
def fake_remote(fake_store: FakeStore, start_remote) -> LiveServer:
    """`napgraph serve --store` in front of the fake store: 1.5 s time limit, no cache, no
    refresh (the graphs are read once, at start-up, while the fake store is well)."""
    return start_remote(fake_store.url, QUERY_TIMEOUT=1.5, CACHE_ENTRIES=0, STORE_REFRESH=0)


@pytest.fixture(scope="session")
def jp_xx_build(build, tmp_path_factory) -> Path:
    """A copy of the session's Japan build with the synthetic country xx imported
    (tests/data/countries/xx.ttl), as `napgraph import` makes it."""
    from napgraph.graph.imports import import_country

    folder = tmp_path_factory.mktemp("jp-xx") / "build"
    shutil.copytree(build.release.parents[1], folder, symlinks=True)
    import_country(str(XX_FIXTURE), "xx", folder, max_validate=0)
    return folder
