"""Page queries in-process: how long each page query takes at scale, with no server around it.

    .venv/bin/python bench/page_queries.py [--countries 100] [--runs 3] [--only mentions,…]
    .venv/bin/python bench/page_queries.py --store BUILD/stores/VERSION/data   # any store

Loads Japan's build and N synthetic countries (`napgraph synth --countries N`, about 10^4
quads each: 100 countries ≈ 10^6 quads) into one pyoxigraph store on disk in `bench/.work/`
(made once per scale and reused), then runs every page query (server/pages/queries/*.rq)
with each binding of tests/data/page-query-bindings.json, over the union default graph as
the server runs them, and prints the median wall time of `--runs` and the number of rows.
It finds the page query that makes a page slow before any HTTP is involved.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run  # noqa: E402
from napgraph.graph import canned  # noqa: E402
from napgraph.server.pages.site_data import PAGE_QUERIES  # noqa: E402

BINDINGS = Path(__file__).resolve().parent.parent / "tests" / "data" / "page-query-bindings.json"
ID = "https://w3id.org/napgraph/id/"


def open_store(workdir: Path, countries: int) -> ox.Store:
    """Japan's build plus `countries` synthetic countries in a store on disk, made once."""
    location = workdir / f"pages-store-{countries}"
    done = location / ".complete"
    if not done.exists():
        files = run.scale_files(workdir, str(countries) if countries else "japan")
        store = ox.Store(str(location))
        for path in files:
            run._say(f"loading {path}")
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
        done.touch()
    return ox.Store.read_only(str(location))


def cases(only: set[str]) -> list[tuple[str, dict[str, str]]]:
    """(query name, bindings) of every page query, as the double-counting test binds them."""
    table = json.loads(BINDINGS.read_text(encoding="utf-8"))
    return [(name, {key: value.replace("id:", ID) for key, value in binding.items()})
            for name, bindings in sorted(table.items())
            if not name.startswith("_") and (not only or name in only)
            for binding in bindings]


def time_query(store: ox.Store, query: canned.CannedQuery, values: dict[str, str],
               runs: int) -> tuple[float, int]:
    """Median seconds of `runs` executions, and the number of answers."""
    times, count = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        answer = canned.run(store, query, values)
        count = 1 if isinstance(answer, ox.QueryBoolean) else sum(1 for _ in answer)
        times.append(time.perf_counter() - started)
    return statistics.median(times), count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--countries", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated page query names")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / ".work")
    parser.add_argument("--store", type=Path,
                        help="an existing store folder to open read-only instead (e.g. a build "
                        "folder's stores/<version>/data, with its summaries)")
    options = parser.parse_args(argv)
    store = (ox.Store.read_only(str(options.store)) if options.store
             else open_store(options.workdir, options.countries))
    queries = canned.load_queries(PAGE_QUERIES)
    print(f"| page query | binding | ms (median of {options.runs}) | rows |")
    print("|---|---|---:|---:|")
    for name, values in cases(set(filter(None, options.only.split(",")))):
        seconds, rows = time_query(store, queries[name], values, options.runs)
        shown = ", ".join(f"{k}={v.replace(ID, 'id:')}" for k, v in values.items()) or "–"
        print(f"| {name} | {shown} | {seconds * 1000:,.1f} | {rows} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
