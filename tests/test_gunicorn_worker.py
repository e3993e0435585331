"""server/http/gunicorn_worker.py, the socket wrapper on its own: a response's head goes out with
its first (small) body bytes, in one system call. Through a real server (HEAD, 304, sendfile,
errors on one kept-alive connection, and gunicorn's own error answers):
test_http_hygiene.py."""

from __future__ import annotations

from napgraph.server.http.gunicorn_worker import COALESCE_LIMIT, HeadHoldingSocket


class RecordingSocket:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes]] = []

    def sendall(self, data: bytes) -> None:
        self.calls.append(("sendall", bytes(data)))

    def sendfile(self, *args, **kwargs) -> int:
        self.calls.append(("sendfile", b""))
        return 0

    def fileno(self) -> int:
        return 42


def test_head_and_small_body_are_one_write():
    raw = RecordingSocket()
    sock = HeadHoldingSocket(raw)
    sock.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
    assert raw.calls == []
    sock.sendall(b"true")
    sock.sendall(b" more")
    sock.flush()
    assert raw.calls == [("sendall", b"HTTP/1.1 200 OK\r\n\r\ntrue"), ("sendall", b" more")]


def test_a_large_body_goes_after_the_head_uncopied():
    raw = RecordingSocket()
    sock = HeadHoldingSocket(raw)
    body = b"x" * (COALESCE_LIMIT + 1)
    sock.sendall(b"HEAD")
    sock.sendall(body)
    assert raw.calls == [("sendall", b"HEAD"), ("sendall", body)]


def test_a_response_without_body_sends_its_head_on_flush():
    raw = RecordingSocket()
    sock = HeadHoldingSocket(raw)
    sock.sendall(b"HTTP/1.1 304 Not Modified\r\n\r\n")
    sock.flush()
    sock.flush()
    assert raw.calls == [("sendall", b"HTTP/1.1 304 Not Modified\r\n\r\n")]


def test_sendfile_sends_the_head_first():
    raw = RecordingSocket()
    sock = HeadHoldingSocket(raw)
    sock.sendall(b"HEAD")
    sock.sendfile(None, offset=0, count=10)
    assert raw.calls == [("sendall", b"HEAD"), ("sendfile", b"")]


def test_other_attributes_are_the_sockets():
    assert HeadHoldingSocket(RecordingSocket()).fileno() == 42
