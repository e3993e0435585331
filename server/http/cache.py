"""A bounded, thread-safe LRU cache of serialized answers, and their ETags.

It also keeps whole responses for the front to replay (replay.py): anything with a `body`.

The dataset only changes when it is rebuilt (and the server restarted), so an answer is
fully determined by the dataset version and the normalized request. That also makes the
ETag computable before the query runs: a matching If-None-Match costs no query at all.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Protocol

from napgraph import __version__

GZIP_MIN_BYTES = 512


def make_etag(version: str, key: Hashable) -> str:
    """Return a strong ETag (without quotes) for an answer to `key` on dataset `version`.

    The code version is part of it, since an upgrade may change how answers are written.
    """
    seed = repr((__version__, version, key)).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(seed, digest_size=16).hexdigest()


class Cached(Protocol):
    """What the cache keeps: something whose body counts against CACHE_MAX_BYTES."""

    body: bytes


@dataclass
class Answer:
    """A serialized answer ready to send, with its gzip form computed on first use."""

    body: bytes
    content_type: str
    etag: str | None
    headers: tuple[tuple[str, str], ...] = ()
    _gzipped: bytes | None = field(default=None, repr=False)

    def gzipped(self) -> bytes | None:
        """The body compressed with gzip, or None when it is too small to gain from it."""
        if len(self.body) < GZIP_MIN_BYTES:
            return None
        if self._gzipped is None:
            # mtime=0 keeps the bytes, and so the ETag's meaning, the same across workers.
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


class ResponseCache:
    """Keeps at most `max_entries` answers and `max_bytes` of bodies, dropping the least used."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Cached] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Cached | None:
        """Return the cached answer for `key` (marking it recently used), or None."""
        with self._lock:
            answer = self._entries.get(key)
            if answer is not None:
                self._entries.move_to_end(key)
            return answer

    def put(self, key: Hashable, answer: Cached) -> None:
        """Store an answer unless the cache is off or the body alone exceeds the byte budget."""
        size = len(answer.body)
        if self.max_entries == 0 or size > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous.body)
            self._entries[key] = answer
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._entries)
