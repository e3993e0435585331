"""Where a server's processes spend a hey run: on a core, waiting for one, or asleep.

    .venv/bin/python bench/sched.py --url http://127.0.0.1:PORT/sparql --pid PID \
        [--duration 8] QUERY-NAME...

For each workload query (bench/workload.py), runs `hey -c 8` against `--url` and reads the
kernel's scheduler statistics (/proc/PID/task/TID/schedstat: time on a CPU, time runnable
but waiting in the run queue) of every process under `--pid` (a napgraph server: web
workers and query runners; or Oxigraph). Per process, per second of the run: `run` on a
core, `+Nq` waiting for one. A runner whose run + queue is near 1.0 always had a query: the
time it did not run went to other processes of the machine, not to the pool's dispatch.
Processes that ended during the run (a preempted runner) are not counted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import HEY, parse_hey  # noqa: E402
from bench.workload import workload  # noqa: E402


def processes(pid: int) -> list[int]:
    """`pid` and every process under it."""
    found = [pid]
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            found += processes(int(child))
    return found


def schedstat(pid: int) -> tuple[str, float, float] | None:
    """(kind, seconds on a CPU, seconds waiting for one) over a process's threads."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    ran = waited = 0
    for task in tasks:
        try:
            fields = Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()
        except OSError:
            continue
        ran, waited = ran + int(fields[0]), waited + int(fields[1])
    kind = "runner" if "backends.runner" in command else "process"
    return kind, ran / 1e9, waited / 1e9


def snapshot(root: int) -> dict[int, tuple[str, float, float]]:
    """schedstat() of every process under `root`."""
    return {pid: stat for pid in processes(root) if (stat := schedstat(pid)) is not None}


def measure(url: str, root: int, query, duration: str) -> str:
    """One hey run of `query`; its line of the report."""
    target = f"{url}?{urllib.parse.urlencode({'query': query.text})}"
    before, started = snapshot(root), time.monotonic()
    out = subprocess.run([HEY, "-c", "8", "-z", duration, "-t", "25", "-H",
                          f"Accept: {query.accept}", target],
                         capture_output=True, text=True, check=True).stdout
    wall = time.monotonic() - started
    after, result = snapshot(root), parse_hey(out)
    kinds: dict[str, list[str]] = {}
    for pid, (kind, ran, waited) in after.items():
        _, ran0, waited0 = before.get(pid, (kind, 0.0, 0.0))
        kinds.setdefault(kind, []).append(f"{(ran - ran0) / wall:.2f}+{(waited - waited0) / wall:.2f}q")
    load = Path("/proc/loadavg").read_text().split()[0]
    return (f"{query.name}: {result.ok_rps:.1f} ok req/s, statuses {result.statuses}; per "
            "process, seconds per second on a core + waiting for one: "
            + "; ".join(f"{kind} {' '.join(sorted(v, reverse=True))}"
                        for kind, v in kinds.items()) + f"; load {load}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the SPARQL endpoint, without a query")
    parser.add_argument("--pid", type=int, required=True, help="the server's main process")
    parser.add_argument("--duration", default="8", help="seconds of each hey run")
    parser.add_argument("queries", nargs="+", help="workload query names")
    args = parser.parse_args()
    for query in workload(only=args.queries):
        print(measure(args.url, args.pid, query, f"{args.duration}s"), flush=True)


if __name__ == "__main__":
    main()
