"""Scale: import time and memory against `oxigraph load`, and query latency embedded vs remote.

    .venv/bin/python bench/scale.py [--countries 100] [--big] [--runs 5] [--import-only]
        [--stores oxigraph,virtuoso] [--serving [--no-latency] [--duration 2]]

For each size (100 synthetic countries, about 10^6 quads; with --big also 1,000, about 10^7)
it measures, on the same N-Quads file:

1. `napgraph import FILE --country CODE` of each country in turn (the file split by the
   countries' graphs: an import takes only the country's own triples) into a fresh Japan
   build, against one `oxigraph load --file FILE` into a fresh location: total wall time
   and the largest peak RSS (/usr/bin/time -v). Target: the imports within 1.5x of
   `oxigraph load` (they also start 100 processes and check each country's shapes).
2. The latency of the cross-country canned queries (queries/cross-country*.rq,
   queries/compare*.rq; a few heavy workload queries stand in when there are none), one
   client, median of --runs, response cache off, against: `napgraph serve` on the build
   (embedded), `napgraph serve --store URL` over an `oxigraph serve` that `napgraph push`
   filled (remote), and that Oxigraph directly; with `--stores oxigraph,virtuoso` also
   `napgraph serve --store` over a private Virtuoso 7 (tests/store_fixtures.py
   `VirtuosoServer`: its own folder, loopback ports) that `napgraph push` filled through
   its Digest-authenticated Graph Store endpoint. Answers are compared as the remote-store
   tests compare them (rows sorted, integer subtypes and GROUP_CONCAT folded:
   tests/store_fixtures.py `solutions`); "n/a" if push or --store is not available.
   The napgraph servers run with the cache off, MAX_RESULT_ROWS=0 (whole answers, as
   Oxigraph gives), QUERY_TIMEOUT=120 and no runner memory limit (the dataset alone may pass
   the 2 GiB default at 10^7 quads); by default 1 worker with 1 query runner, since each
   runner holds a copy of the data. Every server is asked how many quads it serves
   (all must agree).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run, startup  # noqa: E402
from bench.scale_report import TARGETS, tables  # noqa: E402
from bench.servers import (  # noqa: E402
    NAPGRAPH,
    OXIGRAPH,
    Server,
    ServerFailed,
    Servers,
    free_port,
    install_signal_handlers,
    napgraph,
    oxigraph,
)
from bench.workload import Query, count_answer, workload  # noqa: E402
from tests.store_fixtures import VirtuosoServer, solutions  # noqa: E402

BENCH = Path(__file__).resolve().parent
CROSS_COUNTRY = re.compile(r"^(cross-country|compare|country-)")  # country-*: per-country rows
STAND_INS = ("agg-classes", "agg-graphs", "consultations", "attendance-by-role")
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
STORES = ("oxigraph", "virtuoso")  # remote stores `--stores` may name
TIME = "/usr/bin/time"
# The embedded server at scale: the cache off (latency of the query, not of the cache), and
# no address-space limit on runners, whose dataset alone may exceed the 2 GiB default.
EMBEDDED_ENV = {"NAPGRAPH_CACHE_ENTRIES": "0", "NAPGRAPH_RUNNER_MEMORY_MB": "0",
                "NAPGRAPH_MAX_RESULT_ROWS": "0", "NAPGRAPH_QUERY_TIMEOUT": "120"}


def timed(argv: list[str], log: Path) -> dict:
    """Run a command under `/usr/bin/time -v`: wall seconds, peak RSS (MiB), exit status."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(log, "wb") as output:
        done = subprocess.run([TIME, "-v", *argv], stdout=output, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    text = log.read_text(encoding="utf-8", errors="replace")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(int(rss.group(1)) / 1024)
            if rss else None, "status": done.returncode, "command": " ".join(argv[:3]),
            "tail": text[-600:] if done.returncode else ""}


def cross_country_queries() -> tuple[list[Query], bool]:
    """The cross-country canned queries, or stand-ins (and False) when there are none."""
    queries = workload()
    found = [q for q in queries if q.category == "canned" and CROSS_COUNTRY.match(q.name)]
    if found:
        return found, True
    return [q for q in queries if q.name in STAND_INS], False


