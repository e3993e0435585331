"""Cached answers replayed by the front (server/http/replay.py).

In process: the front with the real app behind it, driven with ASGI messages, shows when the
app is called again and when it is not. Against a real server: a replayed answer carries
exactly the bytes and headers of the app's own (security headers, CORS, Vary, ETag, Link, the
cut marker), and the access log has a line for each request.
"""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests

from napgraph.server.http import replay
from napgraph.server.http.cache import ResponseCache
from napgraph.server.http.front import WsgiFront
from tests.server_fixtures import MINI

ASK = "ASK { ?s ?p ?o }"
BASE_HEADERS = {"host": "127.0.0.1:8000", "accept": "application/sparql-results+json",
                "accept-encoding": "gzip"}


def scope(method: str = "GET", path: str = "/sparql", query: str = ASK, headers=None,
          extra: str = "") -> dict:
    """An ASGI scope as Granian builds it for one request."""
    fields = {**BASE_HEADERS, **(headers or {})}
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
            "query_string": (urlencode({"query": query}) + extra).encode() if query else b"",
            "headers": [(k.encode(), v.encode()) for k, v in fields.items()],
            "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "scheme": "http",
            "http_version": "1.1", "root_path": ""}


class CountingApp:
    """The WSGI app, counting its calls."""

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app, self.calls = wsgi_app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.wsgi_app(environ, start_response)


@pytest.fixture()
def front(mini_app):
    """The front on the real app, with an answer cache emptied for each test."""
    replays = mini_app.extensions[replay.EXTENSION]
    replays.cache._entries.clear()
    return WsgiFront(CountingApp(mini_app.wsgi_app), mini_app.config, replays)


