"""The SPARQL fast path (server/sparql/fast_path.py): plain queries answered beside Flask.

In process: two fronts on one real app (no answer cache, small limits), one with the fast
path and one without, get the same requests; every answer must be the same in status,
header fields and body, the fast path must run the query on the event loop when a runner is
idle, and it must leave to the app exactly the requests it says it leaves (other
parameters, HEAD, conditional requests, errors…), running a failed query once. With every
runner busy, a plain query waits for one in a thread, as before. Against a real server: plain queries are answered and logged, an error the fast
path meets is answered by the app, and a runaway query times out once, not twice.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests
import uvloop

from napgraph.server.backends.messages import QueryRequest
from napgraph.server.http import middleware, replay
from napgraph.server.http.front import WsgiFront
from napgraph.server.sparql import endpoint
from napgraph.server.sparql.fast_path import FastPath
from tests.server_fixtures import MINI, RUNAWAY_QUERY
from tests.test_replay import CountingApp, answer

MOFA = "https://w3id.org/napgraph/id/jp/org/mofa"
SELECT = "SELECT * { ?s ?p ?o } ORDER BY ?s ?p ?o"
HOST = {"host": "127.0.0.1:8000"}
FORM = "application/x-www-form-urlencoded"


class CountingBackend:
    """The app's backend, counting the queries it runs."""

    def __init__(self, backend) -> None:
        self.backend, self.runs, self.on_loop = backend, 0, 0

    def __getattr__(self, name):
        return getattr(self.backend, name)

    def query(self, *args, **kwargs):
        self.runs += 1
        return self.backend.query(*args, **kwargs)

    async def query_on_loop(self, *args, **kwargs):
        result = None
        try:
            result = await self.backend.query_on_loop(*args, **kwargs)
        except Exception:
            result = "failed"
            raise
        finally:
            self.runs += result is not None
            self.on_loop += result is not None
        return result


@pytest.fixture(scope="module")
def cold_app():
    """The app on mini.nq without an answer cache, cutting results at 3 rows, with one
    allowed CORS origin; its backend counts queries."""
    from napgraph.server import create_app

    app = create_app({"DATA_FILES": [str(MINI)], "QUERY_RUNNERS": 1, "QUERY_TIMEOUT": 5,
                      "CACHE_ENTRIES": 0, "MAX_RESULT_ROWS": 3, "ACCESS_LOG": "",
                      "MAX_QUERY_STRING_BYTES": 600, "MAX_QUERY_NESTING": 20,
                      "CORS_ORIGINS": ["https://allowed.example"]})
    state = app.extensions[endpoint.EXTENSION]
    state.backend = CountingBackend(state.backend)
    yield app
    state.backend.close()


def runner_request(query: str) -> QueryRequest:
    """A query for a runner, as TSV without a row limit."""
    tsv = "text/tab-separated-values"
    return QueryRequest(query, None, None, None, True, tsv, None, None, 0)


def fronts(app) -> tuple[WsgiFront, WsgiFront]:
    """(the front with the fast path, the front without), each counting app calls."""
    fast = FastPath(app.extensions[endpoint.EXTENSION], app.config,
                    app.extensions.get(middleware.EXTENSION))
    replays = app.extensions[replay.EXTENSION]
    return (WsgiFront(CountingApp(app.wsgi_app), app.config, replays, fast),
            WsgiFront(CountingApp(app.wsgi_app), app.config, replays))


def request(method: str, query_string: str = "", headers: dict | None = None,
            path: str = "/sparql") -> dict:
    """An ASGI scope as Granian builds it."""
    fields = {**HOST, **(headers or {})}
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(),
            "query_string": query_string.encode(), "root_path": "",
            "headers": [(k.encode(), v.encode()) for k, v in fields.items()],
            "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "scheme": "http",
            "http_version": "1.1"}


def get(query: str, headers: dict | None = None, **params: str) -> tuple[dict, bytes]:
    return request("GET", urlencode({"query": query, **params}), headers), b""


def post(body: bytes, content_type: str, headers: dict | None = None) -> tuple[dict, bytes]:
    fields = {"content-type": content_type, "content-length": str(len(body)), **(headers or {})}
    return request("POST", "", fields), body


