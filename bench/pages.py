"""Pages at scale: every page type's first (uncached) request and warm throughput, next to SPARQL.

    .venv/bin/python bench/pages.py --make-fixture [--countries 100]   # the 10^6 fixture
    .venv/bin/python bench/pages.py [--countries 100] [--duration 3] [--concurrency 8]
    .venv/bin/python bench/pages.py --build DIR --countries 1000 [--pages-only]   # any build

`--make-fixture` makes the fixture once, in `bench/.work/pages-{N}/build`: `napgraph build`
(Japan), then `napgraph synth --countries N` (about 10^4 quads a country: 100 ≈ 10^6 quads,
1,000 ≈ 10^7), split by country and imported one country at a time with `napgraph import`, as
a deployment grows (each import computes its country's summary, graph/summary.py).

The bench then starts `napgraph serve --workers 2` on that build (default settings, the page
cache on) and `oxigraph serve-read-only` on the same quads, and for each page type:

- **first request**: the median wall time of one GET of each of several resources of that
  type (Japan's and synthetic countries'), each asked once, so each answer is built, not
  read from the page cache;
- **warm**: `hey -c 8` on one of them for `--duration` seconds: requests per second and the
  server's CPU milliseconds per request (all its processes, bench/servers.py `cpu_seconds`;
  the machine is shared, and CPU per request moves less with load than requests per second).

SPARQL rows (a lookup, a COUNT over the union) are measured the same way against napgraph and
Oxigraph. Prints a Markdown table and writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run  # noqa: E402
from bench import servers as srv  # noqa: E402
from bench.load import run_hey  # noqa: E402
from bench.scale import import_countries, split_by_country  # noqa: E402

BENCH = Path(__file__).resolve().parent
HTML = "text/html"
# Page type -> paths of resources of that type (Japan's, then synthetic countries').
PAGES = {
    "home": ["/"],
    "country": ["/id/country/jp", "/id/country/s0001", "/id/country/s0050", "/id/country/s0099"],
    "consultation": ["/id/jp/consultation/2018-01", "/id/jp/consultation/2018-07",
                     "/id/s0001/consultation/2018-01", "/id/s0050/consultation/2017-02"],
    "actor": ["/id/jp/org/mofa", "/id/jp/org/keidanren", "/id/jp/org/meti"],
    "instrument": ["/id/intl/instrument/ungps"],
    "concept": ["/id/ungp/principle/17", "/id/topic/human-rights-due-diligence",
                "/id/ungp/pillar/2"],
    "ontology": ["/ontology"],
    "dataset": ["/dataset/jp", "/dataset/s0001"],
    "search": ["/search?q=due+diligence", "/search?q=Keidanren"],
}
SPARQL = {
    "lookup": "SELECT ?p ?o WHERE { <https://w3id.org/napgraph/id/jp/org/mofa> ?p ?o }",
    "count": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}
JSON_RESULTS = "application/sparql-results+json"


def fixture(workdir: Path, countries: int) -> Path:
    """The build folder of Japan plus `countries` imported synthetic countries, made once."""
    folder = workdir / f"pages-{countries}"
    build_dir = folder / "build"
    done = folder / ".complete"
    if done.exists():
        return build_dir
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    run._say(f"napgraph build --out {build_dir}")
    subprocess.run([str(run.NAPGRAPH), "build", "--out", str(build_dir)], check=True,
                   stdout=subprocess.DEVNULL)
    source = run.synthetic(workdir, countries)
    run._say(f"napgraph import, {countries} countries one by one")
    result = import_countries(split_by_country(source), build_dir, folder / "logs")
    if result["status"] != 0:
        raise SystemExit(f"an import failed:\n{result['tail']}")
    done.write_text(json.dumps(result), encoding="utf-8")
    return build_dir


def served_files(build_dir: Path) -> list[Path]:
    """The N-Quads files napgraph serves from `build_dir` (for Oxigraph's copy)."""
    from napgraph.graph.loaded import loaded_graph_files
    return loaded_graph_files(build_dir)


def get(url: str, accept: str) -> tuple[float, int, int]:
    """One GET: (seconds, status, body bytes)."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return time.perf_counter() - started, status, len(body)


def warm(server: srv.Server, url: str, accept: str, duration: float, concurrency: int) -> dict:
    """hey on one URL after it is cached: requests/s, p50, CPU ms per request."""
    run_hey(url, requests=16, concurrency=2, headers=[f"Accept: {accept}"])
    server.wait_idle()
    before = server.cpu_seconds()
    result = run_hey(url, duration=duration, concurrency=concurrency,
                     headers=[f"Accept: {accept}"])
    server.wait_idle()
    cpu = server.cpu_seconds() - before
    return {"rps": result.ok_rps, "p50_ms": result.p50_ms, "ok": result.ok,
            "cpu_ms": 1000 * cpu / max(result.ok, 1), "clean": result.clean}


def measure_pages(server: srv.Server, options: argparse.Namespace) -> dict:
    results = {}
    for kind, paths in PAGES.items():
        firsts = [get(server.root + path, HTML) for path in paths]
        run._say(f"[pages] {kind}: " + ", ".join(f"{s * 1000:.0f} ms ({status})"
                                                 for s, status, _ in firsts))
        results[kind] = {
            "paths": paths, "first_ms": [round(s * 1000, 1) for s, _, _ in firsts],
            "statuses": [status for _, status, _ in firsts],
            "bytes": [size for _, _, size in firsts],
            "first_median_ms": round(statistics.median(s for s, _, _ in firsts) * 1000, 1),
            "warm": warm(server, server.root + paths[0], HTML, options.duration,
                         options.concurrency),
        }
    return results


def measure_sparql(targets: dict[str, srv.Server], options: argparse.Namespace) -> dict:
    results = {}
    for name, query in SPARQL.items():
        results[name] = {}
        for target, server in targets.items():
            url = server.query_url(query)
            first = statistics.median(get(url + f"&nocache={i}", JSON_RESULTS)[0]
                                      for i in range(3))
            results[name][target] = {"first_median_ms": round(first * 1000, 1),
                                     "warm": warm(server, url, JSON_RESULTS, options.duration,
                                                  options.concurrency)}
    return results


def table(report: dict) -> str:
    """The Markdown tables of a report."""
    lines = [f"Measured {report['date']} on {report['cores']} cores (shared), "
             f"{report['quads']:,} quads (Japan + {report['countries']} synthetic countries); "
             f"`{report['command']}`; napgraph answered {report['napgraph_start_s']} s after "
             "it was started.", "",
             "| page type | first request, median ms (each) | status | KB | warm req/s "
             "| warm CPU ms/req |", "|---|---:|---|---:|---:|---:|"]
    for kind, got in report["pages"].items():
        each = ", ".join(f"{ms:,.0f}" for ms in got["first_ms"])
        lines.append(f"| {kind} | **{got['first_median_ms']:,.0f}** ({each}) | "
                     f"{','.join(map(str, sorted(set(got['statuses']))))} | "
                     f"{max(got['bytes']) / 1024:,.0f} | {got['warm']['rps']:,.0f} | "
                     f"{got['warm']['cpu_ms']:.2f} |")
    lines += ["", "| SPARQL | server | first, median ms | warm req/s | warm CPU ms/req |",
              "|---|---|---:|---:|---:|"]
    for name, targets in report["sparql"].items():
        for target, got in targets.items():
            lines.append(f"| {name} | {target} | {got['first_median_ms']:,.1f} | "
                         f"{got['warm']['rps']:,.0f} | {got['warm']['cpu_ms']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", type=int, default=100)
    parser.add_argument("--make-fixture", action="store_true", help="only make the fixture")
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workdir", type=Path, default=BENCH / ".work")
    parser.add_argument("--results", type=Path, default=run.RESULTS)
    parser.add_argument("--build", type=Path,
                        help="measure this build folder instead of the fixture (e.g. the 10^7 "
                        "one release of `python -m bench.startup`); --countries then only "
                        "labels the report")
    parser.add_argument("--pages-only", action="store_true",
                        help="leave out the SPARQL rows (and Oxigraph's copy of the data)")
    options = parser.parse_args(argv)
    srv.install_signal_handlers()
    build_dir = (options.build.resolve() if options.build
                 else fixture(options.workdir, options.countries))
    # A build made before the pages' kept answers (graph/page_index.py) gets them now.
    from napgraph.graph.served_store import make_build_store
    make_build_store(build_dir)
    if options.make_fixture:
        return 0
    files = served_files(build_dir)
    name = f"pages-{build_dir.name}" if options.build else f"pages-{options.countries}"
    location = options.workdir / name / "oxigraph"
    if not options.pages_only and not (location / ".optimized").exists():
        shutil.rmtree(location, ignore_errors=True)
        location.parent.mkdir(parents=True, exist_ok=True)
        srv.oxigraph_load(location, files, options.workdir / "oxigraph-load.log")
        (location / ".optimized").touch()  # older locations, not optimized, load again
    report = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
              "cores": os.cpu_count(),
              "countries": options.countries, "quads": run.count_quads(files),
              "command": "bench/pages.py " + " ".join(argv or sys.argv[1:])}
    with srv.Servers() as servers:
        started = time.perf_counter()
        server = servers.start(srv.napgraph("pages-napgraph", [], options.workdir,
                                        build_dir=build_dir))
        report["napgraph_start_s"] = round(time.perf_counter() - started, 1)
        report["pages"] = measure_pages(server, options)
        report["sparql"] = {}
        if not options.pages_only:
            ox = servers.start(srv.oxigraph("pages-oxigraph", location, options.workdir))
            report["sparql"] = measure_sparql({"napgraph": server, "oxigraph": ox}, options)
    options.results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    (options.results / f"pages-{options.countries}-{stamp}.json").write_text(
        json.dumps(report, indent=1), encoding="utf-8")
    print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
