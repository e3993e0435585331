"""The messages between the runner pool (pool.py) and a query runner (runner.py).

They cross a socket `marshal`-encoded, which takes only plain built-in values: a request is
sent as the plain tuple of its fields and read back into a `QueryRequest`. A reply is a plain
tuple whose first item says what it is: ("ok", form, media type, body, truncated, uses a
SERVICE), or (status, message) for a refusal or failure (embedded.py maps each to its error).
This module imports nothing of the web app: runners import it.
"""

from __future__ import annotations

import marshal
from typing import NamedTuple


class QueryRequest(NamedTuple):
    """One query for a runner, with everything that decides its answer."""

    query: str
    base_iri: str | None
    default_graphs: tuple[str, ...] | None  # the protocol dataset, or None: the query's own
    named_graphs: tuple[str, ...] | None
    union_default: bool  # without a dataset, the default graph is the union of all graphs
    select_type: str | None  # the media type for each query form; None: not acceptable
    ask_type: str | None
    graph_type: str | None  # CONSTRUCT and DESCRIBE
    max_rows: int  # 0: no limit
    bindings: tuple | None = None  # embedded.encode_bindings: a tuple of tuples

    def encode(self) -> bytes:
        """The bytes sent to a runner."""
        return marshal.dumps(tuple(self))

    @classmethod
    def decode(cls, data: bytes) -> QueryRequest:
        """The request a runner received; raises ValueError or TypeError for other bytes."""
        return cls(*marshal.loads(data))
