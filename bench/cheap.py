"""Cheap queries side by side: napgraph warm (cache on), napgraph cold (cache off) and
`oxigraph serve-read-only`, on Japan's build: requests per second and server CPU per request.

    .venv/bin/python bench/cheap.py [--duration 3] [--concurrency 8]

For each query (ASKs, DESCRIBEs, lookups of bench/workload.py) hey loads each server for
`duration` seconds; the CPU time of the server's whole process group (web workers and query
runners) over the run, divided by the answers, is its CPU per request. Everything binds and
targets 127.0.0.1; every server is stopped at the end.
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


def measure(server: Server, query, duration: float, concurrency: int) -> tuple[float, float]:
    """(2xx answers per second, server CPU milliseconds per answer)."""
    url = server.query_url(query.text)
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
        print("| query | warm req/s | cold req/s | oxigraph req/s | warm/ox | cold/ox "
              "| warm CPU ms/req | cold CPU ms/req | oxigraph CPU ms/req |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for query in queries:
            got = {name: measure(server, query, args.duration, args.concurrency)
                   for name, server in targets.items()}
            ox = got["oxigraph"][0] or float("nan")
            print(f"| {query.name} | {got['warm'][0]:,.0f} | {got['cold'][0]:,.0f} | "
                  f"{got['oxigraph'][0]:,.0f} | {got['warm'][0] / ox:.2f}× | "
                  f"{got['cold'][0] / ox:.2f}× | {got['warm'][1]:.2f} | {got['cold'][1]:.2f} | "
                  f"{got['oxigraph'][1]:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
