"""The gunicorn worker of `napgraph serve`: gthread, with two changes.

1. Security headers on gunicorn's own error responses. gunicorn answers some requests before
   the app sees them: a request line longer than its limit (414), too many or too large
   header fields (431), a malformed request (400). Its `util.write_error` writes those with
   only Content-Type and Content-Length; here they carry the headers every napgraph response
   carries (headers.py).
2. One write per small response. gunicorn sends a response's head and its body with two
   `sendall` calls; for the small answers that most queries and lookups get, those two system
   calls are most of the worker's time (bench/README.md). Here the head is held back and
   sent with the first body bytes, when they are small.

gunicorn looks both up through their modules (`util.write_error`, `wsgi.Response`), so the
worker process replaces them once at start; `napgraph serve` always runs this worker.
"""

from __future__ import annotations

import socket
from typing import Any

from gunicorn import util
from gunicorn.http import wsgi
from gunicorn.workers.gthread import ThreadWorker

from .headers import ERROR_HEADERS

COALESCE_LIMIT = 64 * 1024  # bytes of body sent with the head; larger bodies go on their own


def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's error response, as text, with napgraph's security headers."""
    body = f"{status_int} {reason}: {mesg}\n".encode("utf-8", "replace")
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in ERROR_HEADERS.items())
        + "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1", "replace") + body)


class HeadHoldingSocket:
    """A client socket for one response: its first `sendall` (the head, which gunicorn always
    writes first) is held and sent with the next one if that is small."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._head: bytes | None = None
        self._head_seen = False

    def sendall(self, data: bytes) -> None:
        if not self._head_seen:
            self._head_seen, self._head = True, bytes(data)
            return
        if self._head is not None and len(data) <= COALESCE_LIMIT:
            data, self._head = self._head + data, None
        self.flush()
        self._sock.sendall(data)

    def sendfile(self, *args: Any, **kwargs: Any) -> int:
        self.flush()
        return self._sock.sendfile(*args, **kwargs)

    def flush(self) -> None:
        """Send a head still held (a response without a body, or before a large one)."""
        if self._head is not None:
            head, self._head = self._head, None
            self._sock.sendall(head)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class OneWriteResponse(wsgi.Response):
    """gunicorn's response writer over a HeadHoldingSocket."""

    def __init__(self, req: Any, sock: socket.socket, cfg: Any, *args: Any) -> None:
        super().__init__(req, HeadHoldingSocket(sock), cfg, *args)

    def close(self) -> None:
        super().close()
        self.sock.flush()


class NapgraphWorker(ThreadWorker):
    """gunicorn's threaded worker with napgraph's error responses and one-write responses."""

    def init_process(self) -> None:
        util.write_error = write_error
        wsgi.Response = OneWriteResponse
        super().init_process()