# Requests the fast path answers itself.
PLAIN = {
    "ask-json": get("ASK { ?s ?p ?o }", {"accept": "application/sparql-results+json"}),
    "ask-xml-gzip": get("ASK { ?s a ?t }", {"accept": "application/sparql-results+xml",
                                            "accept-encoding": "gzip"}),
    "ask-no-accept": get("ASK {}"),
    "select-cut-json": get(SELECT, {"accept": "application/sparql-results+json"}),
    "select-cut-xml-gzip": get(SELECT, {"accept": "application/sparql-results+xml",
                                        "accept-encoding": "gzip, deflate"}),
    "select-csv": get("SELECT ?p { ?s ?p ?o } LIMIT 2", {"accept": "text/csv"}),
    "select-tsv-browser": get("SELECT ?o { ?s ?p ?o } LIMIT 2",
                              {"accept": "text/html,application/xml;q=0.9,*/*;q=0.8"}),
    "select-unicode": get('SELECT ?x { BIND("外務省 — ☃" AS ?x) }'),
    "describe-nt": get(f"DESCRIBE <{MOFA}>", {"accept": "application/n-triples"}),
    "describe-cut-turtle-gzip": get(f"DESCRIBE <{MOFA}>", {"accept": "text/turtle",
                                                            "accept-encoding": "gzip"}),
    "construct-jsonld": get("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o } LIMIT 2",
                            {"accept": "application/ld+json"}),
    "construct-rdfxml": get("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o } LIMIT 2",
                            {"accept": "application/rdf+xml"}),
    "cors-allowed": get("ASK {}", {"origin": "https://allowed.example"}),
    "cors-other": get("ASK {}", {"origin": "https://other.example"}),
    "other-fields": get("ASK {}", {"user-agent": "x", "cookie": "a=b", "referer": "/"}),
    "host-default-port": (request("GET", urlencode({"query": "SELECT ?x { BIND(<a> AS ?x) }"}),
                                  {"host": "example.org:80"}), b""),
    "relative-iri-base": get("SELECT ?x { BIND(<a> AS ?x) }"),
    "post-direct": post(b"ASK { ?s ?p ?o }", "application/sparql-query"),
    "post-direct-bom": post("\ufeffASK {}".encode(), "application/sparql-query; charset=UTF-8"),
    "post-form": post(urlencode({"query": SELECT}).encode(), FORM,
                      {"accept": "text/tab-separated-values"}),
    "post-form-plus": post(b"query=ASK+%7B%7D", FORM),
}
# Requests the fast path leaves to the app: the app's answer is the only one.
TO_THE_APP = {
    "format-param": get("ASK {}", format="json"),
    "default-graph-uri": get("ASK {}", **{"default-graph-uri": MOFA}),
    "two-queries": (request("GET", "query=ASK%20%7B%7D&query=ASK%20%7B%7D"), b""),
    "empty-query": get("  "),
    "no-query": (request("GET"), b""),
    "unknown-param": get("ASK {}", x="1"),
    "invalid-utf8": (request("GET", "query=ASK%20%7B%7D%FF"), b""),
    "query-string-too-long": get("ASK {} #" + "x" * 600),
    "head": (request("HEAD", urlencode({"query": "ASK {}"})), b""),
    "if-none-match": get("ASK {}", {"if-none-match": '"x"'}),
    "repeated-accept": (request("GET", urlencode({"query": "ASK {}"}), None), b""),
    "nothing-acceptable": get("ASK {}", {"accept": "image/png"}),
    "html": get("ASK {}", {"accept": "text/html"}),
    "trailing-slash": (request("GET", urlencode({"query": "ASK {}"}), path="/sparql/"), b""),
    "post-update": post(b"INSERT DATA { <a> <b> <c> }", "application/sparql-update"),
    "post-text": post(b"ASK {}", "text/plain"),
    "post-latin1": post(b"ASK {}", "application/sparql-query; charset=latin-1"),
    "post-with-query-string": (request("POST", "x=1", {
        "content-type": "application/sparql-query", "content-length": "6"}), b"ASK {}"),
    "post-form-update": post(b"update=DROP+ALL", FORM),
    "post-form-invalid-utf8": post(b"query=ASK+%7B%7D%FF", FORM),
    "post-not-utf8": post(b"ASK { ?s ?p \"\xff\" }", "application/sparql-query"),
    "post-short-body": (request("POST", "", {"content-type": "application/sparql-query",
                                             "content-length": "60"}), b"ASK {}"),
}
TO_THE_APP["repeated-accept"][0]["headers"] += [(b"accept", b"text/csv"),
                                                 (b"accept", b"application/json")]