def latency(server: Server, query: Query, runs: int, timeout: float = 300.0) -> dict:
    """One warm-up, then `runs` sequential requests: median and best milliseconds, size."""
    first = run.probe(server, query, timeout)
    if first.get("status") != 200:
        return {"error": f"HTTP {first.get('status')}: {first.get('error', '')[:200]}"}
    times = []
    for _ in range(runs):
        request = urllib.request.Request(server.query_url(query.text),
                                         headers={"Accept": query.accept})
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body, content_type = response.read(), response.headers.get("Content-Type", "")
        except (urllib.error.URLError, OSError) as error:
            return {"error": str(error)[:200]}
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "best_ms": round(min(times), 2),
            "count": count_answer(body, content_type),
            "answer": answer_digest(body, content_type, query.text)}


def served_quads(server: Server) -> int | None:
    """The quads in the named graphs a server answers from (None if it cannot say)."""
    request = urllib.request.Request(server.query_url(COUNT_QUADS),
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.load(response)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return int(answer["results"]["bindings"][0]["n"]["value"])


def answer_digest(body: bytes, content_type: str, query: str) -> str | None:
    """A digest of a SPARQL JSON answer as the remote-store tests compare answers: rows
    sorted, integer subtypes and GROUP_CONCAT values folded. None for other formats."""
    if "sparql-results+json" not in content_type:
        return None
    folded = solutions(json.loads(body), ordered=False, query=query, fold=True)
    return hashlib.sha256(json.dumps(folded).encode()).hexdigest()[:16]


def push(build_dir: Path, url: str, log: Path, bulk: bool = False) -> dict:
    """`napgraph push --to URL`, timed; status 'n/a' when the command does not exist. With
    `bulk`, through Oxigraph's bulk loader (`--gsp URL/store?no_transaction`): only for an
    Oxigraph URL."""
    probe = subprocess.run([str(NAPGRAPH), "push", "--help"], capture_output=True)
    if probe.returncode != 0:
        return {"status": "n/a", "reason": "`napgraph push` is not available"}
    gsp = ["--gsp", f"{url}/store?no_transaction"] if bulk else []
    result = timed([str(NAPGRAPH), "push", "--to", url, *gsp, "--build-dir", str(build_dir),
                    "--timeout", "1800"], log)
    result["bulk"] = bulk
    if result["status"] != 0:
        return {**result, "status": "failed"}
    return {**result, "status": "ok"}


COUNTRY_GRAPH = re.compile(rb"<https://w3id\.org/napgraph/graph/(s\d{4})[/>]")


def split_by_country(source: Path) -> dict[str, Path]:
    """The synthetic file split into one N-Quads file per country (by its graphs' IRIs),
    written once beside it: `napgraph import` takes one country's own triples only."""
    folder = source.with_suffix(".countries")
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        files: dict[bytes, object] = {}
        try:
            with open(source, "rb") as lines:
                for line in lines:
                    code = COUNTRY_GRAPH.search(line, max(0, len(line) - 120)).group(1)
                    if code not in files:
                        files[code] = open(folder / f"{code.decode()}.nq", "wb")  # noqa: SIM115
                    files[code].write(line)
        finally:
            for handle in files.values():
                handle.close()
        done.touch()
    return {path.stem: path for path in sorted(folder.glob("s*.nq"))}


def import_countries(files: dict[str, Path], build_dir: Path, logs: Path) -> dict:
    """`napgraph import FILE --country CODE` for each country in turn, each under
    /usr/bin/time: total wall seconds, the largest peak RSS, the first failure."""
    runs = [timed([str(NAPGRAPH), "import", str(path), "--country", code, "--build-dir",
                   str(build_dir)], logs / f"import-{code}.log") for code, path in files.items()]
    failed = [r for r in runs if r["status"] != 0]
    return {"seconds": round(sum(r["seconds"] for r in runs), 2),
            "peak_rss_mb": max((r["peak_rss_mb"] or 0 for r in runs), default=None),
            "status": failed[0]["status"] if failed else 0, "imports": len(runs),
            "command": "napgraph import FILE --country CODE, once per country",
            "tail": failed[0]["tail"] if failed else ""}


def measure_size(countries: int, options: argparse.Namespace) -> dict:
    """Import and load timings, then query latencies, for one number of countries."""
    workdir = options.workdir
    source = run.synthetic(workdir, countries)
    japan = run.japan_build(workdir)
    folder = workdir / f"scale-{countries}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    logs = folder / "logs"
    build_dir = folder / "build"
    result = {"countries": countries, "file": str(source),
              "file_mb": round(source.stat().st_size / 2**20),
              "quads": run.count_quads([source]), "japan_quads": run.count_quads([japan])}
    subprocess.run([str(NAPGRAPH), "build", "--out", str(build_dir)], check=True,
                   stdout=subprocess.DEVNULL)
    run._say(f"[scale {countries}] napgraph import, {countries} countries one by one")
    result["napgraph_import"] = import_countries(split_by_country(source), build_dir, logs)
    run._say(f"[scale {countries}] oxigraph load")
    result["oxigraph_load"] = timed(
        [str(OXIGRAPH), "load", "--location", str(folder / "oxigraph-load"), "--file",
         str(source)], logs / "oxigraph-load.log")
    imp, ox_load = result["napgraph_import"], result["oxigraph_load"]
    if imp["status"] == 0 and ox_load["status"] == 0:
        result["import_ratio"] = round(imp["seconds"] / ox_load["seconds"], 2)
    shutil.rmtree(folder / "oxigraph-load", ignore_errors=True)  # disk: only its time counts
    result["queries"] = []
    if imp["status"] != 0 or options.import_only:
        return result
    if options.serving:
        result["serving"] = startup.measure(build_dir, folder, options.duration)
    if options.no_latency:
        return result
    queries, genuine = cross_country_queries()
    result["cross_country_queries"] = genuine
    result["queries"] = [{"name": q.name, "latency": {}} for q in queries]
    with Servers() as servers:
        run._say(f"[scale {countries}] starting servers")
        targets = start_targets(servers, result, build_dir, folder, options)
        result["served_quads"] = {name: served_quads(server) for name, server in targets.items()}
        for entry, query in zip(result["queries"], queries, strict=True):
            run._say(f"[scale {countries}] {query.name}")
            for name, server in targets.items():
                entry["latency"][name] = latency(server, query, options.runs)
    if not options.keep:
        shutil.rmtree(folder / "oxigraph-store", ignore_errors=True)
        shutil.rmtree(folder / "oxigraph-files", ignore_errors=True)
        shutil.rmtree(folder / "virtuoso", ignore_errors=True)
    return result


def start_targets(servers: Servers, result: dict, build_dir: Path, folder: Path,
                  options: argparse.Namespace) -> dict[str, Server]:
    """Start what is measured: the embedded server, Oxigraph (filled by push, or loaded
    with the build's files if push fails) and napgraph in front of each store of
    `options.stores`. Records readiness, RSS and push results in `result`."""
    logs = folder / "logs"
    started = time.perf_counter()
    targets: dict[str, Server] = {}
    targets["embedded"] = servers.start(napgraph(
        "embedded", [], logs, workers=options.workers, env=_embedded_env(options),
        build_dir=build_dir), timeout=3600)
    result["embedded_ready_s"] = round(time.perf_counter() - started, 1)
    result["embedded_rss_mb"] = round(targets["embedded"].rss_bytes() / 2**20)
    store = servers.start(oxigraph("oxigraph", folder / "oxigraph-store", logs, writable=True))
    result["push"] = push(build_dir, store.root, logs / "push.log", options.bulk_push)
    if result["push"]["status"] == "ok":
        targets["oxigraph"] = store
        if "oxigraph" in options.stores:
            _start_remote(servers, targets, result, "oxigraph", store.endpoint, options, logs)
    else:
        result["remote-oxigraph"] = f"n/a: {result['push'].get('reason', 'push failed')}"
        # Oxigraph directly, on the files the embedded server serves.
        servers.stop(store)
        location = folder / "oxigraph-files"
        from napgraph.graph.loaded import loaded_graph_files

        for path in loaded_graph_files(build_dir):
            subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file",
                            str(path)], check=True, capture_output=True)
        targets["oxigraph"] = servers.start(oxigraph("oxigraph", location, logs))
    if "virtuoso" in options.stores:
        virtuoso = start_virtuoso(servers, folder / "virtuoso")
        result["push-virtuoso"] = push(build_dir, virtuoso.push_target,
                                       logs / "push-virtuoso.log")
        if result["push-virtuoso"]["status"] == "ok":
            _start_remote(servers, targets, result, "virtuoso", virtuoso.query_url, options,
                          logs)
        else:
            result["remote-virtuoso"] = f"n/a: {result['push-virtuoso'].get('reason', 'push failed')}"
    return {name: targets[name] for name in TARGETS if name in targets}


