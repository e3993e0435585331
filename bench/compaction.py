"""A store grown by imports, left as its bulk loads wrote it, against the same store compacted.

`napgraph import` starts from a copy of the store before it and bulk-loads only the new
country (graph/served_store.py). Until 2026-12-07 it left that copy as the loads wrote it;
now every store written is compacted (`optimize`). This replays the growth of a build folder
made by imports (`bench/pages.py --make-fixture`, 100 countries) one country at a time in the
old way, and at some points times a few workload queries in-process on that store and on a
compacted copy of it: CPU milliseconds, best of `--runs`, and the compaction's own time.

    .venv/bin/python bench/compaction.py --build /work/fixtures/pages-100/build
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.workload import workload  # noqa: E402
from napgraph.graph.rdf_files import LOADABLE, format_of  # noqa: E402

QUERIES = "consultation-sources,consultations-between,laws-mentioned,topic-principles,lookup-actor"
MARKS = "4,16,32,64,100"


def served_files(build: Path) -> list[str]:
    """The files the newest store of `build` was loaded from: Japan's release, then each
    imported country's files in import order."""
    newest = max((build / "stores").glob("*/store.json"), key=lambda path: path.stat().st_mtime)
    return json.loads(newest.read_text(encoding="utf-8"))["files"]


def grow(data: Path, files: list[str]) -> None:
    """Bulk-load `files` into the store at `data` without compacting it (the old import)."""
    store = ox.Store(str(data))
    for name in files:
        store.bulk_load(path=name, format=format_of(Path(name), LOADABLE))
    store.flush()
    del store


def timings(data: Path, queries: list, runs: int) -> list[float]:
    """CPU milliseconds of each query on the store at `data`, best of `runs`."""
    store = ox.Store.read_only(str(data))
    out = []
    for query in queries:
        best = float("inf")
        for _ in range(runs):
            started = time.process_time()
            result = store.query(query.text, use_default_graph_as_union=True)
            if not isinstance(result, ox.QueryBoolean):
                for _ in result:  # evaluation is lazy: read every row or triple
                    pass
            best = min(best, time.process_time() - started)
        out.append(round(best * 1000, 2))
    del store
    return out


def compacted_copy(data: Path, target: Path) -> float:
    """Copy the store at `data` to `target` and compact it; return the seconds `optimize`
    took."""
    shutil.copytree(data, target)
    store = ox.Store(str(target))
    started = time.perf_counter()
    store.optimize()
    seconds = time.perf_counter() - started
    del store
    return seconds


def tables(folder: Path) -> int:
    return sum(1 for path in folder.iterdir() if path.suffix == ".sst")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, required=True,
                        help="a build folder grown by imports (bench/pages.py --make-fixture)")
    parser.add_argument("--queries", default=QUERIES, help="comma-separated workload queries")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--marks", default=MARKS,
                        help="comma-separated numbers of countries at which to measure")
    options = parser.parse_args(argv)
    files = served_files(options.build)
    queries = workload(only=options.queries.split(","))
    base = [name for name in files if "/countries/" not in name]
    countries: dict[str, list[str]] = {}  # each import's files, in import order
    for name in files:
        if "/countries/" in name:
            countries.setdefault(name.split("/countries/")[1].split("/")[0], []).append(name)
    imports = list(countries.values())
    print("| countries | table files | " + " | ".join(q.name for q in queries)
          + " | compacted: table files | compaction s | "
          + " | ".join(q.name for q in queries) + " |")
    with tempfile.TemporaryDirectory(prefix="napgraph-compaction-") as scratch:
        data = Path(scratch) / "grown"
        grow(data, base)
        ox.Store(str(data)).optimize()  # the build's own store is compacted
        done = 0
        for mark in map(int, options.marks.split(",")):
            if mark > len(imports):
                break
            for country in imports[done:mark]:  # one import at a time, as napgraph did
                grow(data, country)
            done = mark
            copy = Path(scratch) / f"compacted-{mark}"
            seconds = compacted_copy(data, copy)
            row = [mark, tables(data), *timings(data, queries, options.runs), tables(copy),
                   round(seconds, 2), *timings(copy, queries, options.runs)]
            print("| " + " | ".join(map(str, row)) + " |", flush=True)
            shutil.rmtree(copy)
    print("(CPU ms per query, best of", options.runs, "runs, in-process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