# Plain requests whose query fails: the app answers the error the fast path met.
FAILING = {
    "syntax": get("ASK {"),
    "update-as-query": get("INSERT DATA { <a> <b> <c> }"),
    "service-refused": get("SELECT * { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }"),
    "too-deep": get("ASK { " + "{ " * 30 + "}" * 30 + " }"),
    "form-not-acceptable": get("CONSTRUCT {} {}", {"accept": "application/sparql-results+json"}),
    "ask-as-csv": get("ASK {}", {"accept": "text/csv"}),
    "rdfxml-unserializable": get("CONSTRUCT { <a> <http://x/1> 1 } {}",
                                 {"accept": "application/rdf+xml"}),
    "html-prefers-error-page": get("ASK {", {"accept": "text/html,*/*;q=0.1"}),
}


def both(app, scope: dict, body: bytes) -> tuple[tuple, tuple, WsgiFront]:
    fast, plain_front = fronts(app)
    return answer(fast, scope, body), answer(plain_front, scope, body), fast


def same(first: tuple, second: tuple) -> bool:
    status, headers, body = first
    return (status, sorted(headers), body) == (second[0], sorted(second[1]), second[2])


@pytest.mark.parametrize(("scope", "body"), PLAIN.values(), ids=PLAIN.keys())
def test_a_plain_query_is_answered_as_the_app_answers_it(cold_app, scope, body):
    backend = cold_app.extensions[endpoint.EXTENSION].backend
    on_loop = backend.on_loop
    fast_answer, app_answer, fast = both(cold_app, scope, body)
    assert fast.wsgi_app.calls == 0, "the fast path should have answered it"
    assert backend.on_loop == on_loop + 1, "its runner was idle: no thread needed"
    assert fast_answer[0] == 200
    assert same(fast_answer, app_answer)


@pytest.mark.parametrize(("scope", "body"), TO_THE_APP.values(), ids=TO_THE_APP.keys())
def test_anything_else_goes_to_the_app(cold_app, scope, body):
    fast_answer, app_answer, fast = both(cold_app, scope, body)
    assert fast.wsgi_app.calls == 1
    assert same(fast_answer, app_answer)


@pytest.mark.parametrize(("scope", "body"), FAILING.values(), ids=FAILING.keys())
def test_a_failing_query_runs_once_and_the_app_answers_its_error(cold_app, scope, body):
    backend = cold_app.extensions[endpoint.EXTENSION].backend
    fast, plain_front = fronts(cold_app)
    runs = backend.runs
    fast_answer = answer(fast, scope, body)
    assert (fast.wsgi_app.calls, backend.runs - runs) == (1, 1)
    app_answer = answer(plain_front, scope, body)
    assert fast_answer[0] in (400, 403, 406)
    assert same(fast_answer, app_answer)


def test_with_every_runner_busy_a_plain_query_waits_in_a_thread(cold_app):
    """The loop never waits for a runner: the query goes to a lane thread, which waits."""
    backend = cold_app.extensions[endpoint.EXTENSION].backend
    pool = backend.backend.pool
    taken = pool._idle.get()  # the only runner, as if a query held it
    fast, _ = fronts(cold_app)
    on_loop, runs = backend.on_loop, backend.runs
    try:
        with ThreadPoolExecutor(1) as other:
            pending = other.submit(answer, fast, *get("ASK { ?s ?p ?o }"))
            time.sleep(0.3)
            assert not pending.done(), "it should wait for the runner"
            pool._idle.put(taken)
            taken = None
            status, _, body = pending.result(timeout=10)
    finally:
        if taken is not None:
            pool._idle.put(taken)
    assert (status, json.loads(body)["boolean"]) == (200, True)
    assert (backend.on_loop, backend.runs) == (on_loop, runs + 1)
    assert fast.wsgi_app.calls == 0


