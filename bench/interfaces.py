"""Granian's ASGI against its RSGI interface: what one trivial answer costs each way.

    .venv/bin/python bench/interfaces.py [--duration 3] [--rounds 3]

Starts Granian (1 worker, uvloop, HTTP/1, as `napgraph serve` runs it) on an app that
answers every request with the same 26 bytes and 5 header fields, once per interface,
alternating, and loads each with `hey -c 8 -z DURATION` against 127.0.0.1: requests per
second and the server's CPU per request. This is the floor under a replayed answer
(server/http/replay.py), which is sent the same way. Everything is stopped at the end.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import run_hey  # noqa: E402
from bench.servers import HOST, Server, Servers, free_port, install_signal_handlers  # noqa: E402

BODY = b'{"head":{},"boolean":true}'
FIELDS = [("content-type", "application/sparql-results+json"), ("etag", '"x"'),
          ("vary", "Accept, Accept-Encoding"), ("x-content-type-options", "nosniff"),
          ("content-length", str(len(BODY)))]
ASGI_FIELDS = [(name.encode(), value.encode()) for name, value in FIELDS]


async def asgi_app(scope, receive, send) -> None:
    """The trivial app as ASGI."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": ASGI_FIELDS})
    await send({"type": "http.response.body", "body": BODY})


async def rsgi_app(scope, protocol) -> None:
    """The trivial app as RSGI."""
    protocol.response_bytes(200, FIELDS, BODY)


def granian(interface: str, logs: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "granian", "--interface", interface, "--workers", "1",
            "--loop", "uvloop", "--http", "1", "--no-ws", "--host", HOST, "--port", str(port),
            f"bench.interfaces:{interface}_app"]
    return Server(f"granian-{interface}", argv, port, "/sparql", logs / f"granian-{interface}.log",
                  env={"PYTHONPATH": str(Path(__file__).resolve().parent.parent)})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(__file__).resolve().parent / ".work")
    args = parser.parse_args()
    install_signal_handlers()
    print("| round | interface | req/s | server CPU µs/req |")
    print("|---|---|---:|---:|")
    with Servers() as servers:
        started = {name: servers.start(granian(name, args.workdir / "logs"))
                   for name in ("asgi", "rsgi")}
        for round_ in range(1, args.rounds + 1):
            for name, server in started.items():
                url = server.root + "/sparql"
                run_hey(url, requests=200, concurrency=8)
                server.wait_idle()
                before = server.cpu_seconds()
                result = run_hey(url, duration=args.duration, concurrency=8)
                server.wait_idle()
                cpu = server.cpu_seconds() - before
                print(f"| {round_} | {name} | {result.ok_rps:,.0f} | "
                      f"{1e6 * cpu / max(result.ok, 1):.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
