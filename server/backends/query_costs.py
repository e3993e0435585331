"""How long each recent query took, so that preempting one wastes less work.

The pool (pool.py) preempts for a waiting query: after QUERY_PREEMPT_AFTER seconds it stops
the longest-running query, throwing its work away, so that a cheap query is not shut out by
runaway ones. A waiting query that took longer than that the last time it ran stops only a
query that has already run longer than it took: stopping a shorter one would throw away
work to start more, which the next waiter could stop in turn. Measured at 10^6 quads under
8 clients sending heavy queries, most of their work was thrown away so (bench/README.md).

Queries are known by a digest of their whole request (text, dataset, bindings, formats): a
query not seen recently is presumed cheap and preempts as before.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

REMEMBERED = 4096  # requests; about 100 KiB


def request_key(payload: bytes) -> bytes:
    """The key of an encoded request (messages.QueryRequest.encode)."""
    return hashlib.blake2b(payload, digest_size=16).digest()


class QueryCosts:
    """The seconds the last run of each of the most recent requests took (or ran before
    it was stopped), in least-recently-used order; safe to share between threads."""

    def __init__(self, size: int = REMEMBERED) -> None:
        self.size = size
        self._seconds: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def record(self, key: bytes, seconds: float) -> None:
        """Note that the request `key` ran `seconds` (finished, or stopped then)."""
        with self._lock:
            self._seconds[key] = seconds
            self._seconds.move_to_end(key)
            if len(self._seconds) > self.size:
                self._seconds.popitem(last=False)

    def last(self, key: bytes) -> float:
        """The seconds the request `key` took the last time; 0.0 if it is not remembered."""
        with self._lock:
            return self._seconds.get(key, 0.0)
