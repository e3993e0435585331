"""Cheap queries side by side: napgraph warm (cache on), napgraph cold (cache off) and
`oxigraph serve-read-only`, on Japan's build: requests per second and server CPU per request.

    .venv/bin/python bench/cheap.py [--duration 3] [--concurrency 8] [--via-flask]

For each query (ASKs, DESCRIBEs, lookups of bench/workload.py) hey loads each server for
`duration` seconds; the CPU time of the server's whole process group (web workers and query
runners) over the run, divided by the answers, is its CPU per request. Everything binds and
targets 127.0.0.1; every server is stopped at the end.

`--via-flask` adds a column "cold via Flask": the cold server again, with one more URL
parameter (`x=1`), which the SPARQL fast path (server/sparql/fast_path.py) leaves to the Flask
app: the same query through the request path of before the fast path, in the same run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import run_hey  # noqa: E402
from bench.run import japan_build, oxigraph_store  # noqa: E402
from bench.servers import Server, Servers, install_signal_handlers, napgraph, oxigraph  # noqa: E402
from bench.workload import workload  # noqa: E402

BENCH = Path(__file__).resolve().parent
CHEAP = ("ask-type", "ask-label", "describe-actor", "describe-consultation", "lookup-actor",
         "lookup-consultation")
ACCEPT = {"ASK": "application/sparql-results+json", "SELECT": "application/sparql-results+json",
          "DESCRIBE": "application/n-triples", "CONSTRUCT": "application/n-triples"}


def measure(server: Server, query, duration: float, concurrency: int,
            extra: str = "") -> tuple[float, float]:
    """(2xx answers per second, server CPU milliseconds per answer); `extra` is appended to
    the URL."""
    url = server.query_url(query.text) + extra
    headers = [f"Accept: {ACCEPT[query.form]}"]
    run_hey(url, requests=20, concurrency=1, headers=headers)  # warm: cache, connections
    server.wait_idle()
    before = server.cpu_seconds()
    result = run_hey(url, duration=duration, concurrency=concurrency, headers=headers)
    server.wait_idle()
    cpu = server.cpu_seconds() - before
    return result.ok_rps, 1000 * cpu / max(result.ok, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=BENCH / ".work")
    parser.add_argument("--via-flask", action="store_true",
                        help="also the cold server through Flask (one more URL parameter)")
    args = parser.parse_args()
    install_signal_handlers()
    args.workdir.mkdir(parents=True, exist_ok=True)
    files = [japan_build(args.workdir)]
    location, _ = oxigraph_store(args.workdir, "japan", files)
    queries = [q for q in workload() if q.name in CHEAP]
    with Servers() as servers:
        targets = {
            "warm": servers.start(napgraph("cheap-warm", files, args.workdir)),
            "cold": servers.start(napgraph("cheap-cold", files, args.workdir,
                                           env={"NAPGRAPH_CACHE_ENTRIES": "0"})),
            "oxigraph": servers.start(oxigraph("cheap-oxigraph", location, args.workdir)),
        }
        names = ["warm", "cold", *(["cold via Flask"] if args.via_flask else []), "oxigraph"]
        print("| query | " + " | ".join(f"{name} req/s" for name in names) + " | "
              + " | ".join(f"{name}/ox" for name in names[:-1]) + " | "
              + " | ".join(f"{name} CPU ms/req" for name in names) + " |")
        print("|---|" + "---:|" * (3 * len(names) - 1))
        for query in queries:
            got = {name: measure(server, query, args.duration, args.concurrency)
                   for name, server in targets.items()}
            if args.via_flask:
                got["cold via Flask"] = measure(targets["cold"], query, args.duration,
                                                args.concurrency, "&x=1")
            ox = got["oxigraph"][0] or float("nan")
            print(f"| {query.name} | " + " | ".join(f"{got[n][0]:,.0f}" for n in names) + " | "
                  + " | ".join(f"{got[n][0] / ox:.2f}×" for n in names[:-1]) + " | "
                  + " | ".join(f"{got[n][1]:.2f}" for n in names) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
