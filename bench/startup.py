"""Serving at scale (bench/scale.py --serving): memory of `napgraph serve`, time to its first
answer, and cold SPARQL throughput against Oxigraph's server, on one build folder.

For `napgraph serve` with its defaults (1 worker, 2 query runners) and with `--workers 2`
and `--workers 4`, one after the other: the seconds from starting the command to its first
answer (`ASK {}`), then the memory of its whole process tree (server, workers, runners) as
PSS, the proportional set size, from /proc/PID/smaps_rollup: a page shared by several
processes, such as the store's pages in the page cache that every runner maps, counts once
in all, split between them; RSS beside it counts a shared page once per process. Memory is
read when ready and again after the SPARQL workload (bench/workload.py) has been sent once by
8 clients at once, so every runner has read the data.

Cold throughput: `napgraph serve --workers 2` with the response cache off
(NAPGRAPH_CACHE_ENTRIES=0, as bench/run.py's "cold" server) against `oxigraph
serve-read-only --union-default-graph` on the same files, each workload query loaded with
hey at concurrency 8 (bench/run.py `measure_query`); the geometric mean of the req/s ratios.

On its own, for sizes where importing country by country takes too long (10^7 quads: 1,000
imports), it serves the synthetic file and Japan's build as *one* release instead (the same
quads, the same on-disk store; only fewer manifests to verify at start):

    .venv/bin/python -m bench.startup --countries 1000 [--only lookup,describe,ask]
    .venv/bin/python -m bench.startup --build bench/.work/scale-100/build --cold
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import report, run
from bench.servers import OXIGRAPH, Server, Servers, napgraph, oxigraph
from bench.workload import Query, workload

WORKERS = (1, 2, 4)  # 1 is `napgraph serve`'s default
CLIENTS = 8


def store_mb(build_dir: Path) -> int:
    """The size on disk of the store `build_dir` serves (MiB)."""
    from napgraph.graph.loaded import served_dataset
    from napgraph.graph.served_store import store_folder

    _, version = served_dataset(build_dir)
    return _mb(sum(p.stat().st_size for p in store_folder(build_dir, version).rglob("*")
                   if p.is_file()))


def footprint(servers: Servers, build_dir: Path, logs: Path, queries: list[Query],
              clients: int = CLIENTS) -> list[dict]:
    """Start-up time and memory of `napgraph serve` for each number of workers."""
    rows = []
    for workers in WORKERS:
        run._say(f"[serving] napgraph serve --workers {workers}")
        server = napgraph(f"serve-w{workers}", [], logs, workers=workers, build_dir=build_dir)
        started = time.perf_counter()
        servers.start(server, timeout=1800)
        row = {"workers": workers, "first_answer_s": round(time.perf_counter() - started, 2),
               "processes": len(server.pids()),
               "ready": {"pss_mb": _mb(server.pss_bytes()), "rss_mb": _mb(server.rss_bytes())}}
        row["workload_s"] = round(_send_all(server, queries, clients), 1)
        row["after_workload"] = {"pss_mb": _mb(server.pss_bytes()),
                                 "rss_mb": _mb(server.rss_bytes())}
        servers.stop(server)
        rows.append(row)
    return rows


def _send_all(server: Server, queries: list[Query], clients: int) -> float:
    """Send every query once from each of `clients` threads at once; the seconds it took."""
    def send(query: Query) -> None:
        request = urllib.request.Request(server.query_url(query.text),
                                         headers={"Accept": query.accept})
        with contextlib.suppress(urllib.error.URLError, OSError):
            with urllib.request.urlopen(request, timeout=120) as response:
                response.read()

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(send, [q for q in queries for _ in range(clients)]))
    return time.perf_counter() - started


def cold_throughput(servers: Servers, build_dir: Path, folder: Path, logs: Path,
                    queries: list[Query], duration: float, probe_timeout: float) -> dict:
    """Cold napgraph against Oxigraph's server on the same files, query by query."""
    from napgraph.graph.loaded import loaded_graph_files

    location = folder / "oxigraph-serving"
    files = loaded_graph_files(build_dir)
    run._say("[serving] oxigraph load of the served files")
    for path in files:
        subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file",
                        str(path)], check=True, capture_output=True)
    targets = {
        "napgraph-cold": servers.start(napgraph(
            "napgraph-cold", [], logs, workers=2, build_dir=build_dir,
            env={"NAPGRAPH_CACHE_ENTRIES": "0"}), timeout=1800),
        "oxigraph": servers.start(oxigraph("oxigraph-serving", location, logs)),
    }
    options = run.Options(scales=[], duration=duration, concurrency=CLIENTS, workdir=folder,
                          only=[], rdflib=False, compression=True, napgraph_env={},
                          probe_timeout=probe_timeout, rdflib_timeout=10.0, readme=False)
    measured = []
    for number, query in enumerate(queries, 1):
        run._say(f"[serving] {number}/{len(queries)} {query.name}")
        measured.append(run.measure_query(query, targets, options))
    ratios = [value for q in measured
              if (value := report.ratio(q["runs"].get("napgraph-cold"), q["runs"].get("oxigraph")))
              is not None and report.comparable(q, "napgraph-cold", "oxigraph")]
    return {"queries": measured, "compared": len(ratios), "geomean": report.geomean(ratios),
            "duration": duration, "probe_timeout": probe_timeout}


