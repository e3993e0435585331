"""The SPARQL fast path: plain protocol queries answered beside Flask, not through it.

Most requests to /sparql are plain: GET with one `query=` parameter, or POST of one query
(`application/sparql-query`, or a form with one `query=` field), a Host header, maybe Accept,
Accept-Encoding and Origin. The front (http/front.py) hands each request to `FastPath.read`
on its event loop once the body has arrived; a plain one comes back as a `Plain` request and
is answered by `FastPath.answer`, in a thread of the front's SPARQL lane, with the app's own
rules, called without a Flask request: negotiation and the answer's key
(endpoint.negotiated), the answer cache, the query with its time and row limits
(protocol.Endpoint.run: the runners' guard and SERVICE allow-list), the cut-result markers
(endpoint.answer_of), the answer's header fields (responses.answer_fields, cors_fields;
headers.headers_for) and the access log line.

Anything else goes to Flask as before (`read` returns None): other parameters (format=,
default-graph-uri, …), HEAD, conditional requests, chunked bodies, repeated header fields,
anything the protocol refuses, an Accept header with nothing acceptable. When the query
itself fails (syntax, guard, time, runners), the app answers that error too, from the
error the fast path met (endpoint.HANDED_OVER): the query is not run twice.
tests/test_fast_path.py checks that both paths give the same answers.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast
from urllib.parse import parse_qsl

from werkzeug.http import parse_options_header
from werkzeug.sansio.utils import get_current_url, get_host

from ..http.cache import Answer
from ..http.errors import BadProtocolRequest, NapgraphError, NotAcceptable
from ..http.front import path_info
from ..http.headers import headers_for
from ..http.middleware import QUERIES_KEY, AccessLog
from ..http.replay import Replay
from ..http.responses import accepts_gzip, answer_fields, cors_fields
from .endpoint import HANDED_OVER, VARY, Negotiated, answer_of, negotiated
from .protocol import FORM_TYPE, QUERY_TYPE, Endpoint, Operation, check_utf8

PATH = b"/sparql"
# Header fields the app reads; a request that repeats one goes to the app.
READ_FIELDS = frozenset({b"host", b"accept", b"accept-encoding", b"origin", b"content-type",
                         b"content-length"})
# Header fields whose handling the fast path leaves to the app: conditional requests,
# ranges, chunked bodies.
APP_FIELDS = frozenset({b"transfer-encoding", b"range", b"expect"})
CHARSETS = ("utf-8", "utf8")
LOOP_BYTES = 64 * 1024  # a larger answer is compressed in a thread, not on the event loop


@dataclass(frozen=True)
class Plain:
    """A plain query request: its operation, negotiated, and what its answer depends on."""

    method: str
    operation: Operation
    plan: Negotiated
    accept_encoding: str
    origin: str | None
    client: str


@dataclass
class Outcome:
    """What `FastPath.answer` did: the response sent as `reply`, or None when the app is to
    answer, with `handed` put in its WSGI environ; `replayable` when the front may keep the
    reply (replay.py)."""

    reply: Replay | None
    replayable: bool = False
    handed: dict[str, Any] = field(default_factory=dict)


class FastPath:
    """The fast path of one app's /sparql endpoint."""

    def __init__(self, state: Endpoint, settings: Mapping[str, Any],
                 log: AccessLog | None) -> None:
        self.state = state
        self.log = log
        self.origins = settings["CORS_ORIGINS"]
        self.max_body = settings["MAX_REQUEST_BYTES"]
        self.max_query_string = settings["MAX_QUERY_STRING_BYTES"]
        # Flask checks the Host header against TRUSTED_HOSTS, when set: the app does that.
        self.enabled = not settings.get("TRUSTED_HOSTS")

    def read(self, scope: dict[str, Any], body: bytes) -> Plain | None:
        """The plain query request `scope` with `body` is, or None for the app to answer
        (on the event loop: no I/O)."""
        if not self.enabled or path_info(scope) != PATH or scope.get("root_path"):
            return None
        fields: dict[bytes, str] = {}
        for name, value in scope["headers"]:
            if name in APP_FIELDS or name.startswith(b"if-"):
                return None
            if name in READ_FIELDS:
                if name in fields:
                    return None
                fields[name] = value.decode("latin-1")
        query = self._query(scope["method"], scope.get("query_string") or b"", fields, body)
        base_url = _base_url(scope.get("scheme", "http"), fields.get(b"host"))
        if query is None or base_url is None:
            return None
        operation = Operation(query, None, None, None)
        try:
            plan = negotiated(self.state, operation, fields.get(b"accept", ""), base_url)
        except NotAcceptable:
            return None
        return Plain(scope["method"], operation, plan, fields.get(b"accept-encoding", ""),
                     fields.get(b"origin"), (scope.get("client") or ("",))[0])

    def _query(self, method: str, query_string: bytes, fields: dict[bytes, str],
               body: bytes) -> str | None:
        """The one query of a plain GET or POST, or None."""
        if method == "GET":
            if body or len(query_string) > self.max_query_string:
                return None
            return _one_query(query_string)
        if method != "POST" or query_string or len(body) > self.max_body:
            return None
        if fields.get(b"content-length") != str(len(body)):
            return None
        media_type, options = parse_options_header(fields.get(b"content-type", ""))
        if options.get("charset", "utf-8").lower() not in CHARSETS:
            return None
        if media_type.lower() == FORM_TYPE:
            return _one_query(body)
        if media_type.lower() != QUERY_TYPE:
            return None
        try:
            query = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
        return query if query.strip() else None

    def answer(self, plain: Plain) -> Outcome:
        """Answer a plain request from the cache or by running its query, and log it (in a
        thread of the front's SPARQL lane: the query may wait for a runner)."""
        started, arrived = time.perf_counter(), datetime.now(UTC)
        cached = self._cached(plain)
        if cached is not None:
            return self._reply(plain, cached, None, started, arrived)
        ran = time.perf_counter()
        try:
            result = self.state.run(plain.operation, plain.plan.base_iri, plain.plan.media_types)
        except Exception as error:  # the app answers it, as every error it meets
            return _failed(plain, error, ran)
        return self._reply(plain, answer_of(self.state, plain.plan, result),
                           [("ok", (time.perf_counter() - ran) * 1000)], started, arrived)

    async def answer_on_loop(self, plain: Plain) -> Outcome | None:
        """Answer a plain request on the event loop, without a thread, if its answer is
        cached or a query runner is idle right now (protocol.Endpoint.run_on_loop); None
        if not: then `answer`, in a thread, waits for one."""
        started, arrived = time.perf_counter(), datetime.now(UTC)
        cached = self._cached(plain)
        if cached is not None:
            return await self._reply_on_loop(plain, cached, None, started, arrived)
        ran = time.perf_counter()
        try:
            result = await self.state.run_on_loop(plain.operation, plain.plan.base_iri,
                                                  plain.plan.media_types)
        except Exception as error:  # the app answers it, as every error it meets
            return _failed(plain, error, ran)
        if result is None:
            return None
        return await self._reply_on_loop(plain, answer_of(self.state, plain.plan, result),
                                         [("ok", (time.perf_counter() - ran) * 1000)],
                                         started, arrived)

    def _cached(self, plain: Plain) -> Answer | None:
        return cast(Answer | None, self.state.cache.get(plain.plan.key))

    async def _reply_on_loop(self, plain: Plain, answer: Answer,
                             queries: list[tuple[str, float]] | None, started: float,
                             arrived: datetime) -> Outcome:
        """`_reply`, in a thread when the body is large (gzip takes a while)."""
        if len(answer.body) <= LOOP_BYTES:
            return self._reply(plain, answer, queries, started, arrived)
        return await asyncio.get_running_loop().run_in_executor(
            None, self._reply, plain, answer, queries, started, arrived)

    def _reply(self, plain: Plain, answer: Answer, queries: list[tuple[str, float]] | None,
               started: float, arrived: datetime) -> Outcome:
        """The response to send for `answer`, logged."""
        cors, vary_origin = cors_fields(self.origins, plain.origin)
        body, fields = answer_fields(answer, accepts_gzip(plain.accept_encoding),
                                     (*VARY, "Origin") if vary_origin else VARY)
        fields.append(("Content-Length", str(len(body))))
        fields += headers_for(answer.content_type.split(";", 1)[0].strip().lower()).items()
        fields += cors
        if self.log is not None:
            self.log.request(plain.method, PATH.decode(), 200, len(body), started, arrived,
                             plain.client, queries)
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1"))
                   for name, value in fields]
        return Outcome(Replay(200, headers, body), replayable=answer.etag is not None)


def _failed(plain: Plain, error: Exception, ran: float) -> Outcome:
    """Hand a query's error to the app, with the query's line for the access log."""
    outcome = type(error).__name__ if isinstance(error, NapgraphError) else "error"
    took = (time.perf_counter() - ran) * 1000
    return Outcome(None, handed={HANDED_OVER: (plain.plan.key, error),
                                 QUERIES_KEY: [(outcome, took)]})


@functools.lru_cache(maxsize=64)
def _base_url(scheme: str, host_header: str | None) -> str | None:
    """The endpoint's URL as werkzeug's `request.base_url` reads it from the Host header,
    or None when the header is missing or invalid (clients send few distinct values)."""
    host = get_host(scheme, host_header)
    return get_current_url(scheme, host, "", "/sparql") if host else None


def _one_query(encoded: bytes) -> str | None:
    """The value of `query` in a URL-encoded string holding that one parameter, as werkzeug
    reads it (invalid UTF-8 is the app's to refuse), or None."""
    try:
        check_utf8(encoded, "")
    except BadProtocolRequest:
        return None
    params = parse_qsl(encoded.decode("utf-8"), keep_blank_values=True)
    if len(params) != 1 or params[0][0] != "query" or not params[0][1].strip():
        return None
    return params[0][1]
