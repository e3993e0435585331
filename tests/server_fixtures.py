"""Fixtures for the SPARQL server: real server processes on free loopback ports.

Loaded by tests/conftest.py as a pytest plugin. `live_server` runs `napgraph serve` (the CLI,
gunicorn, the app factory, the query runners: the whole real thing) on tests/data/mini.nq;
`protocol_server` runs it on the W3C protocol test data; `start_server` starts others with
their own settings. Each waits until the server answers and stops it afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests

from napgraph.graph.iris import DEFAULT_BASE
from napgraph.graph.publish import publish

TESTS = Path(__file__).parent
MINI = TESTS / "data" / "mini.nq"
# The W3C SPARQL 1.1 Protocol and Service Description tests, copied into the repository with
# their licence (tests/data/w3c/NOTICE) so that a bare clone runs them.
W3C = TESTS / "data" / "w3c"
PROTOCOL_MANIFEST = W3C / "protocol-manifest.ttl"
SD_MANIFEST = W3C / "service-description-manifest.ttl"
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
NAPGRAPH = Path(sys.executable).parent / "napgraph"
# The pathological query of the timeout tests: a five-way cross product of all triples
# filtered on all five objects at once, so nothing can be pruned early.
RUNAWAY_QUERY = ("SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n ?o "
                 'FILTER(CONCAT(STR(?c), STR(?f), STR(?i), STR(?l), STR(?o)) = "never") }')


RDF_PARSERS = {"text/turtle": "turtle", "application/rdf+xml": "xml",
               "application/ld+json": "json-ld", "application/n-triples": "nt",
               "application/n-quads": "nquads", "application/trig": "trig"}


def parse_rdf(content: bytes, media_type: str) -> rdflib.Graph:
    """Parse an RDF response body with rdflib (an independent parser) into one graph."""
    parser = RDF_PARSERS[media_type.split(";")[0].strip()]
    if parser in ("nquads", "trig"):
        # rdflib 7.6's dataset parsers warn about its own deprecated internals; pyoxigraph
        # reads these, and the triples must all sit in the default graph.
        quads = list(ox.parse(content, ox.RdfFormat.from_media_type(media_type)))
        assert all(q.graph_name == ox.DefaultGraph() for q in quads)
        content = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
        parser = "nt"
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser still builds a ConjunctiveGraph internally.
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        return rdflib.Graph().parse(data=content, format=parser)


@dataclass
class LiveServer:
    """A running `napgraph serve` process."""

    process: subprocess.Popen
    port: int
    log: Path

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        return f"{self.root}/sparql"

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    """A TCP port that is free on the loopback interface right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_build_dir(folder: Path, nquads: bytes, version: str) -> Path:
    """Publish `nquads` as a build, as `napgraph build` does: current -> releases/<version>."""
    publish(folder, {"napgraph.nq": nquads}, {"version": version, "base": DEFAULT_BASE, "graphs": {}})
    return folder


def launch(build_dir: Path, settings: Mapping[str, object], log: Path,
           workers: int = 1) -> LiveServer:
    """Start `napgraph serve` with NAPGRAPH_* settings and wait until it answers a query."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NAPGRAPH_")}
    env.update({f"NAPGRAPH_{name}": json.dumps(value) for name, value in settings.items()})
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(NAPGRAPH), "serve", "--build-dir", str(build_dir), "--host", "127.0.0.1",
             "--port", str(port), "--workers", str(workers)],
            stdout=sink, stderr=subprocess.STDOUT, env=env)
    server = LiveServer(process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"napgraph serve exited with {process.returncode}:\n"
                               f"{server.log_tail()}")
        try:
            if requests.get(server.endpoint, params={"query": "ASK {}"}, timeout=2).ok:
                return server
        except (requests.ConnectionError, requests.Timeout):  # still starting (a loaded host)
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"napgraph serve did not answer within 60 s:\n{server.log_tail()}")


def protocol_nquads() -> bytes:
    """The W3C protocol test data as N-Quads, one named graph per `ut:graphData` of the
    manifest: the manifest's <dataN.nt> is the suite's protocol-dataN.nt, named by its label."""
    manifest = rdflib.Graph().parse(PROTOCOL_MANIFEST, format="turtle")
    graphs = {}
    for graph_data in manifest.objects(None, UT.graphData):
        source = str(manifest.value(graph_data, UT.graph)).rsplit("/", 1)[-1]
        graphs[source] = str(manifest.value(graph_data, rdflib.RDFS.label))
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
             for source, name in sorted(graphs.items())
             for t in ox.parse(path=W3C / f"protocol-{source}", format=ox.RdfFormat.N_TRIPLES)]
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


@pytest.fixture(scope="session")
def start_server(tmp_path_factory) -> Iterator:
    """A factory: start_server(nquads, **settings) -> LiveServer, stopped at session end."""
    started: list[LiveServer] = []

    def start(nquads: bytes, workers: int = 1, **settings: object) -> LiveServer:
        folder = tmp_path_factory.mktemp("server")
        build = make_build_dir(folder / "build", nquads, version=f"test-{len(started)}")
        server = launch(build, settings, folder / "server.log", workers=workers)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def protocol_server(start_server) -> LiveServer:
    """A live server loaded with the W3C protocol test graphs."""
    return start_server(protocol_nquads())


@pytest.fixture(scope="session")
def live_server(start_server, protocol_server) -> LiveServer:
    """A live server on tests/data/mini.nq: 2 s time limit, 2 runners, and the protocol
    server's endpoint as the only allowed SERVICE."""
    return start_server(MINI.read_bytes(), QUERY_TIMEOUT=2, QUERY_RUNNERS=2, WORKER_THREADS=6,
                        SERVICE_ALLOWLIST=[protocol_server.endpoint])


@pytest.fixture(scope="session")
def limited_server(start_server) -> LiveServer:
    """A live server with small limits: 5 rows, 2 KiB requests, 512-byte query strings,
    300 MiB per runner, one allowed CORS origin and no cache."""
    return start_server(MINI.read_bytes(), MAX_RESULT_ROWS=5, MAX_REQUEST_BYTES=2048,
                        MAX_QUERY_STRING_BYTES=512, RUNNER_MEMORY_MB=300,
                        CORS_ORIGINS=["https://allowed.example"], CACHE_ENTRIES=0,
                        QUERY_RUNNERS=1)


@pytest.fixture(scope="module")
def mini_app():
    """The app from the factory on mini.nq, for fast test-client checks."""
    from napgraph.server import create_app

    app = create_app({"DATA_FILES": [str(MINI)], "QUERY_RUNNERS": 1, "QUERY_TIMEOUT": 5})
    yield app
    app.extensions["napgraph.sparql"].backend.close()
