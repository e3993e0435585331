"""Scale: import time and memory against `oxigraph load`, and query latency embedded vs remote.

    .venv/bin/python bench/scale.py [--countries 100] [--big] [--runs 5] [--import-only]

For each size (100 synthetic countries, about 10^6 quads; with --big also 1,000, about 10^7)
it measures, on the same N-Quads file:

1. `napgraph import FILE --country s0001` into a fresh Japan build, against
   `oxigraph load --file FILE` into a fresh location: wall time and peak RSS
   (/usr/bin/time -v). Target: the import within 1.5x of `oxigraph load`.
2. The latency of the cross-country canned queries (queries/cross-country*.rq,
   queries/compare*.rq; a few heavy workload queries stand in when there are none), one
   client, median of --runs, response cache off, against: `napgraph serve` on the build
   (embedded), `napgraph serve --store URL` over an `oxigraph serve` that `napgraph push`
   filled (remote; "n/a" if push or --store is not available), and that Oxigraph directly.
   Both napgraph servers run with the cache off, MAX_RESULT_ROWS=0 (whole answers, as
   Oxigraph gives), QUERY_TIMEOUT=120 and no runner memory limit (the dataset alone may pass
   the 2 GiB default at 10^7 quads); by default 1 worker with 1 query runner, since each
   runner holds a copy of the data.
"""

from __future__ import annotations

import argparse
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

from bench import report, run  # noqa: E402
from bench.servers import (  # noqa: E402
    NAPGRAPH,
    OXIGRAPH,
    Server,
    ServerFailed,
    Servers,
    install_signal_handlers,
    napgraph,
    oxigraph,
)
from bench.workload import Query, count_answer, workload  # noqa: E402

BENCH = Path(__file__).resolve().parent
CROSS_COUNTRY = re.compile(r"^(cross-country|compare|country-)")  # country-*: per-country rows
STAND_INS = ("agg-classes", "agg-graphs", "consultations", "attendance-by-role")
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
            "count": count_answer(body, content_type)}


def push(build_dir: Path, url: str, log: Path, bulk: bool = False) -> dict:
    """`napgraph push --to URL`, timed; status 'n/a' when the command does not exist. With
    `bulk`, through Oxigraph's bulk loader (`--gsp URL/store?no_transaction`)."""
    probe = subprocess.run([str(NAPGRAPH), "push", "--help"], capture_output=True)
    if probe.returncode != 0:
        return {"status": "n/a", "reason": "`napgraph push` is not available"}
    gsp = ["--gsp", f"{url}/store?no_transaction"] if bulk else []
    result = timed([str(NAPGRAPH), "push", "--to", url, *gsp, "--build-dir", str(build_dir)],
                   log)
    result["bulk"] = bulk
    if result["status"] != 0:
        return {**result, "status": "failed"}
    return {**result, "status": "ok"}


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
    run._say(f"[scale {countries}] napgraph import")
    result["napgraph_import"] = timed(
        [str(NAPGRAPH), "import", str(source), "--country", "s0001", "--build-dir",
         str(build_dir)], logs / "import.log")
    run._say(f"[scale {countries}] oxigraph load")
    result["oxigraph_load"] = timed(
        [str(OXIGRAPH), "load", "--location", str(folder / "oxigraph-load"), "--file",
         str(source)], logs / "oxigraph-load.log")
    imp, ox_load = result["napgraph_import"], result["oxigraph_load"]
    if imp["status"] == 0 and ox_load["status"] == 0:
        result["import_ratio"] = round(imp["seconds"] / ox_load["seconds"], 2)
    shutil.rmtree(folder / "oxigraph-load", ignore_errors=True)  # disk: only its time counts
    if imp["status"] != 0 or options.import_only:
        result["queries"] = []
        return result
    queries, genuine = cross_country_queries()
    result["cross_country_queries"] = genuine
    result["queries"] = [{"name": q.name, "latency": {}} for q in queries]
    with Servers() as servers:
        run._say(f"[scale {countries}] starting servers")
        started = time.perf_counter()
        targets: dict[str, Server] = {}
        targets["embedded"] = servers.start(napgraph(
            "embedded", [], logs, workers=options.workers, env=_embedded_env(options),
            build_dir=build_dir), timeout=3600)
        result["embedded_ready_s"] = round(time.perf_counter() - started, 1)
        result["embedded_rss_mb"] = round(targets["embedded"].rss_bytes() / 2**20)
        store = servers.start(oxigraph("oxigraph", folder / "oxigraph-store", logs,
                                       writable=True))
        result["push"] = push(build_dir, store.root, logs / "push.log", options.bulk_push)
        if result["push"]["status"] == "ok":
            targets["oxigraph"] = store
            try:
                targets["remote"] = servers.start(napgraph(
                    "remote", [], logs, workers=options.workers, env=_embedded_env(options),
                    store_url=store.endpoint), timeout=600)
            except ServerFailed as error:
                result["remote"] = f"n/a: {str(error).splitlines()[0]}"
        else:
            result["remote"] = f"n/a: {result['push'].get('reason', 'push failed')}"
            # Oxigraph directly, on the files the embedded server serves.
            servers.stop(store)
            location = folder / "oxigraph-files"
            from napgraph.graph.loaded import loaded_graph_files

            for path in loaded_graph_files(build_dir):
                subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file",
                                str(path)], check=True, capture_output=True)
            targets["oxigraph"] = servers.start(oxigraph("oxigraph", location, logs))
        for entry, query in zip(result["queries"], queries, strict=True):
            run._say(f"[scale {countries}] {query.name}")
            for name, server in targets.items():
                entry["latency"][name] = latency(server, query, options.runs)
    if not options.keep:
        shutil.rmtree(folder / "oxigraph-store", ignore_errors=True)
        shutil.rmtree(folder / "oxigraph-files", ignore_errors=True)
    return result


