"""The HTTP front of `napgraph serve`: Granian reads HTTP, this ASGI adapter runs the app.

Granian (Rust, tokio) owns the sockets: reading a request line and its headers costs no
Python thread, and a client that has not sent its headers within HEADER_TIMEOUT, or sits
idle on a kept-alive connection that long, is closed there. A complete head comes here, on
the worker's asyncio loop, where:

1. a client (its address) with MAX_REQUESTS_PER_CLIENT requests already in this worker is
   answered 429 at once;
2. the body is read on the loop, not in a thread, within BODY_TIMEOUT (408 past it) and
   MAX_REQUEST_BYTES (werkzeug then answers 413);
3. a request the app answered before from its cache is answered again from the loop, with
   the app's own bytes (replay.py);
4. a plain SPARQL query (one `query=`, nothing unusual) is answered by the `shortcut`
   (sparql/fast_path.py), with the app's rules but without Flask's request path: on the
   loop when its answer is cached or a query runner is idle (the runner's reply is awaited
   on the loop), else in a thread of the SPARQL lane; an error it meets goes to the app
   with the request;
5. otherwise the WSGI app (Flask) is called, in one of WORKER_THREADS threads of its lane
   (ad-hoc SPARQL, or the site: pages and canned queries), and its response sent chunk by
   chunk.

So slow or idle clients hold a small tokio task each, never one of the app's threads. The
front's own refusals carry the security headers (headers.py) like every other answer.
"""

from __future__ import annotations

import asyncio
import collections
import io
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import unquote_to_bytes

from . import replay
from .headers import ERROR_HEADERS

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class Shortcut(Protocol):
    """A faster way to answer some requests (sparql/fast_path.py `FastPath`)."""

    def read(self, scope: Scope, body: bytes) -> Any | None:
        """What the request is, if the shortcut answers it; None for the app (on the loop)."""

    async def answer_on_loop(self, request: Any) -> Any | None:
        """Answer what `read` returned on the loop, if that needs no waiting: as `answer`
        does, or None."""

    def answer(self, request: Any) -> Any:
        """Answer what `read` returned (in a lane's thread): an object with `reply` (a
        replay.Replay to send, or None for the app to answer), `replayable` and `handed`
        (WSGI environ entries for the app)."""


