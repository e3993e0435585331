"""The gunicorn worker of `napgraph serve`: gthread, with security headers on gunicorn's own
error responses.

gunicorn answers some requests before the app sees them: a request line longer than its
limit (414), too many or too large header fields (431), a malformed request (400). Its
`util.write_error` writes those with only Content-Type and Content-Length; here they carry
the headers every napgraph response carries (server/hygiene.py). gunicorn calls
`util.write_error` through the module, so the worker process replaces it once at start.
"""

from __future__ import annotations

import socket

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from .hygiene import NON_HTML_POLICY, REFERRER_POLICY


def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's error response, as text, with napgraph's security headers."""
    body = f"{status_int} {reason}: {mesg}\n".encode("utf-8", "replace")
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Content-Security-Policy: {NON_HTML_POLICY}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        f"Referrer-Policy: {REFERRER_POLICY}\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1", "replace") + body)


class NapgraphWorker(ThreadWorker):
    """gunicorn's threaded worker whose own error responses carry the security headers."""

    def init_process(self) -> None:
        util.write_error = write_error
        super().init_process()