def measure(build_dir: Path, folder: Path, duration: float, *, only: list[str] | None = None,
            clients: int = CLIENTS, cold: bool = True, probe_timeout: float = 60.0) -> dict:
    """Every serving measurement of one build folder (see the module's docstring): the
    workload (or its `only` queries) is sent by `clients` clients before memory is read
    again; a query that a server does not answer within `probe_timeout` is not loaded."""
    logs = folder / "logs"
    queries = workload(only=only)
    with Servers() as servers:
        rows = footprint(servers, build_dir, logs, queries, clients)
    for row in rows:
        row["clients"] = clients
    result = {"footprint": rows, "store_mb": store_mb(build_dir),
              "queries": f"{','.join(only)} queries" if only else "the workload"}
    if cold:
        with Servers() as servers:
            result["cold"] = cold_throughput(servers, build_dir, folder, logs, queries,
                                             duration, probe_timeout)
    return result


def tables(size: dict) -> str:
    """The serving tables of one size of bench/scale.py's results."""
    serving = size.get("serving")
    if not serving:
        return ""
    rows = [[f"--workers {row['workers']}" + (" (default)" if row["workers"] == 1 else ""),
             row["processes"], f"{row['first_answer_s']:.1f}",
             f"{row['ready']['pss_mb']:,} / {row['ready']['rss_mb']:,}",
             f"{row['after_workload']['pss_mb']:,} / {row['after_workload']['rss_mb']:,}"]
            for row in serving["footprint"]]
    clients = serving["footprint"][0].get("clients", CLIENTS)
    sent = serving.get("queries", "the workload")
    cold = serving.get("cold")
    lines = [f"`napgraph serve`, {size['countries']} countries + Japan: time to the first "
             "answer, and memory of the whole process tree, PSS / RSS sum in MiB (PSS counts "
             "a page shared by several processes once). The store on disk: "
             f"{serving.get('store_mb', '?'):,} MiB, read with pread through the page cache "
             "(shared, reclaimable, in neither PSS nor RSS):", "",
             report.table(["serve", "processes", "first answer s", "ready PSS / RSS",
                           f"after {sent} × {clients} clients PSS / RSS"], rows), "",
             ]
    if not cold:
        return "\n".join(lines)
    lines += [f"Cold SPARQL throughput (cache off, --workers 2) against `oxigraph "
              f"serve-read-only` on the same files, hey -c {CLIENTS}, {cold['duration']:g} s "
              f"per query: geometric mean of the req/s ratios over {cold['compared']} "
              f"queries: **{report._times(cold['geomean'])}** (target ≥ 1.0×).", ""]
    per_query = [[q["name"], report._rps(q["runs"].get("napgraph-cold")),
                  report._rps(q["runs"].get("oxigraph")),
                  report._times(report.ratio(q["runs"].get("napgraph-cold"),
                                             q["runs"].get("oxigraph")))
                  + ("" if report.comparable(q, "napgraph-cold", "oxigraph") else " ≠")]
                 for q in cold["queries"]]
    lines.append(report.table(["query", "cold req/s", "oxigraph req/s", "cold/ox"], per_query))
    return "\n".join(lines)


def _mb(value: int) -> int:
    return round(value / 2**20)


