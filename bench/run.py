"""Run the napgraph bench: the SPARQL workload against napgraph and its peers, and the pages.

    .venv/bin/python bench/run.py [--quick] [--scales japan,100] [--duration 3]

For each scale (`japan`: the Japan build; a number N: N synthetic countries plus Japan) it
starts, side by side, `napgraph serve --workers 2` twice (response cache on, and off with
NAPGRAPH_CACHE_ENTRIES=0), `oxigraph serve-read-only --union-default-graph` on the same
N-Quads, and rdflib-endpoint (in bench/.venv-peers). Each query is first sent once to every
server to check that they return answers of the same size, then loaded with hey at
concurrency 8, one server after the other. Results go to bench/results/*.json and the
tables to stdout and to bench/README.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peers, report  # noqa: E402
from bench.load import LoadResult, run_hey  # noqa: E402
from bench.servers import (  # noqa: E402
    NAPGRAPH,
    Server,
    Servers,
    install_signal_handlers,
    napgraph,
    oxigraph,
    oxigraph_load,
    rdflib_endpoint,
)
from bench.workload import Query, count_answer, workload  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
README = BENCH / "README.md"
PAGES = ("/id/jp/consultation/2018-01", "/id/jp/org/mofa")
MARK_START, MARK_END = "<!-- results:start -->", "<!-- results:end -->"


@dataclass
class Options:
    """How the bench runs; see `parse_args`."""

    scales: list[str]
    duration: float
    concurrency: int
    workdir: Path
    only: list[str]
    rdflib: bool
    compression: bool
    napgraph_env: dict[str, str]
    probe_timeout: float
    rdflib_timeout: float
    readme: bool


def parse_args(argv: list[str] | None = None) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 s per run and the Japan scale only (unless --scales)")
    parser.add_argument("--scales", help="comma-separated: japan and/or numbers of synthetic "
                        "countries (default japan,100)")
    parser.add_argument("--duration", type=float, help="seconds per hey run (default 3)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=BENCH / ".work",
                        help="where builds, synthetic data and Oxigraph stores are kept")
    parser.add_argument("--only", default="",
                        help="comma-separated query names or categories (canned, lookup, "
                        "aggregate, text, describe, ask)")
    parser.add_argument("--no-rdflib", action="store_true", help="leave rdflib-endpoint out")
    parser.add_argument("--no-compression", action="store_true",
                        help="hey without Accept-Encoding: gzip (by default it asks for gzip, "
                        "as most clients do)")
    parser.add_argument("--napgraph-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for both napgraph servers, e.g. "
                        "NAPGRAPH_MAX_RESULT_ROWS=0")
    parser.add_argument("--probe-timeout", type=float, default=60.0,
                        help="seconds the answer check waits for napgraph and Oxigraph")
    parser.add_argument("--rdflib-timeout", type=float, default=10.0,
                        help="seconds the answer check waits for rdflib-endpoint: a slower "
                        "query counts as 1/timeout req/s at most (an upper bound), and the "
                        "server is restarted. A query for which one round of requests would "
                        "take more than max(10 s, 4 runs) is not loaded: its throughput is "
                        "estimated as 1/latency")
    parser.add_argument("--no-readme", action="store_true", help="do not update bench/README.md")
    args = parser.parse_args(argv)
    scales = args.scales or ("japan" if args.quick else "japan,100")
    env = dict(item.split("=", 1) for item in args.napgraph_env)
    return Options(
        scales=[s.strip() for s in scales.split(",") if s.strip()],
        duration=args.duration or (1.0 if args.quick else 3.0),
        concurrency=args.concurrency, workdir=args.workdir.resolve(),
        only=[s.strip() for s in args.only.split(",") if s.strip()],
        rdflib=not args.no_rdflib, compression=not args.no_compression, napgraph_env=env,
        probe_timeout=args.probe_timeout, rdflib_timeout=args.rdflib_timeout,
        readme=not args.no_readme)


# -- data --------------------------------------------------------------------------------------


def japan_build(workdir: Path) -> Path:
    """The Japan build's N-Quads, built into `workdir/build` with `napgraph build` if missing."""
    build = workdir / "build"
    dump = build / "current" / "napgraph.nq"
    if not dump.exists():
        _say(f"napgraph build --out {build}")
        subprocess.run([str(NAPGRAPH), "build", "--out", str(build)], check=True,
                       stdout=subprocess.DEVNULL)
    return dump.resolve()


