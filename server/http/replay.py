"""Cached answers replayed by the front on its event loop, without a thread or Flask.

The app marks a response built from a cacheable answer (`responses.send` with an ETag, via
`mark_replayable`): its bytes depend only on the request and the dataset version. The front
(front.py) then keeps that response whole in the app's one answer cache: its status, every
header the app and its hooks set (security headers, CORS, Vary, ETag, Link, X-SPARQL-MaxRows)
and its body. The key is the dataset version and everything the app can read from a request
without a body: method, scheme, server, path, query string and every header field as sent.

When the same request comes again, the front sends those bytes from the event loop: no trip
to a thread, no WSGI, no negotiation. The rules stay in one place (formats.py, headers.py,
responses.py) because a replay is the app's own answer to that very request; a request
that differs in any header byte is a different key and goes to the app. The access log gets
the same line for a replay as the app would write for a cache hit (no queries).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .cache import ResponseCache
from .middleware import AccessLog

EXTENSION = "napgraph.replays"
REPLAYABLE = "napgraph.replayable"  # WSGI environ key, set by the app on replayable answers
# Only these can be replayed: a body-less request (the body is not part of the key).
METHODS = ("GET", "HEAD")
BODY_FIELDS = (b"content-length", b"transfer-encoding")

Scope = dict[str, Any]


def mark_replayable(environ: dict[str, Any]) -> None:
    """Say that the response being built for `environ` is the same for every identical
    request while the dataset version stays the same."""
    environ[REPLAYABLE] = True


@dataclass(frozen=True)
class Replay:
    """A response as the app sent it: ASGI status, headers and the whole body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class Replays:
    """The replayable responses of one app: kept in its answer cache (so CACHE_ENTRIES and
    CACHE_MAX_BYTES bound them too), keyed under the dataset version `version()` reads."""

    def __init__(self, cache: ResponseCache, version: Callable[[], str],
                 log: AccessLog | None) -> None:
        self.cache = cache
        self.version = version
        self.log = log

    def key(self, scope: Scope) -> tuple | None:
        """The key of a request that could be replayed, or None when it may have a body (or
        the cache is off)."""
        if scope["method"] not in METHODS or not self.cache.max_entries:
            return None
        fields = tuple((name, value) for name, value in scope["headers"])
        if any(name in BODY_FIELDS for name, _ in fields):
            return None
        return ("replay", self.version(), scope["method"], scope.get("scheme"),
                scope.get("root_path"), scope.get("server"), scope.get("raw_path"),
                scope.get("query_string"), fields)

    def get(self, key: tuple) -> Replay | None:
        """The kept response for `key`, or None."""
        return self.cache.get(key)  # type: ignore[return-value]

    def keep(self, key: tuple, environ: dict[str, Any], status: int,
             headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        """Keep a whole response under `key` if the app marked it replayable and the dataset
        version is still the one the key names (a reload in between leaves it out)."""
        if environ.get(REPLAYABLE) and self.version() == key[1]:
            self.cache.put(key, Replay(status, headers, body))

    def logged(self, scope: Scope, path: str, replay: Replay, started: float,
               arrived: datetime) -> None:
        """Write the access log line of a replayed answer, as the app would have."""
        if self.log is not None:
            self.log.request(scope["method"], path, replay.status, len(replay.body), started,
                             arrived, (scope.get("client") or ("",))[0])
