"""Fixtures for remote stores: real `oxigraph serve` and Virtuoso 7 processes, napgraph served
from them, and a fake store whose faults a test chooses.

Loaded by tests/conftest.py as a pytest plugin. `start_oxigraph` starts the Oxigraph server
(the `oxigraph` package's CLI) on a free loopback port with its own data folder and waits
until it answers; `start_store(kind)` starts either store (tests parametrized over
STORE_KINDS run on both); `push_build` loads a build folder into it with `napgraph push` (the real
command); `start_remote` runs `napgraph serve --store` in front of it. Everything started is
stopped at the end of the session.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import requests
from rdflib import Literal, URIRef

from tests.server_fixtures import NAPGRAPH, LiveServer, free_port, launch

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
XX_FIXTURE = Path(__file__).parent / "data" / "countries" / "xx.ttl"


class _OnLoopback:
    """A store process on 127.0.0.1: its root URL and its SPARQL query endpoint."""

    port: int
    query_path: str

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.root}{self.query_path}"


@dataclass
class OxigraphServer(_OnLoopback):
    """An `oxigraph serve` process with a data folder that outlives it (for restarts)."""

    location: Path
    port: int
    log: Path
    union: bool = True
    process: subprocess.Popen | None = None
    kind = "oxigraph"
    query_path = "/query"

    def start(self) -> OxigraphServer:
        """Start the process and wait (at most 30 s) until it answers a query."""
        command = [str(OXIGRAPH), "serve", "--location", str(self.location),
                   "--bind", f"127.0.0.1:{self.port}"]
        if self.union:
            command.append("--union-default-graph")
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
        _wait_until_it_answers(self.process, self.query_url, self.log, 30)
        return self

    def update(self, text: str) -> None:
        """Run a SPARQL update on the store itself (its /update endpoint)."""
        requests.post(f"{self.root}/update", data={"update": text},
                      timeout=30).raise_for_status()

    def stop(self) -> None:
        _stop(self.process, 10)


@dataclass
class VirtuosoServer(_OnLoopback):
    """A private OpenLink Virtuoso 7 (Debian's `virtuoso-opensource-7-bin`): its own database
    folder and virtuoso.ini (tests/data/virtuoso.ini), loopback ports, no system service.

    Virtuoso's SPARQL endpoint is /sparql (it takes updates there too, for a user with the
    SPARQL_UPDATE role), its Graph Store endpoints /sparql-graph-crud (anonymous) and
    /sparql-graph-crud-auth (Digest authentication). `start` grants SPARQL_UPDATE to the
    anonymous SPARQL user, so this store accepts writes from anyone who reaches it: what
    napgraph must never let through.
    """

    folder: Path
    port: int
    sql_port: int
    process: subprocess.Popen | None = None
    kind = "virtuoso"
    query_path = "/sparql"

    @property
    def push_target(self) -> str:
        """What `napgraph push --to` is given: the endpoint with the dba's credentials."""
        return f"http://{VIRTUOSO_USER}:{VIRTUOSO_PASSWORD}@127.0.0.1:{self.port}/sparql"

    @property
    def log(self) -> Path:
        return self.folder / "virtuoso.log"

    def start(self) -> VirtuosoServer:
        """Write virtuoso.ini, start the server, wait (at most 60 s) until /sparql answers,
        then grant SPARQL_UPDATE to the anonymous user."""
        template = (Path(__file__).parent / "data" / "virtuoso.ini").read_text()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(template.format(folder=self.folder, sql_port=self.sql_port,
                                       http_port=self.port))
        with (self.folder / "stdout.log").open("ab") as sink:
            self.process = subprocess.Popen([VIRTUOSO, "-f", "-c", str(ini)], cwd=self.folder,
                                            stdout=sink, stderr=subprocess.STDOUT)
        _wait_until_it_answers(self.process, self.query_url, self.log, 60)
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')
        return self

    def isql(self, statements: str) -> str:
        """Run SQL statements with Virtuoso's isql as dba; return its output."""
        result = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", VIRTUOSO_USER,
                                 VIRTUOSO_PASSWORD, f"exec={statements}"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and "Error" not in result.stdout, result.stdout
        return result.stdout

    def update(self, text: str) -> None:
        """Run a SPARQL update on the store itself: Virtuoso takes it as a query."""
        requests.post(self.query_url, data={"query": text}, timeout=30).raise_for_status()

    def stop(self) -> None:
        _stop(self.process, 30)


VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
ISQL = shutil.which("isql-vt") or "/usr/bin/isql-vt"
VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"  # a private instance's default administrator


