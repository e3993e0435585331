"""The hostile test bed: the real build plus a graph of hostile labels, served by a real
server whose only allowed SERVICE is a fake endpoint, next to a loopback listener the server
must never connect to and a canary file it must never read.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import requests

from napgraph.graph.imports import import_country
from tests.hostile_cases import HOSTILE
from tests.server_fixtures import LiveServer, launch

ZZ = "https://w3id.org/napgraph/id/zz/"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
ORGANIZATION = ox.NamedNode("http://www.w3.org/ns/org#FormalOrganization")
AGENT = ox.NamedNode("http://www.w3.org/ns/prov#Agent")
# Labels too long to write by hand: the resource's local name and its label.
LONG_LABELS = {
    "org/long-script": "<script>alert(19)</script>" * 4000,
    "org/long-plain": "A" * 200_000,
    "org/long-combining": "e\u0301\u202e" * 30_000,
}
COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
# A known-good URL of each family of routes: a family whose URL is not 200 is not served.
FAMILY_PROBES = {
    "sparql": ("/sparql?query=ASK%7B%7D", "*/*"),
    "id": ("/id/jp/org/mofa", "text/turtle"),
    "queries": ("/queries", "text/html"),
    "search": ("/search?q=ministry", "text/html"),
    "download": ("/download/", "text/html"),
    "static": ("/static/site.css", "*/*"),
    "vendor": ("/static/vendor/codemirror/lib/codemirror.js", "*/*"),
    "home": ("/", "text/html"),
    "health": ("/health", "*/*"),
}


class Trap:
    """A TCP listener on loopback that records every connection made to it."""

    def __init__(self, family: socket.AddressFamily = socket.AF_INET,
                 host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[object] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, address = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(address)
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


class FakeEndpoint:
    """The one allowed SERVICE endpoint: answers every query with no solutions, counts calls."""

    def __init__(self) -> None:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                endpoint.calls += 1
                body = json.dumps({"head": {"vars": ["s", "p", "o"]},
                                   "results": {"bindings": []}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.calls = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def hostile_graph(folder: Path) -> Path:
    """tests/data/hostile/zz.ttl plus the generated long labels, as one Turtle file."""
    extra = []
    for local, label in LONG_LABELS.items():
        node = ox.NamedNode(ZZ + local)
        extra += [ox.Triple(node, TYPE, ORGANIZATION), ox.Triple(node, TYPE, AGENT),
                  ox.Triple(node, LABEL, ox.Literal(label, language="en")),
                  ox.Triple(node, PREF_LABEL, ox.Literal(label, language="en"))]
    path = folder / "zz-hostile.ttl"
    path.write_bytes((HOSTILE / "zz.ttl").read_bytes() + b"\n"
                     + ox.serialize(extra, format=ox.RdfFormat.N_TRIPLES))
    return path


@dataclass
class HostileBed:
    """Everything a hostile test needs to send a case and check what happened."""

    server: LiveServer
    trap: Trap
    trap6: Trap | None
    allowed: FakeEndpoint
    canary: Path
    markers: dict[str, str]
    families: dict[str, bool]
    count: int
    secrets: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.port

    def served(self, family: str) -> bool:
        return self.families.get(family, True)

    def connections(self) -> list[object]:
        return self.trap.connections + (self.trap6.connections if self.trap6 else [])

    def still_answers(self) -> bool:
        """A normal query, never seen before (so not cached), gives the count of the start."""
        response = requests.get(self.server.endpoint, timeout=30, params={
            "query": f"# {uuid.uuid4()}\n{COUNT}"})
        response.raise_for_status()
        return int(response.json()["results"]["bindings"][0]["n"]["value"]) == self.count


def start_hostile_bed(build_folder: Path, tmp: Path, **settings: object) -> HostileBed:
    """Copy the session's build, import the hostile graph as country zz, and serve it."""
    trap = Trap()
    try:
        trap6 = Trap(socket.AF_INET6, "::1")
    except OSError:  # no IPv6 loopback here
        trap6 = None
    allowed = FakeEndpoint()
    outside = tmp / "outside"
    outside.mkdir()
    canary = outside / "canary.txt"
    secret = f"napgraph-canary-{uuid.uuid4()}"
    canary.write_text(secret + "\n", encoding="utf-8")
    build_dir = tmp / "build"
    shutil.copytree(build_folder, build_dir, symlinks=True)
    import_country(str(hostile_graph(tmp)), "zz", build_dir, max_validate=0)
    release = (build_dir / "current").resolve()
    relative = os.path.relpath(canary, release)
    server = launch(build_dir, {"QUERY_TIMEOUT": 5, "SERVICE_ALLOWLIST": [allowed.url],
                                "WORKER_THREADS": 4, **settings}, tmp / "server.log")
    markers = {
        "TRAP": f"127.0.0.1:{trap.port}", "TRAP_PORT": str(trap.port),
        "TRAP6": f"[::1]:{trap6.port if trap6 else trap.port}",
        "ALLOWED": allowed.url, "ALLOWED_HOSTPORT": f"127.0.0.1:{allowed.port}",
        "CANARY": str(canary), "CANARY_REL": relative,
        "CANARY_REL_ENC": relative.replace("/", "%2f"), "SLUG": "actor-meetings",
    }
    families = {}
    for family, (path, accept) in FAMILY_PROBES.items():
        reply = requests.get(server.root + path, headers={"Accept": accept}, timeout=30)
        families[family] = reply.status_code == 200
    answer = requests.get(server.endpoint, params={"query": COUNT}, timeout=30).json()
    count = int(answer["results"]["bindings"][0]["n"]["value"])
    return HostileBed(server, trap, trap6, allowed, canary, markers, families, count, [secret])


def stop_hostile_bed(bed: HostileBed) -> None:
    bed.server.stop()
    bed.trap.close()
    if bed.trap6 is not None:
        bed.trap6.close()
    bed.allowed.close()
