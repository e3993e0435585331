"""HTTP hygiene: security headers on every answer of every route, no stack trace ever (a
failing view is a generic, logged 500), one JSON access-log line per request, and /health.

The requests are data (tests/data/hygiene/requests.txt); a test checks that they reach every
route of the app, so a new route is checked as soon as it exists.
"""

from __future__ import annotations

import functools
import json
import logging
import signal
import socket
import time
import uuid
from pathlib import Path

import pytest
from werkzeug.exceptions import HTTPException

from napgraph.server import create_app
from napgraph.server.http.middleware import EXTENSION as ACCESS_LOG_KEY
from napgraph.server.http.settings import SettingError

DATA = Path(__file__).parent / "data" / "hygiene" / "requests.txt"
REQUESTS = [tuple(line.split()) + (None,) * (3 - len(line.split()))
            for line in DATA.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
GENERIC_500 = "internal server error; it has been logged"
THIRD_PARTY = ("http:", "https:", "*", "'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'")


def settings_for(build, **extra) -> dict:
    return {"BUILD_DIR": str(build.release.parent.parent), "QUERY_RUNNERS": 1,
            "ACCESS_LOG": "", **extra}


def close(app) -> None:
    app.extensions["napgraph.sparql"].backend.close()
    log = app.extensions.get(ACCESS_LOG_KEY)
    if log is not None:
        log.close()


@pytest.fixture(scope="module")
def access_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("log") / "access.log"


@pytest.fixture(scope="module")
def app(build, access_log):
    app = create_app(settings_for(build, ACCESS_LOG=str(access_log)))
    yield app
    close(app)


def policy(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as {directive: [sources]}."""
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


@pytest.mark.parametrize(("method", "path", "accept"), REQUESTS,
                         ids=[" ".join(filter(None, r)) for r in REQUESTS])
def test_every_answer_has_the_security_headers(app, method, path, accept):
    response = app.test_client().open(path, method=method, buffered=True,
                                      headers={"Accept": accept} if accept else {})
    assert response.status_code < 500, response.text[:300]
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("no-referrer", "same-origin",
                                          "strict-origin-when-cross-origin")
    csp = policy(headers["Content-Security-Policy"])
    assert csp.get("frame-ancestors") == ["'none'"]
    if response.mimetype == "text/html":
        sources = [source for values in csp.values() for source in values]
        assert not [s for s in sources if s.startswith(THIRD_PARTY)], csp
        assert "script-src" in csp or csp.get("default-src") in (["'none'"], ["'self'"])
        assert csp.get("object-src", csp.get("default-src")) in (["'none'"], ["'self'"])
    else:
        assert csp.get("default-src") == ["'none'"], csp


def test_every_route_is_requested(app):
    adapter = app.url_map.bind("localhost")
    requested = set()
    for _method, path, _accept in REQUESTS:
        try:
            endpoint, _ = adapter.match(path.split("?")[0], method="GET")
        except HTTPException:
            continue
        requested.add(endpoint)
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert routes - requested == set(), "routes no line of requests.txt reaches"


@pytest.mark.parametrize("accept", ["*/*", "text/html"])
def test_a_failing_view_is_a_generic_500_and_is_logged(build, tmp_path, caplog, accept):
    """Even with DEBUG and TESTING on, nothing of the failure reaches the client."""
    log_file = tmp_path / "access.log"
    app = create_app(settings_for(build, DEBUG=True, TESTING=True,
                                  ACCESS_LOG=str(log_file)))
    secret = f"secret-{uuid.uuid4()}"

    @app.route("/boom")
    def boom():
        raise RuntimeError(f"{secret} in {Path(__file__)}")

    try:
        with caplog.at_level(logging.ERROR):
            response = app.test_client().get("/boom", headers={"Accept": accept},
                                             buffered=True)
    finally:
        close(app)
    assert response.status_code == 500
    assert GENERIC_500 in response.text
    assert secret not in response.text
    assert "Traceback" not in response.text
    assert str(Path(__file__).parent.parent) not in response.text
    logged = [record for record in caplog.records if record.exc_info]
    assert any(secret in str(record.exc_info[1]) for record in logged)
    line = json.loads(log_file.read_text(encoding="utf-8").splitlines()[-1])
    assert (line["path"], line["status"]) == ("/boom", 500)


def new_lines(path: Path, before: int) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()[before:]
    return [json.loads(line) for line in lines]


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def test_access_log_has_one_json_line_per_request(app, access_log):
    client = app.test_client()
    client.open = functools.partial(client.open, buffered=True)  # log lines come on close
    ask = f"ASK {{ ?s ?p ?o }} # {uuid.uuid4()}"
    before = line_count(access_log)
    first = client.get("/sparql", query_string={"query": ask})
    client.get("/sparql", query_string={"query": ask})  # from the cache
    client.get("/sparql", query_string={"query": "NOT SPARQL"})
    client.get("/id/a%0Ab%22%1B%E2%80%AE", headers={"Accept": "text/plain"})
    client.head("/sparql", query_string={"query": ask})
    client.get("/id/jp/consultation/2018-05", headers={"Accept": "text/html"})  # not cached
    lines = new_lines(access_log, before)
    assert len(lines) == 6
    for line in lines:
        assert {"time", "method", "path", "status", "bytes", "duration_ms", "client"} <= set(line)
        assert line["time"].endswith("Z") and line["client"] == "127.0.0.1"
        assert line["duration_ms"] >= 0
    ran, cached, refused, odd, head, page = lines
    assert (ran["method"], ran["path"], ran["status"]) == ("GET", "/sparql", 200)
    assert ran["bytes"] == len(first.data)
    assert (ran["queries"], ran["query_outcome"]) == (1, "ok") and ran["query_ms"] >= 0
    assert "queries" not in cached
    assert (refused["status"], refused["query_outcome"]) == (400, "QuerySyntaxError")
    assert odd["path"] == "/id/a\nb\"\x1b\u202e" and odd["status"] == 404
    assert (head["method"], head["bytes"]) == ("HEAD", 0)
    assert page["queries"] >= 1 and page["query_outcome"] == "ok"
    raw = access_log.read_text(encoding="utf-8")
    assert raw.isascii(), "control and bidi characters are escaped in the log"


def test_access_log_can_be_turned_off(build):
    app = create_app(settings_for(build, ACCESS_LOG=""))
    try:
        assert app.extensions[ACCESS_LOG_KEY] is None
        assert app.test_client().get("/health").status_code == 200
    finally:
        close(app)


def test_an_access_log_that_cannot_be_opened_stops_start_up(build, tmp_path):
    with pytest.raises(SettingError, match="ACCESS_LOG: cannot open"):
        create_app(settings_for(build, ACCESS_LOG=str(tmp_path / "no" / "such" / "dir.log")))


def test_health_reports_the_dataset_and_the_runners(app):
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    report = response.get_json()
    backend = app.extensions["napgraph.sparql"].backend
    assert report["status"] == "ok"
    assert report["version"] == backend.info.version
    assert report["quads"] == backend.info.quads > 10000
    assert report["runners"] == {"size": 1, "alive": 1, "idle": 1}


def test_health_is_503_while_no_runner_is_alive(build):
    app = create_app(settings_for(build, QUERY_RUNNERS=2))
    client = app.test_client()
    pool = app.extensions["napgraph.sparql"].backend.pool
    try:
        for process in list(pool._processes):
            process.send_signal(signal.SIGKILL)
            process.wait()
        down = client.get("/health")
        assert down.status_code == 503
        assert down.get_json()["status"] == "down"
        # The next query replaces the dead runners instead of failing.
        answer = client.get("/sparql", query_string={"query": f"ASK {{}} # {uuid.uuid4()}"})
        assert answer.status_code == 200
        deadline = time.monotonic() + 30
        while client.get("/health").get_json()["status"] != "ok":
            assert time.monotonic() < deadline, "the runners were not replaced"
            time.sleep(0.1)
    finally:
        close(app)


def raw_exchange(port: int, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client would send these) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *fields = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip()
               for name, _, value in (field.partition(":") for field in fields)}
    return int(status_line.split()[1]), headers, body


FRONT_REFUSALS = [
    pytest.param(b"GET /sparql?query=" + b"x" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414,
                 id="request-line-too-long"),
    pytest.param(b"GET / HTTP/1.1\r\nHost: a\r\n"
                 + b"".join(b"X-%d: y\r\n" % n for n in range(200)) + b"\r\n", 431,
                 id="too-many-header-fields"),
    pytest.param(b"GET /<script>alert(1)</script> HTTP/9.9\r\nHost: a\r\n\r\n", 400,
                 id="bad-http-version"),
    pytest.param(b"\x16\x03\x01 not http at all\r\n\r\n", 400, id="not-http"),
]


@pytest.mark.parametrize(("request_bytes", "status"), FRONT_REFUSALS)
def test_refusals_before_the_app_have_nothing_to_render(site_server, request_bytes, status):
    """Granian answers malformed requests itself, with an empty body and no Content-Type:
    nothing a browser could render or sniff, so there is nothing for the security headers
    to guard. Whatever has a body (here the app's 414) carries them."""
    found, headers, body = raw_exchange(site_server.port, request_bytes)
    assert found == status
    assert int(headers["content-length"]) == len(body)
    if body:
        assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert headers["content-type"] == "text/plain; charset=utf-8"
    else:
        assert "content-type" not in headers


def test_one_connection_carries_every_kind_of_answer(site_server, build):
    """Through napgraph's worker (head sent with the first body bytes): small and large
    bodies, HEAD, 304, a file sent with sendfile, errors, one after another on one kept-alive
    connection; any framing mistake would break the next answer."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", site_server.port, timeout=30)
    nq = (build.release / "napgraph.nq").read_bytes()
    ask = "/sparql?query=ASK%7B%7D"
    try:
        def exchange(method, path, **headers):
            connection.request(method, path, headers={"Accept": "*/*", **headers})
            response = connection.getresponse()
            return response, response.read()

        response, body = exchange("GET", ask, Accept="application/sparql-results+json")
        assert response.status == 200 and json.loads(body)["boolean"] is True
        etag = response.getheader("ETag")
        sock = connection.sock
        response, body = exchange("HEAD", ask, Accept="application/sparql-results+json")
        assert response.status == 200 and body == b""
        response, body = exchange("GET", ask, Accept="application/sparql-results+json",
                                  **{"If-None-Match": etag})
        assert response.status == 304 and body == b""
        response, body = exchange("GET", "/download/napgraph.nq")
        assert response.status == 200 and body == nq  # sendfile, > 64 KiB
        response, body = exchange("GET", "/id/jp/org/no-such-actor", Accept="text/html")
        assert response.status == 404 and body
        response, body = exchange("GET", "/id/jp/org/mofa.ttl")
        assert response.status == 200 and b"Ministry of Foreign Affairs" in body
        assert connection.sock is sock  # all on the one connection
    finally:
        connection.close()
