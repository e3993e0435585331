"""Slow and idle clients against a running server: do other requests still get through?

Opens `slow` connections that each send one header line every `interval` seconds and never
finish their request, and `idle` connections that send nothing, all to 127.0.0.1; then times
the given probe requests (a page, an uncached ASK) made meanwhile on fresh connections. Every
connection is closed at the end; the whole run is bounded by `hold` seconds.

    python -m bench.slow_clients --port 8000 --slow 300 --idle 300
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

HOST = "127.0.0.1"
_unique = itertools.count()


@dataclass
class Crowd:
    """What the held connections saw: how many connected, and how many the server closed."""

    connected: int = 0
    refused: int = 0
    closed_by_server: int = 0


def _trickle(sock: socket.socket, interval: float, stop: threading.Event,
             crowd: Crowd) -> None:
    lines = iter(itertools.chain([b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n",
                                  b"Host: 127.0.0.1\r\n"],
                                 (f"X-Slow-{n}: 1\r\n".encode() for n in itertools.count())))
    while not stop.wait(interval):
        try:
            sock.sendall(next(lines))
        except OSError:
            crowd.closed_by_server += 1
            return


@contextmanager
def crowd_of(port: int, slow: int, idle: int, interval: float = 2.0) -> Iterator[Crowd]:
    """Hold `slow` trickling and `idle` silent connections open to the server for as long
    as the block runs."""
    crowd, stop = Crowd(), threading.Event()
    sockets: list[socket.socket] = []
    threads: list[threading.Thread] = []
    try:
        for number in range(slow + idle):
            try:
                sock = socket.create_connection((HOST, port), timeout=5)
            except OSError:
                crowd.refused += 1
                continue
            sockets.append(sock)
            crowd.connected += 1
            if number < slow:
                thread = threading.Thread(target=_trickle, args=(sock, interval, stop, crowd),
                                          daemon=True)
                thread.start()
                threads.append(thread)
        time.sleep(interval + 0.5)  # every slow client has started its request
        yield crowd
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)
        for sock in sockets:
            sock.close()


def timed_get(port: int, path: str, timeout: float = 30.0) -> tuple[int, float]:
    """GET `path` on a new connection; (status, seconds), status 0 when it failed."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept": "*/*"})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    except OSError:
        return 0, time.perf_counter() - started
    finally:
        connection.close()


def uncached_ask() -> str:
    """An ASK query no cache has seen (a fresh literal each time)."""
    return f"/sparql?query=ASK%7B%3Fs%20%3Fp%20%22probe-{time.time_ns()}-{next(_unique)}%22%7D"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--page", default="/")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with crowd_of(args.port, args.slow, args.idle) as crowd:
        for _ in range(args.rounds):
            page, ask = timed_get(args.port, args.page), timed_get(args.port, uncached_ask())
            print(f"page {page[0]} {page[1] * 1000:.0f} ms   uncached ASK {ask[0]} "
                  f"{ask[1] * 1000:.0f} ms")
            time.sleep(1)
        print(f"held {crowd.connected} connections ({crowd.refused} refused, "
              f"{crowd.closed_by_server} slow ones closed by the server)")


if __name__ == "__main__":
    main()
