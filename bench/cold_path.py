"""Where an uncached cheap query's time goes, layer by layer, in one process.

    .venv/bin/python bench/cold_path.py [--requests 2000]

On Japan's build (bench/.work/build, made by bench/cheap.py or bench/run.py), without an
answer cache, one request at a time, for an ASK, a DESCRIBE and a lookup (bench/workload.py):

- engine: runner.Engine.answer in this process (guard, pyoxigraph, serialization);
- runner trip: RunnerPool.run to a runner process and back (adds marshal and the socket);
- fast path: the ASGI front with the SPARQL fast path (sparql/fast_path.py), driven with
  ASGI messages on uvloop: reading the request, the query on the loop, the response, the
  access log (to a file);
- via Flask: the same front and request with one more URL parameter, which the fast path
  leaves to the Flask app (in a lane thread).

Wall time per request, and this process's CPU per request (the runner's own CPU is not in
it). Granian's own cost per request (HTTP parsing, the ASGI hand-over) comes on top: see
bench/interfaces.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import uvloop

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.workload import workload  # noqa: E402

BENCH = Path(__file__).resolve().parent
QUERIES = ("ask-type", "describe-actor", "lookup-actor")
ACCEPT = {"ask": "application/sparql-results+json", "describe": "application/n-triples",
          "lookup": "application/sparql-results+json"}


def timed(action: Callable[[], object], requests: int) -> tuple[float, float]:
    """(wall µs, CPU µs of this process) per call of `action`, after one call to warm up."""
    action()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(requests):
        action()
    return ((time.perf_counter() - wall) / requests * 1e6,
            (time.process_time() - cpu) / requests * 1e6)


def asgi_scope(query: str, accept: str, extra: str = "") -> dict:
    return {"type": "http", "method": "GET", "path": "/sparql", "raw_path": b"/sparql",
            "query_string": (urlencode({"query": query}) + extra).encode(), "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", accept.encode()),
                        (b"accept-encoding", b"gzip")],
            "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "scheme": "http",
            "http_version": "1.1"}


def through_front(front, scope: dict, requests: int) -> tuple[float, float]:
    """Per request through the ASGI front, on one uvloop loop."""
    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message

    async def many(count: int) -> None:
        for _ in range(count):
            await front(scope, receive, send)

    batch = 100
    wall, cpu = timed(lambda: uvloop.run(many(batch)), max(requests // batch, 1))
    return wall / batch, cpu / batch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--build", type=Path, default=BENCH / ".work" / "build")
    args = parser.parse_args()
    from napgraph.graph.served_store import open_read_only
    from napgraph.server import create_app
    from napgraph.server.backends.messages import QueryRequest
    from napgraph.server.backends.runner import Engine
    from napgraph.server.http import middleware, replay
    from napgraph.server.http.front import WsgiFront
    from napgraph.server.sparql import endpoint
    from napgraph.server.sparql.fast_path import FastPath

    log = Path(tempfile.mkdtemp(prefix="napgraph-bench-")) / "access.log"
    app = create_app({"BUILD_DIR": str(args.build), "CACHE_ENTRIES": 0, "QUERY_RUNNERS": 1,
                      "ACCESS_LOG": str(log)})
    state = app.extensions[endpoint.EXTENSION]
    pool = state.backend.pool
    store_folder = Path(pool.spec.store)
    version = json.loads((store_folder / "store.json").read_text())["version"]
    store, _ = open_read_only(store_folder, version)
    engine = Engine(store, ())
    fast = FastPath(state, app.config, app.extensions.get(middleware.EXTENSION))
    front = WsgiFront(app.wsgi_app, app.config, app.extensions[replay.EXTENSION], fast)
    print("| query | engine µs | runner trip µs | fast path µs (CPU) | via Flask µs (CPU) |")
    print("|---|---:|---:|---:|---:|")
    try:
        for query in (q for q in workload() if q.name in QUERIES):
            accept = ACCEPT[query.category]
            json_type, graph_type = ACCEPT["ask"], ACCEPT["describe"]
            request = QueryRequest(query.text, "http://127.0.0.1:8000/sparql", None, None,
                                   True, json_type, json_type, graph_type, 10_000)
            engine_us = timed(lambda r=request: engine.answer(r), args.requests)[0]
            trip_us = timed(lambda r=request: pool.run(r, 10), args.requests)[0]
            fast_us = through_front(front, asgi_scope(query.text, accept), args.requests)
            flask_us = through_front(front, asgi_scope(query.text, accept, "&x=1"),
                                     args.requests)
            print(f"| {query.name} | {engine_us:.0f} | {trip_us:.0f} | {fast_us[0]:.0f} "
                  f"({fast_us[1]:.0f}) | {flask_us[0]:.0f} ({flask_us[1]:.0f}) |", flush=True)
    finally:
        state.backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
