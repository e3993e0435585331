"""Where napgraph's CPU per answer goes: its query runners against the rest (Granian, the
web workers' Python), per query, under hey's load; beside the engine alone in-process.

    .venv/bin/python bench/cpu_split.py --workdir /work/fixtures --scale 100 \
        --only consultation-sources,topic-principles,ask-type

The cold server (`NAPGRAPH_CACHE_ENTRIES=0`) serves the bench's files of that scale as
bench/run.py does; "engine" is the same query on the same store opened in this process:
CPU milliseconds, best of 7, answer written as JSON with the runners' row cut.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import servers as srv  # noqa: E402
from bench.load import run_hey  # noqa: E402
from bench.run import scale_files  # noqa: E402
from bench.workload import workload  # noqa: E402
from napgraph.graph.served_store import write_store  # noqa: E402
from server.backends.runner import serialize  # noqa: E402


def cpu_by_kind(server: srv.Server) -> dict[int, tuple[str, float]]:
    """CPU seconds so far of each process of the server, with its kind: runner or front."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in server.pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        kind = "runner" if b"backends.runner" in command else "front"
        found[pid] = (kind, sum(int(value) for value in fields[11:15]) / ticks)
    return found


def engine_ms(store: ox.Store, text: str, accept: str) -> float:
    """The query alone in this process, answer written as the runners write it."""
    best = float("inf")
    for _ in range(7):
        started = time.process_time()
        result = store.query(text, use_default_graph_as_union=True)
        serialize(result, accept, 10000)
        best = min(best, time.process_time() - started)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("bench/.work"))
    parser.add_argument("--scale", default="100")
    parser.add_argument("--only", default="consultation-sources,topic-principles,ask-type")
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args(argv)
    files = scale_files(options.workdir, options.scale)
    server = srv.napgraph("cpu-split", files, options.workdir,
                          workers=options.workers, env={"NAPGRAPH_CACHE_ENTRIES": "0"})
    queries = workload(only=options.only.split(","))
    with tempfile.TemporaryDirectory(prefix="napgraph-split-") as scratch:
        # The store the server writes for its DATA_FILES, written the same way, timed before
        # the server starts so that nothing else of the bench runs meanwhile.
        info = write_store(files, "cpu-split", Path(scratch) / "store")
        store = ox.Store.read_only(str(info.folder / "data"))
        engine = {q.name: engine_ms(store, q.text, q.accept) for q in queries}
        del store
    print("| query | answers/s | runners CPU ms/answer | front CPU ms/answer | engine alone ms |")
    print("|---|--:|--:|--:|--:|")
    with srv.Servers() as started:
        started.start(server, timeout=600)
        for query in queries:
            url, headers = server.query_url(query.text), [f"Accept: {query.accept}"]
            run_hey(url, concurrency=8, duration=1, headers=headers)  # warm caches
            before = cpu_by_kind(server)
            result = run_hey(url, concurrency=8, duration=options.duration, headers=headers)
            server.wait_idle(limit=10)
            spent: dict[str, float] = {}
            for pid, (kind, seconds) in cpu_by_kind(server).items():
                spent[kind] = spent.get(kind, 0.0) + seconds - before.get(pid, (kind, 0.0))[1]
            per = {kind: seconds * 1000 / max(result.ok, 1) for kind, seconds in spent.items()}
            print(f"| {query.name} | {result.ok_rps:,.1f} | {per.get('runner', 0):.2f} | "
                  f"{per.get('front', 0):.2f} | {engine[query.name]:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
