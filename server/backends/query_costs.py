"""How long each recent query took, so that a query known to be heavy waits its turn.

The pool (pool.py) preempts for a waiting query: after QUERY_PREEMPT_AFTER seconds it stops
the longest-running query, throwing its work away, so that a cheap query is not shut out by
runaway ones. When the waiting query is itself known to run past QUERY_PREEMPT_AFTER (it
did the last time it ran), stopping another for it wastes work and gains no fairness: it
would be stopped in turn by the next waiter. Measured at 10^6 quads under 8 clients, most of
the heavy queries' work was thrown away that way (bench/README.md).

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

    def known_heavy(self, key: bytes, threshold: float) -> bool:
        """Whether the request `key` ran `threshold` seconds or more the last time."""
        with self._lock:
            seconds = self._seconds.get(key)
        return seconds is not None and seconds >= threshold