def _wait_until_it_answers(process: subprocess.Popen, query_url: str, log: Path,
                           seconds: float) -> None:
    """Wait until a store answers `ASK {}`; raise RuntimeError (with its log) if it exits
    or does not answer in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}:\n"
                               f"{log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(query_url, params={"query": "ASK {}"}, timeout=2).ok:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    _stop(process, 10)
    raise RuntimeError(f"{process.args[0]} did not answer within {seconds:g} s")


def _stop(process: subprocess.Popen | None, seconds: float) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


STORE_KINDS = ("oxigraph", "virtuoso")


@pytest.fixture(scope="session")
def start_store(start_oxigraph, tmp_path_factory) -> Iterator:
    """A factory: start_store(kind) -> a running OxigraphServer ("oxigraph", with its union
    default graph) or VirtuosoServer ("virtuoso"), stopped at the end of the session."""
    started: list[VirtuosoServer] = []

    def start(kind: str) -> OxigraphServer | VirtuosoServer:
        if kind == "oxigraph":
            return start_oxigraph()
        server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port())
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


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


XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {f"{XSD}{name}" for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}


def fold_integers(triples: Iterable) -> set:
    """rdflib triples with every integer subtype written as xsd:integer: Oxigraph stores
    `"1"^^xsd:positiveInteger` as an xsd:integer, Virtuoso keeps the data's datatype."""
    integer = URIRef(f"{XSD}integer")
    return {(s, p, Literal(str(o), datatype=integer)
             if isinstance(o, Literal) and str(o.datatype) in INTEGERS else o)
            for s, p, o in triples}


CONCATENATED = re.compile(r"GROUP_CONCAT\s*\(.*?\)\s*AS\s*\?(\w+)", re.IGNORECASE | re.DOTALL)


def solutions(response: requests.Response | dict, ordered: bool, query: str = "",
              fold: bool = False) -> bool | tuple[list, list]:
    """The parsed answer: a boolean, or the variables and rows (sorted unless `ordered`).

    With `fold`, what stores may write differently without changing the answer is made the
    same: an integer subtype is xsd:integer, and a GROUP_CONCAT value has no language tag
    (SPARQL leaves both to the implementation; Virtuoso writes them otherwise than Oxigraph).
    """
    data = response.json() if isinstance(response, requests.Response) else response
    if "boolean" in data:
        return data["boolean"]
    concatenated = set(CONCATENATED.findall(query)) if fold else set()
    rows = [json.dumps({name: _folded(term, name in concatenated) if fold else term
                        for name, term in row.items()}, sort_keys=True)
            for row in data["results"]["bindings"]]
    return data["head"]["vars"], rows if ordered else sorted(rows)


def _folded(term: dict, concatenated: bool) -> dict:
    term = dict(term, type="literal" if term["type"] == "typed-literal" else term["type"])
    if term.get("datatype") in INTEGERS:
        term["datatype"] = f"{XSD}integer"
    if concatenated:  # GROUP_CONCAT's order is the store's: compare the sorted parts
        term.pop("xml:lang", None)
        term["value"] = ", ".join(sorted(term["value"].split(", ")))
    return term


def store_quads(store: OxigraphServer | VirtuosoServer) -> int:
    """Count every quad of every graph of the store, asking the store itself."""
    response = requests.post(store.query_url, timeout=30,
                             data={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"},
                             headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def push_build(build_dir: Path, store: OxigraphServer | VirtuosoServer) -> str:
    """Load a build folder into the store with `napgraph push`; return its output."""
    target = getattr(store, "push_target", store.root)
    result = subprocess.run([str(NAPGRAPH), "push", "--to", target, "--build-dir",
                             str(build_dir)], capture_output=True, text=True, timeout=300)
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


HTML_ERROR = (b"<!DOCTYPE html><html><head><title>Error</title><style>h3 { color: red }</style>"
              b"</head><body><h3>Error HT059</h3>\n<p>Proxy access to 127.0.0.1\n denied</p>"
              b"<script>var x = 1;</script></body></html>")
EMPTY_LISTING = json.dumps({"head": {"vars": ["g", "n"]},
                            "results": {"bindings": []}}).encode()


@dataclass
class FakeStore:
    """A tiny SPARQL 'store' in the test process whose behaviour a test sets with `mode`:

    "ok" answers an ASK query with true, every other query with an empty, valid SELECT
    result; "garbage" with text that
    claims to be SPARQL JSON; "hang" never answers (until the session ends); "truncated"
    starts a valid answer and closes the connection; "html-error" answers 500 with an HTML
    page as Virtuoso does; "many-headers" answers as "ok" with 500 header fields more, as
    Virtuoso does when it echoes every graph of the query's dataset; an int answers with that
    status.
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
            elif mode == "html-error":
                self._send(500, "text/html; charset=UTF-8", HTML_ERROR)
            elif isinstance(mode, int):
                self._send(mode, "text/plain", f"store says {mode}".encode())
            elif "ASK" in parse_qs(store.requests[-1]["body"]).get("query", [""])[0][:20]:
                self._send(200, "application/sparql-results+json", b'{"boolean": true}')
            else:
                self._send(200, "application/sparql-results+json", EMPTY_LISTING)

        def _send(self, status: int, media_type: str, body: bytes) -> None:
            self.send_response(status)
            if store.mode == "many-headers":
                for n in range(500):
                    self.send_header("X-SPARQL-default-graph", f"urn:graph:{n}")
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
