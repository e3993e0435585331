"""The WSGI layer under Flask: the request body limit for chunked bodies, and the access log.

- MAX_REQUEST_BYTES holds for chunked bodies too. werkzeug reads a chunked body (one without
  Content-Length) only up to the limit and silently drops the rest, so a long query would be
  run cut short; here such a body is read first and refused with 413 when it is too long.
- ACCESS_LOG: one JSON object per request (time, method, path, status, bytes, duration,
  client, and the time and outcome of the queries it ran), written by a WSGI middleware so
  that the bytes and the time are those of the whole response. `MeteredBackend` wraps the
  app's one backend so that every query, from any view, is timed for it.
"""

from __future__ import annotations

import io
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Flask, has_request_context, request
from werkzeug.wsgi import get_path_info

from .errors import NapgraphError
from .settings import SettingError

EXTENSION = "napgraph.access_log"
QUERIES_KEY = "napgraph.queries"  # WSGI environ key: [(outcome, milliseconds), ...]
MAX_LOGGED_PATH = 2000  # characters; longer paths are cut in the log, marked with "…"


def init_app(app: Flask, log: AccessLog | None) -> None:
    """Put the middleware under the app: chunked bodies within the limit, and `log` if any."""
    app.extensions[EXTENSION] = log
    app.wsgi_app = RequestMiddleware(app.wsgi_app, app, log)  # type: ignore[method-assign]


def open_log(destination: str) -> AccessLog | None:
    """The access log ACCESS_LOG names ("-": standard error), or None when it is empty.

    Raises SettingError when it names a file that cannot be opened.
    """
    return AccessLog(destination) if destination else None


class MeteredBackend:
    """A backend that times each query and notes its outcome for the access log."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)

    def query(self, *args: Any, **kwargs: Any) -> Any:
        """Run the query on the wrapped backend; see store.Backend.query."""
        started = time.perf_counter()
        outcome = "ok"
        try:
            return self._backend.query(*args, **kwargs)
        except NapgraphError as error:
            outcome = type(error).__name__
            raise
        except Exception:
            outcome = "error"
            raise
        finally:
            if has_request_context():
                request.environ.setdefault(QUERIES_KEY, []).append(
                    (outcome, (time.perf_counter() - started) * 1000))


class AccessLog:
    """Writes one JSON line per request to standard error ("-") or appends it to a file.

    The file is rotated from outside (logrotate, docs/settings.md): before each line the log
    checks that its path still names the file it has open, and reopens the path when it was
    renamed or removed, so every worker process moves to the new file by itself (no signal,
    no copytruncate).
    """

    def __init__(self, destination: str) -> None:
        self._lock = threading.Lock()
        self._file = None
        self._path = destination
        if destination != "-":
            try:
                self._file = open(destination, "a", encoding="utf-8")
            except OSError as error:
                raise SettingError(f"setting ACCESS_LOG: cannot open {destination}: "
                                   f"{error.strerror}") from None

    def write(self, record: dict[str, Any]) -> None:
        """Write one record as a line of JSON; non-ASCII and control characters escaped."""
        line = json.dumps(record, separators=(",", ":")) + "\n"
        with self._lock:
            if self._file is not None:
                self._reopen_if_rotated()
            stream = self._file or sys.stderr
            stream.write(line)
            stream.flush()

    def request(self, method: str, path: str, status: int | None, sent: int | None,
                started: float, arrived: datetime, client: str | None,
                queries: list[tuple[str, float]] | None = None) -> None:
        """Write the line of one request: `started` is its perf_counter() on arrival,
        `queries` the (outcome, milliseconds) of the queries it ran."""
        if len(path) > MAX_LOGGED_PATH:
            path = path[:MAX_LOGGED_PATH] + "…"
        record: dict[str, Any] = {
            "time": arrived.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "method": method,
            "path": path,
            "status": status,
            "bytes": sent,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "client": client,
        }
        if queries:
            record["queries"] = len(queries)
            record["query_ms"] = round(sum(ms for _, ms in queries), 2)
            record["query_outcome"] = next((o for o, _ in queries if o != "ok"), "ok")
        self.write(record)

    def _reopen_if_rotated(self) -> None:
        try:
            moved = not os.path.samestat(os.stat(self._path), os.fstat(self._file.fileno()))
        except FileNotFoundError:
            moved = True
        if moved:
            try:
                reopened = open(self._path, "a", encoding="utf-8")
            except OSError:
                return  # keep writing to the old file rather than lose lines
            self._file.close()
            self._file = reopened

    def close(self) -> None:
        """Close the file, if there is one."""
        if self._file is not None:
            self._file.close()


class RequestMiddleware:
    """WSGI middleware: reads chunked bodies within the limit, and logs every request."""

    def __init__(self, wsgi_app: Callable, app: Flask, log: AccessLog | None) -> None:
        self.wsgi_app = wsgi_app
        self.app = app
        self.log = log

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        arrived = datetime.now(UTC)
        _buffer_chunked_body(environ, self.app.config["MAX_CONTENT_LENGTH"])
        if self.log is None:
            return self.wsgi_app(environ, start_response)
        seen: dict[str, Any] = {}

        def recording_start_response(status: str, headers: list, exc_info: Any = None) -> Any:
            seen["status"] = int(status.split(" ", 1)[0])
            seen["length"] = next((int(value) for name, value in headers
                                   if name.lower() == "content-length" and value.isdigit()), None)
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, recording_start_response)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            # A file (a download): leave it to the server's sendfile; log its length now.
            self._write(environ, seen, seen.get("length"), started, arrived)
            return body
        return _LoggedBody(body, lambda sent: self._write(environ, seen, sent, started,
                                                          arrived))

    def _write(self, environ: dict, seen: dict[str, Any], sent: int | None, started: float,
               arrived: datetime) -> None:
        self.log.request(  # type: ignore[union-attr]
            environ.get("REQUEST_METHOD", ""), get_path_info(environ), seen.get("status"), sent,
            started, arrived, environ.get("REMOTE_ADDR"), environ.get(QUERIES_KEY))


class _LoggedBody:
    """Passes a response body through, counting its bytes; logs when the server closes it."""

    def __init__(self, body: Iterable[bytes], done: Callable[[int], None]) -> None:
        self._body = body
        self._done = done
        self._sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._body:
            self._sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._done(self._sent)


def _buffer_chunked_body(environ: dict, limit: int | None) -> None:
    """Read a body sent without Content-Length, and give it one, so the limit applies.

    A body over the limit is kept cut at limit + 1 bytes with that length, so werkzeug
    refuses it with 413 (RequestEntityTooLarge) as soon as a view reads it.
    """
    if (limit is None or environ.get("CONTENT_LENGTH")
            or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower()):
        return
    data = environ["wsgi.input"].read(limit + 1)
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    # werkzeug ignores CONTENT_LENGTH while the request says it is chunked; it no longer is.
    del environ["HTTP_TRANSFER_ENCODING"]