def synthetic(workdir: Path, countries: int) -> Path:
    """`napgraph synth --countries N` into `workdir`, made once and reused."""
    path = workdir / f"synth-{countries}.nq"
    if not path.exists():
        _say(f"napgraph synth --countries {countries}")
        staging = path.with_suffix(".partial.nq")
        subprocess.run([str(NAPGRAPH), "synth", "--countries", str(countries), "--out",
                        str(staging)], check=True, stdout=subprocess.DEVNULL)
        staging.rename(path)
    return path


def scale_files(workdir: Path, scale: str) -> list[Path]:
    """The N-Quads files of a scale: Japan's build, plus N synthetic countries."""
    files = [japan_build(workdir)]
    if scale != "japan":
        files.append(synthetic(workdir, int(scale)))
    return files


def count_quads(files: list[Path]) -> int:
    """Lines of the N-Quads files (one quad a line, as napgraph and pyoxigraph write them)."""
    total = 0
    for path in files:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 22):
                total += chunk.count(b"\n")
    return total


def oxigraph_store(workdir: Path, scale: str, files: list[Path]) -> tuple[Path, float | None]:
    """An Oxigraph (RocksDB) location loaded with the files; (path, load seconds or None)."""
    location = workdir / f"oxigraph-{scale}"
    stamp = location / ".napgraph-bench-files"
    # "optimized": locations loaded before the bench optimized them are loaded again.
    wanted = json.dumps({"files": [[str(p), p.stat().st_size] for p in files],
                         "optimized": True})
    if stamp.exists() and stamp.read_text() == wanted:
        return location, None
    shutil.rmtree(location, ignore_errors=True)
    location.mkdir(parents=True)
    _say(f"oxigraph load ({scale})")
    seconds = oxigraph_load(location, files, workdir / f"oxigraph-load-{scale}.log")
    stamp.write_text(wanted)
    return location, seconds


# -- measuring ---------------------------------------------------------------------------------


def probe(server: Server, query: Query, timeout: float) -> dict:
    """Send the query once; return its status, answer size, seconds and cut header."""
    request = urllib.request.Request(server.query_url(query.text),
                                     headers={"Accept": query.accept})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body, status = response.read(), response.status
            content_type = response.headers.get("Content-Type", "")
            cut = response.headers.get("X-SPARQL-MaxRows")
    except urllib.error.HTTPError as error:
        return {"status": error.code, "seconds": time.perf_counter() - started,
                "error": error.read()[:300].decode("utf-8", "replace")}
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return {"status": None, "seconds": time.perf_counter() - started,
                "error": f"no answer within {timeout:g} s ({error})"}
    seconds = time.perf_counter() - started
    try:
        count = count_answer(body, content_type)
    except (ValueError, SyntaxError) as error:
        return {"status": status, "seconds": seconds, "error": f"unreadable answer: {error}"}
    return {"status": status, "seconds": seconds, "count": count, "cut_at": cut}


def load(server: Server, query: Query, options: Options, latency: float,
         slow_server: bool) -> LoadResult:
    """Load one server with one query at the bench's concurrency; bounded in time.

    Fast queries run for `duration` seconds. Slow ones (or any on a slow server) run a fixed
    number of requests, enough to fill about `duration` seconds, at least one per client.
    The server's CPU time over the run (all its processes) is kept beside the throughput:
    the machine is shared, and CPU per answer moves less with the load than requests/s.
    """
    c = options.concurrency
    headers = [f"Accept: {query.accept}"]
    timeout = max(20.0, 4 * c * latency)
    if slow_server or latency * 4 > options.duration:
        count = max(c, min(100, int(options.duration / max(latency, 1e-3))))
        bound = {"requests": count}
    else:
        bound = {"duration": options.duration}
    before = server.cpu_seconds()
    result = run_hey(server.query_url(query.text), concurrency=c, headers=headers,
                     timeout=timeout, compression=options.compression, **bound)
    server.wait_idle(limit=10)  # queries hey gave up on are still the run's work
    result.cpu_seconds = server.cpu_seconds() - before
    return result