class WsgiFront:
    """An ASGI application running `wsgi_app` in a thread pool, with per-client and body
    limits; `settings` are the app's (WORKER_THREADS, BODY_TIMEOUT, MAX_REQUEST_BYTES,
    MAX_REQUESTS_PER_CLIENT); `replays`, if any, keeps and replays its cached answers;
    `shortcut`, if any, answers plain SPARQL queries."""

    def __init__(self, wsgi_app: Callable, settings: Any,
                 replays: replay.Replays | None = None,
                 shortcut: Shortcut | None = None) -> None:
        self.wsgi_app = wsgi_app
        self.replays = replays
        self.shortcut = shortcut
        # Two lanes, each with its own threads: ad-hoc SPARQL (/sparql), and everything else
        # (pages, canned queries, files). Queries that wait for a runner fill only their lane.
        self.lanes = {lane: ThreadPoolExecutor(settings["WORKER_THREADS"],
                                               thread_name_prefix=f"napgraph-{lane}")
                      for lane in ("sparql", "site")}
        self.body_timeout = settings["BODY_TIMEOUT"]
        self.max_body = settings["MAX_REQUEST_BYTES"]
        self.per_client = settings["MAX_REQUESTS_PER_CLIENT"]
        self.active: collections.Counter[str] = collections.Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        refusal = malformed(scope)
        if refusal is not None:
            await refuse(send, *refusal)
            return
        client = (scope.get("client") or ("", 0))[0]
        if self.active[client] >= self.per_client:
            await refuse(send, 429, f"this client already has {self.per_client} requests "
                         "in progress here (MAX_REQUESTS_PER_CLIENT); try again shortly",
                         retry_after=1)
            return
        self.active[client] += 1
        try:
            key = self.replays.key(scope) if self.replays is not None else None
            if key is not None and await self._replayed(key, scope, send):
                return
            try:
                body = await asyncio.wait_for(self._read_body(receive), self.body_timeout)
            except TimeoutError:
                await refuse(send, 408, f"the request body did not arrive within "
                             f"{self.body_timeout:g} s (BODY_TIMEOUT)")
                return
            except Exception:  # Granian could not read it: a malformed chunk, a reset
                await refuse(send, 400, "the request body is malformed")
                return
            if body is None:  # cut short, or framed wrongly: Granian reads either as a disconnect
                await refuse(send, 400, "the request body ended before the length its headers "
                             "announced, or its chunks are malformed; nothing was run")
                return
            lane = "sparql" if scope["path"].rstrip("/") == "/sparql" else "site"
            plain = self.shortcut.read(scope, body) if self.shortcut is not None else None
            if plain is not None:
                await self._shortcut(plain, scope, body, send, key)
                return
            await self._respond(environ_of(scope, body), send, self.lanes[lane], key)
        finally:
            self.active[client] -= 1
            if not self.active[client]:
                del self.active[client]

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The body, cut at MAX_REQUEST_BYTES + 1 (so werkzeug refuses it with 413);
        None when the client disconnected first."""
        chunks, size = [], 0
        while size <= self.max_body:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)[:self.max_body + 1]

    async def _replayed(self, key: tuple, scope: Scope, send: Send) -> bool:
        """Send the app's kept answer to this very request, if there is one; True if sent."""
        kept = self.replays.get(key)  # type: ignore[union-attr]
        if kept is None:
            return False
        started, arrived = time.perf_counter(), datetime.now(UTC)
        await send({"type": "http.response.start", "status": kept.status,
                    "headers": kept.headers})
        await send({"type": "http.response.body", "body": kept.body})
        self.replays.logged(scope, path_info(scope).decode("utf-8", "replace"),  # type: ignore[union-attr]
                            kept, started, arrived)
        return True

    async def _shortcut(self, plain: Any, scope: Scope, body: bytes, send: Send,
                        key: tuple | None) -> None:
        """Answer with the shortcut, on the loop or in the SPARQL lane, or hand the request
        to the app."""
        pool = self.lanes["sparql"]
        outcome = await self.shortcut.answer_on_loop(plain)  # type: ignore[union-attr]
        if outcome is None:
            outcome = await asyncio.get_running_loop().run_in_executor(
                pool, self.shortcut.answer, plain)  # type: ignore[union-attr]
        if outcome.reply is None:
            environ = environ_of(scope, body)
            environ.update(outcome.handed)
            await self._respond(environ, send, pool, key)
            return
        kept = outcome.reply
        await send({"type": "http.response.start", "status": kept.status,
                    "headers": kept.headers})
        await send({"type": "http.response.body", "body": kept.body})
        if key is not None and outcome.replayable:
            self.replays.keep(key, {replay.REPLAYABLE: True}, kept.status,  # type: ignore[union-attr]
                              kept.headers, kept.body)

    async def _respond(self, environ: dict[str, Any], send: Send, pool: ThreadPoolExecutor,
                       key: tuple | None) -> None:
        loop = asyncio.get_running_loop()
        started = await loop.run_in_executor(pool, _start, self.wsgi_app, environ)
        status, headers, body, chunks = started
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if body.done:  # read and closed in the one trip to the thread (most answers)
            whole = b"".join(chunks)
            await send({"type": "http.response.body", "body": whole})
            if key is not None:
                self.replays.keep(key, environ, status, headers, whole)  # type: ignore[union-attr]
            return
        try:
            for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            while (chunk := await loop.run_in_executor(pool, next, body, None)) is not None:
                if chunk:
                    await send({"type": "http.response.body", "body": chunk,
                                "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await loop.run_in_executor(pool, _close, body)


# The longest request target: Granian reads far longer ones; the app's own limit,
# MAX_QUERY_STRING_BYTES, answers 414 with a message below this.
REQUEST_TARGET_LIMIT = 8190
EAGER_BYTES = 256 * 1024  # a response body up to this size is read at once, then sent


def malformed(scope: Scope) -> tuple[int, str] | None:
    """What Granian lets through but the app must not see: a method in lower case (werkzeug
    would read `get` as GET) or a request target over REQUEST_TARGET_LIMIT bytes.
    (status, message) or None."""
    method = scope["method"]
    if method != method.upper():
        return 400, f"HTTP methods are case-sensitive: {method[:20]!r} is not one"
    target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
    if target > REQUEST_TARGET_LIMIT:
        return 414, (f"the request target has {target} bytes, more than "
                     f"{REQUEST_TARGET_LIMIT}; send long queries with POST")
    return None


def _start(wsgi_app: Callable, environ: dict[str, Any]) -> tuple:
    """Call the app and read its response, whole when under EAGER_BYTES (in a pool thread):
    (status, ASGI headers, the body iterator, the chunks read so far)."""
    seen: dict[str, Any] = {}
    written: list[bytes] = []

    def start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
        seen["status"], seen["headers"] = status, headers
        return written.append

    result = wsgi_app(environ, start_response)
    body = _Body(result)
    chunks, size = list(written), 0
    # Read on while the answer is small: most are one chunk, sent and closed without another
    # trip between the event loop and this thread. Larger ones are streamed.
    while "status" not in seen or size < EAGER_BYTES:
        chunk = next(body, None)
        if chunk is None:
            break
        chunks.append(chunk)
        size += len(chunk)
    if body.done:
        _close(body)
    status = int(seen["status"].split(" ", 1)[0])
    headers = [(name.lower().encode("latin-1"), value.encode("latin-1"))
               for name, value in seen["headers"]]
    return status, headers, body, [c for c in chunks if c]


class _Body(Iterator[bytes]):
    """A WSGI response body as an iterator that remembers when it is exhausted."""

    def __init__(self, result: Iterable[bytes]) -> None:
        self.result, self.iterator, self.done = result, iter(result), False

    def __next__(self) -> bytes:
        try:
            return next(self.iterator)
        except StopIteration:
            self.done = True
            raise


def _close(body: _Body) -> None:
    close = getattr(body.result, "close", None)
    if close is not None:
        close()


def path_info(scope: Scope) -> bytes:
    """The request's path, percent-decoded, as bytes (WSGI's PATH_INFO before latin-1)."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    return unquote_to_bytes(raw_path.split(b"?", 1)[0])


def environ_of(scope: Scope, body: bytes) -> dict[str, Any]:
    """The WSGI environ of an ASGI HTTP request whose body has been read."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client") or ("", 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", ""),
        # WSGI paths are bytes as latin-1; werkzeug decodes them as UTF-8 again.
        "PATH_INFO": path_info(scope).decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        # The request target as sent: pages keep IRIs' escapes as written (uri_to_iri.py).
        "RAW_URI": raw_path.decode("latin-1") + (
            "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else ""),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    chunked = False
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").upper(), raw_value.decode("latin-1")
        if name == "CONTENT-TYPE":
            environ["CONTENT_TYPE"] = value
        elif name == "CONTENT-LENGTH":
            environ["CONTENT_LENGTH"] = value
        elif name == "TRANSFER-ENCODING" and "chunked" in value.lower():
            chunked = True  # the body is complete now: it is no longer chunked for the app
        else:
            key = "HTTP_" + name.replace("-", "_")
            environ[key] = f"{environ[key]},{value}" if key in environ else value
    if chunked or "CONTENT_LENGTH" not in environ and body:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


async def refuse(send: Send, status: int, message: str, retry_after: int | None = None) -> None:
    """The front's own answer: a short text with the security headers, connection closed."""
    body = f"{message}\n".encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    headers += [(name.lower().encode(), value.encode()) for name, value in ERROR_HEADERS.items()]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    try:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
    except Exception:  # noqa: S110 - the client is gone: nobody to tell
        pass

