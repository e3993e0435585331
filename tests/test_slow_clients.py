"""Slow, idle and greedy clients against a real server: they never shut others out.

Real sockets on 127.0.0.1 (bench/slow_clients.py holds them): hundreds of connections that
send a header line every 2 s, and hundreds that send nothing, while a page and an uncached
ASK are answered; the header and body time limits and the per-client limit close or refuse
what would otherwise wait forever.
"""

from __future__ import annotations

import socket
import time

import pytest

from bench.slow_clients import crowd_of, timed_get, uncached_ask
from tests.server_fixtures import MINI

PROMPT = 2.0  # seconds: what "answered promptly" means here


@pytest.fixture(scope="module")
def crowded_server(start_server):
    """Two workers, as in production; headers may take 60 s, so the crowd stays connected."""
    return start_server(MINI.read_bytes(), workers=2, HEADER_TIMEOUT=60)


@pytest.mark.parametrize(("slow", "idle"), [(300, 0), (0, 300), (200, 200)],
                         ids=["slow", "idle", "both"])
def test_a_crowd_of_slow_and_idle_connections_shuts_nobody_out(crowded_server, slow, idle):
    port = crowded_server.port
    with crowd_of(port, slow=slow, idle=idle) as crowd:
        assert crowd.connected == slow + idle
        for _ in range(3):
            for path in ("/", "/id/jp/org/mofa", uncached_ask()):
                status, _ = timed_get(port, path, timeout=PROMPT)
                assert status == 200, f"{path} was not answered within {PROMPT} s"
        assert crowd.closed_by_server == 0  # still held open: they were simply not waited on


@pytest.fixture(scope="module")
def strict_server(start_server):
    """1 s to send the headers, 1 s to send the body, and 2 requests per client at once."""
    return start_server(MINI.read_bytes(), HEADER_TIMEOUT=1, BODY_TIMEOUT=1,
                        MAX_REQUESTS_PER_CLIENT=2)


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes `sock` within `seconds` (it reads EOF or a reset)."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@pytest.mark.parametrize("sent", [b"", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"],
                         ids=["idle", "headers-never-finished"])
def test_a_connection_without_a_whole_head_is_closed_after_the_header_timeout(strict_server,
                                                                              sent):
    with socket.create_connection(("127.0.0.1", strict_server.port)) as sock:
        sock.sendall(sent)
        assert closed_within(sock, 10)


def test_an_idle_kept_alive_connection_is_closed_after_the_header_timeout(strict_server):
    with socket.create_connection(("127.0.0.1", strict_server.port)) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(10)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        assert closed_within(sock, 10)


def slow_body(port: int) -> socket.socket:
    """A POST whose body never comes."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                 b"application/sparql-query\r\nContent-Length: 100\r\n\r\nASK")
    return sock


def test_a_body_that_does_not_arrive_in_time_is_a_408(strict_server):
    with slow_body(strict_server.port) as sock:
        sock.settimeout(10)
        answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"BODY_TIMEOUT" in answer
    assert b"content-security-policy: default-src 'none'" in answer.lower()


def test_a_client_over_its_request_limit_is_a_429_and_others_are_served(strict_server):
    held = [slow_body(strict_server.port) for _ in range(2)]
    try:
        time.sleep(0.3)  # both heads have reached the front
        status, _ = timed_get(strict_server.port, uncached_ask(), timeout=PROMPT)
        assert status == 429
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while (status := timed_get(strict_server.port, uncached_ask(), timeout=PROMPT)[0]) == 429 \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status == 200