def measure_query(query: Query, targets: dict[str, Server], options: Options) -> dict:
    """Check the answers of every server, then load each one with the query."""
    entry = {"name": query.name, "category": query.category, "form": query.form,
             "counts": {}, "probe_ms": {}, "runs": {}, "notes": {},
             "load_average": os.getloadavg()[0]}  # others share the machine: noted
    probes = {}
    for name, server in targets.items():
        timeout = options.rdflib_timeout if name == "rdflib" else options.probe_timeout
        result = probes[name] = probe(server, query, timeout)
        entry["probe_ms"][name] = round(result["seconds"] * 1000, 2)
        if "count" in result:
            entry["counts"][name] = result["count"]
        if result.get("cut_at"):
            entry["notes"][name] = (f"answer cut at {result['cut_at']} rows "
                                    "(MAX_RESULT_ROWS), so not the peers' answer")
        if "error" in result:
            entry["notes"][name] = f"check: HTTP {result['status']}: {result['error'][:120]}"
        if result["status"] is None:
            # The server may go on computing the abandoned query for minutes: start afresh.
            restart(server)
    for name, server in targets.items():
        result = probes[name]
        if result["status"] is None:
            if name == "rdflib":  # slower than the check allows: an upper bound
                entry["runs"][name] = {"ok_rps": 1 / options.rdflib_timeout, "p50_ms": None,
                                       "p99_ms": None, "statuses": {}, "errors": {},
                                       "clean": True, "estimate": True, "upper_bound": True}
            continue
        latency = result["seconds"]
        if result["status"] == 200 and latency * 4 > options.duration:
            latency = min(latency, probe(server, query, timeout=latency * 4 + 5)["seconds"])
        if name == "rdflib" and latency * options.concurrency > max(10.0, 4 * options.duration):
            # Too slow to load within bounds: one request's rate stands for its throughput
            # (rdflib-endpoint runs one query at a time under the GIL anyway).
            entry["runs"][name] = {"ok_rps": 1 / latency, "p50_ms": latency * 1000,
                                   "p99_ms": None, "statuses": {str(result["status"]): 1},
                                   "errors": {}, "clean": result["status"] == 200,
                                   "estimate": True}
            continue
        try:
            if name == "napgraph-warm":  # fill the cache of both workers first
                run_hey(server.query_url(query.text), concurrency=options.concurrency,
                        requests=2 * options.concurrency, headers=[f"Accept: {query.accept}"],
                        timeout=max(20.0, 8 * latency), compression=options.compression)
            outcome = load(server, query, options, latency, slow_server=name == "rdflib")
        except ValueError as error:
            entry["notes"][name] = f"hey failed: {error}"
            continue
        entry["runs"][name] = outcome.record()
        if name == "rdflib" or outcome.errors:
            # Let abandoned requests finish before the next run, or start afresh.
            if server.wait_idle(limit=60) >= 60:
                restart(server)
    return entry


def restart(server: Server) -> None:
    """Stop a server and start it again on the same port (dropping work in progress)."""
    _say(f"restarting {server.name}")
    server.stop()
    server.start(timeout=1800)


