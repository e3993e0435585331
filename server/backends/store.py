"""The query backend: the small interface the SPARQL endpoint and the pages need.

`Backend.query` returns an already serialized body, so the endpoint neither knows nor cares
where the query ran: in the embedded store's runner processes (embedded.py) or in a remote
SPARQL store (remote.py, `napgraph serve --store URL`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from ..http.errors import NotAcceptable

# A value bound to a query variable (Backend.query `bindings`).
Term = ox.NamedNode | ox.Literal | ox.BlankNode


@dataclass(frozen=True)
class DatasetInfo:
    """What is loaded: the dataset version and the named graphs with their triple counts."""

    version: str
    graphs: tuple[tuple[str, int], ...]
    quads: int


@dataclass(frozen=True)
class MediaTypes:
    """The media type negotiated for each kind of result; None where nothing fits."""

    select: str | None
    ask: str | None
    graph: str | None


@dataclass(frozen=True)
class QueryResult:
    """A serialized query answer."""

    form: str  # SELECT, ASK or CONSTRUCT (DESCRIBE answers as CONSTRUCT)
    media_type: str
    body: bytes
    truncated: bool
    # False when the answer depends on more than the dataset (a SERVICE call).
    cacheable: bool


class UnacceptableForm(NotAcceptable):
    """The query's form has no negotiated media type; `form` says which form it was."""

    def __init__(self, form: str) -> None:
        super().__init__(f"no acceptable format for {form} results")
        self.form = "CONSTRUCT" if form == "DESCRIBE" else form


class Backend(Protocol):
    """What the SPARQL endpoint needs from a store."""

    info: DatasetInfo

    def query(self, query_text: str, *, default_graph_uris: Sequence[str] | None,
              named_graph_uris: Sequence[str] | None, union_default: bool, timeout: float,
              base_iri: str | None, media_types: MediaTypes, max_rows: int,
              bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Run a read-only query and return its serialized answer.

        `default_graph_uris`/`named_graph_uris` are the protocol dataset (None when the
        request names none); `union_default` makes the default graph the union of all named
        graphs when neither the request nor the query names a dataset. `bindings` gives
        variables (by name, without `?`) a value, as pyoxigraph `substitutions` do; only
        trusted queries (canned and page queries) use it, and pyoxigraph requires each bound
        variable to be projected (SELECT) or used in the template (CONSTRUCT). Raises the
        errors of http/errors.py (QuerySyntaxError, ServiceNotAllowed, UnacceptableForm,
        QueryTimeout, ...).
        """

    def close(self) -> None:
        """Release the backend's resources."""