def answer(front: WsgiFront, request: dict, body: bytes = b"",
           run=asyncio.run) -> tuple[int, list, bytes]:
    """Send one request through the front: (status, headers, body); `run` runs the event
    loop (asyncio's, or uvloop's)."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    # On a thread of its own: a browser test earlier in the session may have left an event
    # loop running on this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(run, front(request, receive, send)).result()
    return (sent[0]["status"], sent[0]["headers"],
            b"".join(m.get("body", b"") for m in sent[1:]))


def test_the_same_request_again_is_answered_without_the_app(front):
    first = answer(front, scope())
    assert front.wsgi_app.calls == 1 and first[0] == 200
    assert answer(front, scope()) == first
    assert answer(front, scope()) == first
    assert front.wsgi_app.calls == 1


REPLAYED_PAGES = [("/", None), ("/id/jp/org/mofa", None), ("/sparql", ASK)]


@pytest.mark.parametrize(("path", "query"), REPLAYED_PAGES, ids=["home", "actor", "ask"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_pages_and_answers_with_an_etag_are_replayed(front, method, path, query):
    headers = {"accept": "text/html"} if query is None else {}
    first = answer(front, scope(method, path, query, headers))
    assert first[0] == 200 and any(name == b"etag" for name, _ in first[1])
    assert answer(front, scope(method, path, query, headers)) == first
    assert front.wsgi_app.calls == 1


# A second request that differs from the first in one way the app could read: the app answers it.
DIFFERENT = {
    "accept": dict(headers={"accept": "application/sparql-results+xml"}),
    "accept-encoding": dict(headers={"accept-encoding": "identity"}),
    "origin": dict(headers={"origin": "https://elsewhere.example"}),
    "if-none-match": dict(headers={"if-none-match": '"x"'}),
    "host": dict(headers={"host": "other.example"}),
    "query": dict(query="ASK { ?s a ?o }"),
    "query-string": dict(extra="&default-graph-uri=urn:x"),
    "method": dict(method="HEAD"),
}


@pytest.mark.parametrize("change", DIFFERENT.values(), ids=DIFFERENT.keys())
def test_a_request_that_differs_in_anything_goes_to_the_app(front, change):
    answer(front, scope())
    answer(front, scope(**change))
    assert front.wsgi_app.calls == 2


def test_a_request_that_may_have_a_body_is_never_replayed(front):
    request = scope(headers={"content-length": "0"})
    answer(front, request)
    answer(front, request)
    assert front.wsgi_app.calls == 2


def test_a_post_is_never_replayed(front):
    request = scope("POST", query=None, headers={"content-type": "application/sparql-query"})
    assert answer(front, request, ASK.encode())[0] == 200
    assert answer(front, request, ASK.encode())[0] == 200
    assert front.wsgi_app.calls == 2


def test_an_error_is_not_replayed(front):
    request = scope(query="ASK { ?s ?p")
    assert answer(front, request)[0] == 400
    assert answer(front, request)[0] == 400
    assert front.wsgi_app.calls == 2


def test_a_new_dataset_version_is_not_answered_from_the_old(front, monkeypatch):
    answer(front, scope())
    monkeypatch.setattr(front.replays, "version", lambda: "a newer release")
    answer(front, scope())
    answer(front, scope())
    assert front.wsgi_app.calls == 2  # the old one was not replayed; the new one was


def test_no_cache_no_replay(mini_app):
    cache = ResponseCache(0, 0)
    replays = replay.Replays(cache, lambda: "v", None)
    app = CountingApp(mini_app.wsgi_app)
    front = WsgiFront(app, mini_app.config, replays)
    answer(front, scope())
    answer(front, scope())
    assert app.calls == 2


# Against a real server: the replayed bytes are the app's own, headers and all.
@pytest.fixture(scope="module")
def replaying_server(start_server, tmp_path_factory):
    log = tmp_path_factory.mktemp("replay") / "access.log"
    server = start_server(MINI.read_bytes(), MAX_RESULT_ROWS=2, ACCESS_LOG=str(log),
                          CORS_ORIGINS=["https://allowed.example"])
    server.access_log = log
    return server


SELECT_ALL = "SELECT * { ?s ?p ?o } ORDER BY ?s ?p ?o"
LIVE = {
    "ask-json": ("/sparql", {"query": "ASK { ?s a ?t }"},
                 {"Accept": "application/sparql-results+json"}),
    "select-cut-csv": ("/sparql", {"query": SELECT_ALL}, {"Accept": "text/csv"}),
    "select-cut-gzip-cors": ("/sparql", {"query": SELECT_ALL + " LIMIT 50"},
                             {"Accept": "application/sparql-results+xml",
                              "Accept-Encoding": "gzip",
                              "Origin": "https://allowed.example"}),
    "describe-nt": ("/sparql", {"query": "DESCRIBE <https://w3id.org/napgraph/id/jp/org/mofa>"},
                    {"Accept": "application/n-triples"}),
    "format-param": ("/sparql", {"query": "ASK {}", "format": "json"}, {}),
    "home-html": ("/", {}, {"Accept": "text/html", "Accept-Encoding": "gzip"}),
    "actor-turtle": ("/id/jp/org/mofa", {}, {"Accept": "text/turtle"}),
    "service-description": ("/sparql", {}, {"Accept": "text/turtle"}),
}


def logged_since(log, before: int, count: int) -> list[dict]:
    """The access log's lines after the first `before`, once `count` of them are there (a
    line is written just after its answer is sent)."""
    deadline = time.monotonic() + 10
    while True:
        lines = log.read_text().splitlines()[before:]
        if len(lines) >= count or time.monotonic() > deadline:
            return [json.loads(line) for line in lines]
        time.sleep(0.05)


def observed(response: requests.Response) -> tuple:
    headers = sorted((k.lower(), v) for k, v in response.raw.headers.items()
                     if k.lower() != "date")
    return response.status_code, headers, response.raw.read()


@pytest.mark.parametrize(("path", "params", "headers"), LIVE.values(), ids=LIVE.keys())
def test_a_replayed_answer_is_byte_for_byte_the_apps(replaying_server, path, params, headers):
    url = replaying_server.root + path
    before = replaying_server.access_log.read_text().count("\n")
    answers = []
    for _ in range(3):
        with requests.get(url, params=params, headers=headers, stream=True, timeout=10) as got:
            answers.append(observed(got))
    assert answers[0][0] == 200
    assert answers[1] == answers[0] and answers[2] == answers[0]
    names = {name for name, _ in answers[0][1]}
    assert {"etag", "vary", "content-security-policy", "x-content-type-options"} <= names
    logged = logged_since(replaying_server.access_log, before, 3)
    assert [(r["path"], r["status"], r["bytes"]) for r in logged] == (
        [(path, 200, len(answers[0][2]))] * 3)


def test_a_cut_result_still_says_so_when_replayed(replaying_server):
    url = replaying_server.endpoint
    for _ in range(2):
        got = requests.get(url, params={"query": SELECT_ALL}, headers={"Accept": "text/csv"},
                           timeout=10)
        assert got.headers["X-SPARQL-MaxRows"] == "2"