def _embedded_env(options: argparse.Namespace) -> dict[str, str]:
    env = dict(EMBEDDED_ENV)
    if options.runners:
        env["NAPGRAPH_QUERY_RUNNERS"] = str(options.runners)
    return env


def tables(results: dict) -> str:
    """The import table and the latency table."""
    rows = []
    for size in results["sizes"]:
        imp, ox_load = size["napgraph_import"], size["oxigraph_load"]
        rows.append([f"{size['countries']} countries", f"{size['quads']:,}",
                     _run(imp), _run(ox_load),
                     f"{size['import_ratio']:.2f}×" if "import_ratio" in size else "–",
                     _mb(imp), _mb(ox_load)])
    parts = [report.table(["synthetic file", "quads", "napgraph import s", "oxigraph load s",
                           "import/load (≤1.5)", "import peak RSS MiB", "load peak RSS MiB"],
                          rows)]
    for size in results["sizes"]:
        if not size.get("queries"):
            continue
        kind = ("cross-country canned queries" if size.get("cross_country_queries") else
                "no cross-country canned queries yet: stand-ins from the workload")
        parts += ["", f"Latency, {size['countries']} countries + Japan, one client, median of "
                  f"{results['runs']} (best) ms; {kind}. Remote: {size.get('remote', 'ok')}; "
                  f"push: {_push(size.get('push'))}; embedded ready in "
                  f"{size.get('embedded_ready_s', '?')} s, RSS "
                  f"{size.get('embedded_rss_mb', '?')} MiB.", ""]
        lat_rows = []
        for query in size["queries"]:
            cells = [query["name"]]
            for target in ("embedded", "remote", "oxigraph"):
                cells.append(_lat(query["latency"].get(target)))
            counts = {t: v.get("count") for t, v in query["latency"].items() if v}
            cells.append("same" if len(set(counts.values())) == 1 else str(counts))
            lat_rows.append(cells)
        parts.append(report.table(["query", "embedded", "remote (--store)", "oxigraph",
                                   "answers"], lat_rows))
    return "\n".join(parts)


def _run(result: dict) -> str:
    return f"{result['seconds']:.1f}" if result["status"] == 0 else f"failed ({result['status']})"


def _mb(result: dict) -> str:
    return f"{result['peak_rss_mb']:,}" if result.get("peak_rss_mb") else "?"


def _lat(value: dict | None) -> str:
    if not value:
        return "n/a"
    if "error" in value:
        return "error"
    return f"{value['median_ms']:.1f} ({value['best_ms']:.1f})"


def _push(value: dict | None) -> str:
    if not value:
        return "n/a"
    if value.get("status") == "ok":
        bulk = ", bulk loader" if value.get("bulk") else ""
        return f"{value['seconds']:.1f} s{bulk}, peak RSS {value.get('peak_rss_mb', '?')} MiB"
    return value.get("status", "n/a")


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
    parser.add_argument("--import-only", action="store_true",
                        help="measure import and load only, no query latencies")
    options = parser.parse_args(argv)
    options.workdir = options.workdir.resolve()
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