def test_a_runner_is_left_as_the_thread_path_needs_it(cold_app):
    """uvloop (the loop `napgraph serve` runs) makes a socket it watches non-blocking; a
    runner's must be blocking again afterwards, or a long query or answer sent later from a
    thread fails midway."""
    pool = cold_app.extensions[endpoint.EXTENSION].backend.backend.pool
    fast, _ = fronts(cold_app)
    big = "SELECT ?x { VALUES ?x { " + " ".join(f'"{n:06d}"' for n in range(60_000)) + " } }"
    status, _, body = answer(fast, *post(big.encode(), "application/sparql-query",
                                         {"accept": "text/tab-separated-values"}),
                             run=uvloop.run)
    assert status == 200 and body.count(b"\n") == 4  # the head and 3 rows: MAX_RESULT_ROWS
    assert [os.get_blocking(r.conn.fileno()) for r in list(pool._idle.queue)] == [True]
    result = pool.run(runner_request(big), 10)
    assert result[0] == "ok" and result[3].count(b"\n") == 60_001


def test_the_answer_cache_serves_the_fast_path_and_replays(mini_app):
    """With the cache on, the fast path's GET answer is kept for replay, and the fast path
    answers a POST from the answer the app cached."""
    replays = mini_app.extensions[replay.EXTENSION]
    replays.cache._entries.clear()
    fast, plain_front = fronts(mini_app)
    scope, _ = get("ASK { ?s ?p ?o }", {"accept-encoding": "gzip"})
    first = answer(fast, scope)
    assert replays.get(replays.key(scope)) is not None
    assert same(answer(fast, scope), first) and fast.wsgi_app.calls == 0
    form, body = post(b"query=SELECT+%2A+%7B+%3Fs+%3Fp+%3Fo+%7D", FORM)
    from_app = answer(plain_front, form, body)
    assert same(answer(fast, form, body), from_app) and fast.wsgi_app.calls == 0


# Against a real server.
@pytest.fixture(scope="module")
def fast_server(start_server, tmp_path_factory):
    log = tmp_path_factory.mktemp("fast") / "access.log"
    server = start_server(MINI.read_bytes(), ACCESS_LOG=str(log), CACHE_ENTRIES=0,
                          QUERY_TIMEOUT=1.5, QUERY_RUNNERS=1)
    server.access_log = log
    return server


def logged(server, before: int, count: int) -> list[dict]:
    deadline = time.monotonic() + 10
    while True:
        lines = server.access_log.read_text().splitlines()[before:]
        if len(lines) >= count or time.monotonic() > deadline:
            return [json.loads(line) for line in lines]
        time.sleep(0.05)


def test_a_real_server_answers_and_logs_plain_queries(fast_server):
    before = fast_server.access_log.read_text().count("\n")
    got = requests.get(fast_server.endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
    posted = requests.post(fast_server.endpoint, data="ASK { ?s ?p ?o }", timeout=10,
                           headers={"Content-Type": "application/sparql-query"})
    bad = requests.get(fast_server.endpoint, params={"query": "ASK {"}, timeout=10)
    assert (got.status_code, got.json()["boolean"]) == (200, True)
    assert posted.content == got.content and posted.headers["ETag"] == got.headers["ETag"]
    assert bad.status_code == 400 and "1:6" in bad.text
    assert bad.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    lines = logged(fast_server, before, 3)
    assert [(r["method"], r["status"], r["queries"], r["query_outcome"]) for r in lines] == [
        ("GET", 200, 1, "ok"), ("POST", 200, 1, "ok"), ("GET", 400, 1, "QuerySyntaxError")]
    assert [r["bytes"] for r in lines] == [len(got.content), len(posted.content),
                                           len(bad.content)]


def test_a_runaway_plain_query_times_out_once(fast_server):
    before = fast_server.access_log.read_text().count("\n")
    started = time.monotonic()
    got = requests.get(fast_server.endpoint, params={"query": RUNAWAY_QUERY}, timeout=30)
    took = time.monotonic() - started
    assert got.status_code == 503 and "QUERY_TIMEOUT" in got.text
    assert took < 2 * 1.5, f"{took:.1f} s: the query ran twice"
    (line,) = logged(fast_server, before, 1)
    assert (line["queries"], line["query_outcome"]) == (1, "QueryTimeout")