def one_release(workdir: Path, countries: int) -> Path:
    """A build folder whose one release is Japan's build and `countries` synthetic
    countries, with its store written as `napgraph build` writes it."""
    from napgraph.graph.publish import Staged, publish, staging_folder
    from napgraph.graph.served_store import make_build_store

    japan, synthetic = run.japan_build(workdir), run.synthetic(workdir, countries)
    manifest = json.loads((japan.parent / "manifest.json").read_text())
    catalogs = synthetic_catalogs(synthetic, japan, manifest["base"])
    build = workdir / f"one-release-{countries}"
    shutil.rmtree(build, ignore_errors=True)
    staged = staging_folder(build) / "napgraph.nq"
    digest = hashlib.sha256()
    with open(staged, "wb") as output:
        for path in (japan, synthetic, catalogs):
            with open(path, "rb") as source:
                while chunk := source.read(1 << 22):
                    digest.update(chunk)
                    output.write(chunk)
    publish(build, {"napgraph.nq": Staged(staged, digest.hexdigest())},
            {"version": digest.hexdigest(), "base": manifest["base"], "graphs": {}})
    run._say(f"[serving] writing the store of {countries} countries + Japan")
    started = time.perf_counter()
    info = make_build_store(build)
    run._say(f"[serving] store of {info.quads:,} quads written in "
             f"{time.perf_counter() - started:.0f} s")
    return build


def synthetic_catalogs(synthetic: Path, japan: Path, base: str) -> Path:
    """Each synthetic country's catalog graph, as `napgraph import` would publish it (its
    dataset's description and its summary: graph/describe.py, graph/summary.py), in one
    N-Quads file beside `synthetic`, made once: the home and country pages read these, so
    without them the one release would list Japan alone."""
    import pyoxigraph as ox

    from bench.scale import split_by_country
    from napgraph.graph import iris
    from napgraph.graph.describe import describe_import
    from napgraph.graph.summary import summarise_quads

    path = synthetic.with_suffix(".catalogs.nq")
    if path.exists():
        return path
    schemes = ox.NamedNode(iris.rebase(str(iris.graph("schemes")), base))
    shared = [q for q in ox.parse(path=str(japan), format=ox.RdfFormat.N_QUADS)
              if q.graph_name == schemes]
    run._say(f"[serving] the catalogs of the synthetic countries of {synthetic.name}")
    staging = path.with_suffix(".partial.nq")
    with open(staging, "wb") as output:
        for code, country in split_by_country(synthetic).items():
            quads = list(ox.parse(path=str(country), format=ox.RdfFormat.N_QUADS))
            counts: dict[str, int] = {}
            for quad in quads:
                counts[quad.graph_name.value] = counts.get(quad.graph_name.value, 0) + 1
            catalog = describe_import(code, counts, base) + summarise_quads(
                quads + shared, code, base)
            output.write(ox.serialize(catalog, format=ox.RdfFormat.N_QUADS))
    staging.rename(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """Measure serving on a build folder, or on one release of N synthetic countries +
    Japan; print the tables and record the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path,
                        help="an existing build folder (e.g. bench/.work/scale-100/build, "
                        "left by `bench/scale.py --countries 100`) instead of one release")
    parser.add_argument("--countries", type=int, default=1000,
                        help="synthetic countries of the one release, or of --build")
    parser.add_argument("--only", default="",
                        help="workload queries (names or categories) sent before memory is "
                        "read again and loaded for --cold (default: all)")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--cold", action="store_true",
                        help="also cold throughput against Oxigraph's server")
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--probe-timeout", type=float, default=60.0)
    parser.add_argument("--workdir", type=Path, default=run.BENCH / ".work")
    options = parser.parse_args(argv)
    run.install_signal_handlers()
    workdir = options.workdir.resolve()
    build = (options.build.resolve() if options.build
             else one_release(workdir, options.countries))
    only = [name for name in options.only.split(",") if name] or None
    serving = measure(build, workdir / "serving", options.duration, only=only,
                      clients=options.clients, cold=options.cold,
                      probe_timeout=options.probe_timeout)
    from napgraph.graph.loaded import loaded_graph_files

    size = {"countries": options.countries, "build": str(build),
            "quads": run.count_quads(loaded_graph_files(build)), "serving": serving,
            "one_release": options.build is None, "argv": sys.argv[1:] if argv is None
            else argv}
    path = run.RESULTS / f"startup-{time.strftime('%Y%m%dT%H%M%S')}.json"
    run.save(size, path)
    print(tables(size))
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
