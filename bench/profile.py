"""Profile napgraph under load: where the CPU goes while hey sends one query.

    .venv/bin/python bench/profile.py [--scale japan] [--query lookup-actor] [--cold]
                                      [--duration 5] [--path /id/jp/org/mofa]

Starts `napgraph serve --workers 2` (with NAPGRAPH_CACHE_ENTRIES=0 if --cold), loads it with
hey at concurrency 8 and records it with py-spy (from bench/.venv-peers, sampling every
process of the server: Granian main process, workers, query runners). Prints the CPU seconds of the
server and of hey during the run, and the functions with the most samples, by own time and
including callees, per kind of process (web worker or query runner).
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import peers, run  # noqa: E402
from bench.load import HEY, parse_hey, run_hey  # noqa: E402
from bench.servers import Servers, install_signal_handlers, napgraph  # noqa: E402
from bench.workload import workload  # noqa: E402

BENCH = Path(__file__).resolve().parent


def summarize(raw: str, top: int = 20) -> str:
    """Tables of the hottest functions in py-spy's raw (collapsed) output."""
    own: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    inclusive: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    totals: collections.Counter = collections.Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        kind = "runner" if "napgraph.server.backends.runner" in frames[0] or any(
            "runner.py" in f for f in frames) else "web worker"
        frames = [f for f in frames if not f.startswith("process ")]
        if not frames:
            continue
        n = int(count)
        totals[kind] += n
        own[kind][_short(frames[-1])] += n
        for frame in {_short(f) for f in frames}:
            inclusive[kind][frame] += n
    out = []
    for kind in sorted(totals):
        out.append(f"\n{kind}: {totals[kind]} samples")
        out.append("  own time:")
        out += [f"    {100 * n / totals[kind]:5.1f}%  {name}"
                for name, n in own[kind].most_common(top)]
        out.append("  including callees:")
        out += [f"    {100 * n / totals[kind]:5.1f}%  {name}"
                for name, n in inclusive[kind].most_common(top)]
    return "\n".join(out)


def _short(frame: str) -> str:
    # "function (path/to/module.py:123)" -> "function (module.py)"
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit("/", 1)[-1].split(":", 1)[0]
    return f"{name} ({where})" if where else name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="japan")
    parser.add_argument("--query", default="lookup-actor", help="a workload query name")
    parser.add_argument("--path", help="profile a page (Accept: text/html) instead of a query")
    parser.add_argument("--cold", action="store_true", help="response cache off")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--workdir", type=Path, default=BENCH / ".work")
    options = parser.parse_args(argv)
    spy = peers.py_spy() or peers.ensure() / "py-spy"
    install_signal_handlers()
    files = run.scale_files(options.workdir.resolve(), options.scale)
    env = {"NAPGRAPH_CACHE_ENTRIES": "0"} if options.cold else {}
    logs = options.workdir.resolve() / "logs" / "profile"
    with Servers() as servers:
        server = servers.start(napgraph("profiled", files, logs, env=env))
        if options.path:
            url, headers = server.root + options.path, ["Accept: text/html"]
        else:
            query = next(q for q in workload() if q.name == options.query)
            url, headers = server.query_url(query.text), [f"Accept: {query.accept}"]
        run_hey(url, concurrency=8, requests=64, headers=headers)  # warm up
        raw = logs / "py-spy.txt"
        before = server.cpu_seconds()
        hey = subprocess.Popen(hey_argv(url, headers, options.duration + 1),
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        time.sleep(0.5)
        spy_process = subprocess.Popen(
            [str(spy), "record", "--pid", str(server.process.pid), "--subprocesses",
             "--duration", str(int(options.duration)), "--rate", str(options.rate),
             "--format", "raw", "--nonblocking", "--output", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        output = hey.stdout.read()
        hey_usage = os.wait4(hey.pid, 0)[2]
        hey.returncode = 0  # reaped above
        spy_process.wait()
        server_cpu = server.cpu_seconds() - before
    result = parse_hey(output)
    hey_seconds = hey_usage.ru_utime + hey_usage.ru_stime
    wall = result.seconds
    print(f"{options.path or options.query} ({'cold' if options.cold else 'warm'} cache, "
          f"{options.scale}): {result.ok_rps:,.0f} req/s, p50 {result.p50_ms} ms, "
          f"p99 {result.p99_ms} ms")
    print(f"CPU over {wall:.1f} s on 2 cores: server {server_cpu:.1f} s, hey "
          f"{hey_seconds:.1f} s (of {2 * wall:.1f} s)")
    print(summarize(raw.read_text(encoding="utf-8")))
    return 0


def hey_argv(url: str, headers: list[str], seconds: float) -> list[str]:
    """hey at concurrency 8 for `seconds`, asking for gzip like most clients."""
    argv = [HEY, "-c", "8", "-z", f"{seconds:g}s"]
    for header in headers:
        argv += ["-H", header]
    return [*argv, url]


if __name__ == "__main__":
    sys.exit(main())