def measure_pages(server: Server, options: Options) -> list[dict]:
    """Throughput of the linked-data pages as HTML; status only ("n/a") if not 200."""
    out = []
    for path in PAGES:
        request = urllib.request.Request(server.root + path, headers={"Accept": "text/html"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, final = response.status, response.url
        except urllib.error.HTTPError as error:
            status, final = error.code, server.root + path
        except (urllib.error.URLError, OSError) as error:
            out.append({"path": path, "status": None, "run": None, "error": str(error)})
            continue
        entry = {"path": path, "status": status, "final_url": final, "run": None}
        if status == 200:
            entry["run"] = run_hey(server.root + path, concurrency=options.concurrency,
                                   duration=options.duration, headers=["Accept: text/html"],
                                   compression=options.compression).record()
        out.append(entry)
    return out


def run_scale(scale: str, queries: list[Query], options: Options,
              checkpoint=lambda result: None) -> dict:
    """Every measurement of one scale, with all its servers running side by side.

    `checkpoint` is called with the partial result after each query, to record it.
    """
    files = scale_files(options.workdir, scale)
    location, load_seconds = oxigraph_store(options.workdir, scale, files)
    logs = options.workdir / "logs" / scale
    result = {"name": "Japan" if scale == "japan" else f"{scale} synthetic countries + Japan",
              "scale": scale, "files": [str(p) for p in files], "quads": count_quads(files),
              "oxigraph_load_s": load_seconds, "queries": [], "pages": []}
    with Servers() as servers:
        targets: dict[str, Server] = {}
        env = options.napgraph_env
        _say(f"[{scale}] starting napgraph (warm and cold), oxigraph"
             + (", rdflib-endpoint" if options.rdflib else ""))
        targets["napgraph-warm"] = servers.start(napgraph("napgraph-warm", files, logs, env=env))
        targets["napgraph-cold"] = servers.start(napgraph(
            "napgraph-cold", files, logs, env={**env, "NAPGRAPH_CACHE_ENTRIES": "0"}))
        targets["oxigraph"] = servers.start(oxigraph("oxigraph", location, logs))
        if options.rdflib:
            bin_dir = peers.ensure()
            started = time.perf_counter()
            targets["rdflib"] = servers.start(
                rdflib_endpoint("rdflib", files, logs, bin_dir), timeout=1800)
            result["rdflib_start_s"] = round(time.perf_counter() - started, 1)
        result["rss_mb"] = {name: round(s.rss_bytes() / 2**20) for name, s in targets.items()}
        for number, query in enumerate(queries, 1):
            _say(f"[{scale}] {number}/{len(queries)} {query.name}")
            result["queries"].append(measure_query(query, targets, options))
            checkpoint(result)
        _say(f"[{scale}] pages")
        result["pages"] = measure_pages(targets["napgraph-warm"], options)
    result["geomean"] = report.geomeans(result)
    return result


# -- recording ---------------------------------------------------------------------------------


def machine() -> dict:
    """What the numbers were measured on."""
    cpu = next((line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
            "note": "hey runs on the same cores as the servers"}


def save(results: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1), encoding="utf-8")


def update_readme(results: dict, results_file: Path, readme: Path = README) -> None:
    """Replace the tables between the results markers of bench/README.md."""
    if not readme.exists():
        return
    text = readme.read_text(encoding="utf-8")
    if MARK_START not in text or MARK_END not in text:
        return
    head, rest = text.split(MARK_START, 1)
    tail = rest.split(MARK_END, 1)[1]
    block = (f"{MARK_START}\nMeasured {results['date']} on {results['machine']['cores']} cores "
             f"({results['machine']['cpu']}), shared with hey, which runs on the same cores; "
             f"hey -c {results['options']['concurrency']}, {_seconds(results)} per run. From "
             f"`{results_file.resolve().relative_to(BENCH.parent)}`.\n\n"
             f"{report.render(results)}\n{MARK_END}")
    readme.write_text(head + block + tail, encoding="utf-8")


def _seconds(results: dict) -> str:
    duration = results["options"]["duration"]
    return f"{duration:g} s" if isinstance(duration, (int, float)) else str(duration)


def main(argv: list[str] | None = None) -> int:
    """Run the bench; return the exit status."""
    options = parse_args(argv)
    install_signal_handlers()
    options.workdir.mkdir(parents=True, exist_ok=True)
    queries = workload(only=options.only)
    stamp = datetime.now(UTC)
    results = {"date": stamp.strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
               "options": {"scales": options.scales, "duration": options.duration,
                           "concurrency": options.concurrency,
                           "compression": options.compression,
                           "napgraph_env": options.napgraph_env,
                           "cold": "a second napgraph server with NAPGRAPH_CACHE_ENTRIES=0"},
               "scales": []}
    path = RESULTS / f"bench-{stamp.strftime('%Y%m%dT%H%M%S')}.json"

    def checkpoint(partial: dict) -> None:
        results["scales"][-1] = {**partial, "partial": True}
        save(results, path)

    try:
        for scale in options.scales:
            results["scales"].append({"name": scale, "queries": [], "partial": True})
            results["scales"][-1] = run_scale(scale, queries, options, checkpoint)
            save(results, path)
    except KeyboardInterrupt:
        _say("interrupted: every server started has been stopped")
        save(results, path)  # with the queries measured so far
        return 130
    print(report.render(results))
    print(f"\nresults: {path}")
    if options.readme and not options.only:
        update_readme(results, path)
    return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