def start_virtuoso(servers: Servers, folder: Path) -> VirtuosoServer:
    """A private Virtuoso 7 in `folder` (the tests' fixture), stopped with `servers`."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    virtuoso = VirtuosoServer(folder, free_port(), free_port())
    servers.started.append(virtuoso)  # stopped on exit, also if it fails to come up
    return virtuoso.start()


def _start_remote(servers: Servers, targets: dict[str, Server], result: dict, kind: str,
                  store_url: str, options: argparse.Namespace, logs: Path) -> None:
    """`napgraph serve --store STORE_URL` as target `remote-KIND`, or why it could not."""
    name = f"remote-{kind}"
    try:
        targets[name] = servers.start(napgraph(
            name, [], logs, workers=options.workers, env=_embedded_env(options),
            store_url=store_url), timeout=180)
    except ServerFailed as error:
        result[name] = f"n/a: {str(error).splitlines()[0]}"


def _embedded_env(options: argparse.Namespace) -> dict[str, str]:
    env = dict(EMBEDDED_ENV)
    if options.runners:
        env["NAPGRAPH_QUERY_RUNNERS"] = str(options.runners)
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", default="100",
                        help="comma-separated numbers of synthetic countries (default 100)")
    parser.add_argument("--big", action="store_true", help="also 1,000 countries (~10^7 quads)")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per query")
    parser.add_argument("--workers", type=int, default=1, help="napgraph workers (default 1)")
    parser.add_argument("--runners", type=int, default=1,
                        help="query runners per worker (default 1: each holds the dataset)")
    parser.add_argument("--workdir", type=Path, default=BENCH / ".work")
    parser.add_argument("--keep", action="store_true", help="keep the Oxigraph stores")
    parser.add_argument("--results", type=Path, default=run.RESULTS,
                        help="folder of the JSON results (default bench/results)")
    parser.add_argument("--bulk-push", action="store_true",
                        help="push through Oxigraph's bulk loader (no transaction per graph)")
    parser.add_argument("--stores", default="oxigraph",
                        help="comma-separated remote stores to put `napgraph serve --store` in "
                        f"front of, of {', '.join(STORES)} (default oxigraph)")
    parser.add_argument("--import-only", action="store_true",
                        help="measure import and load only, no query latencies")
    parser.add_argument("--serving", action="store_true",
                        help="also `napgraph serve`'s memory, time to first answer and cold "
                        "throughput against Oxigraph (bench/startup.py)")
    parser.add_argument("--no-latency", action="store_true",
                        help="leave out the query latencies of embedded and --store")
    parser.add_argument("--duration", type=float, default=2.0,
                        help="seconds of hey per query and server for --serving (default 2)")
    options = parser.parse_args(argv)
    options.workdir = options.workdir.resolve()
    options.stores = [name for name in options.stores.split(",") if name]
    if unknown := set(options.stores) - set(STORES):
        parser.error(f"--stores: unknown {', '.join(sorted(unknown))} (known: "
                     f"{', '.join(STORES)})")
    options.workdir.mkdir(parents=True, exist_ok=True)
    install_signal_handlers()
    sizes = [int(n) for n in options.countries.split(",")] + ([1000] if options.big else [])
    if 1000 in sizes:
        free = shutil.disk_usage(options.workdir).free / 2**30
        if free < 30:
            run._say(f"only {free:.0f} GiB free: leaving out 1,000 countries (needs ~30 GiB)")
            sizes.remove(1000)
    stamp = datetime.now(UTC)
    results = {"date": stamp.strftime("%Y-%m-%d %H:%M UTC"), "machine": run.machine(),
               "runs": options.runs, "workers": options.workers, "runners": options.runners,
               "sizes": []}
    options.results.mkdir(parents=True, exist_ok=True)
    path = options.results / f"scale-{stamp.strftime('%Y%m%dT%H%M%S')}.json"
    try:
        for countries in sizes:
            results["sizes"].append(measure_size(countries, options))
            run.save(results, path)
    except KeyboardInterrupt:
        run._say("interrupted: every server started has been stopped")
        run.save(results, path)
        return 130
    print(tables(results))
    print(f"\nresults: {path}")
    print(json.dumps({s["countries"]: s.get("import_ratio") for s in results["sizes"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
