"""The SPARQL 1.1 Protocol query operation: reading it from a request, and running it.

GET with `query=`, POST of a form, or POST of `application/sparql-query`; `default-graph-uri`
and `named-graph-uri` set the dataset (overriding FROM/FROM NAMED in the query). Updates are
refused here, before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Request

from napgraph.graph.canned import CannedQuery

from ..backends.query_parse import READ_ONLY
from ..backends.store import Backend, MediaTypes, QueryResult
from ..http.cache import ResponseCache
from ..http.errors import BadProtocolRequest, QueryStringTooLong, ReadOnly, UnsupportedMediaType
from .service_description import ServiceDescription

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@dataclass
class Endpoint:
    """The per-app state of the endpoint."""

    backend: Backend
    cache: ResponseCache
    description: ServiceDescription
    settings: Mapping[str, Any]
    examples: Mapping[str, CannedQuery]  # the canned queries, shown on the query page

    def run(self, operation: Operation, base_iri: str | None,
            media_types: MediaTypes) -> QueryResult:
        """Run a protocol operation on the backend with the endpoint's time and row limits;
        raises the backend's errors."""
        return self.backend.query(
            operation.query, default_graph_uris=operation.default_graphs,
            named_graph_uris=operation.named_graphs, union_default=True,
            timeout=self.settings["QUERY_TIMEOUT"], base_iri=base_iri,
            media_types=media_types, max_rows=self.settings["MAX_RESULT_ROWS"])


    async def run_on_loop(self, operation: Operation, base_iri: str | None,
                          media_types: MediaTypes) -> QueryResult | None:
        """Run a protocol operation without a dataset from an asyncio event loop, as `run`
        would, if the backend can (the embedded store, a runner idle now); else None."""
        query_on_loop = getattr(self.backend, "query_on_loop", None)
        if (query_on_loop is None or operation.default_graphs is not None
                or operation.named_graphs is not None):
            return None
        return await query_on_loop(operation.query, timeout=self.settings["QUERY_TIMEOUT"],
                                   base_iri=base_iri, media_types=media_types,
                                   max_rows=self.settings["MAX_RESULT_ROWS"])


@dataclass(frozen=True)
class Operation:
    """A query request as the protocol defines it."""

    query: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    format_key: str | None


def read_operation(req: Request, settings: Mapping[str, Any]) -> Operation:
    """Read the query operation from a request, refusing updates and protocol errors.

    Raises QueryStringTooLong, ReadOnly, UnsupportedMediaType, BadProtocolRequest, or
    werkzeug's RequestEntityTooLarge when the body is over MAX_REQUEST_BYTES.
    """
    if len(req.query_string) > settings["MAX_QUERY_STRING_BYTES"]:
        raise QueryStringTooLong(f"the URL query string has {len(req.query_string)} bytes, "
                                 f"more than {settings['MAX_QUERY_STRING_BYTES']}; send long "
                                 "queries with POST")
    check_utf8(req.query_string, "the URL query string")
    params = [req.args]
    if "update" in req.args:
        raise ReadOnly(READ_ONLY)
    queries = req.args.getlist("query")
    if req.method == "POST":
        media_type = req.mimetype
        if media_type == UPDATE_TYPE:
            raise ReadOnly(READ_ONLY)
        if media_type not in (FORM_TYPE, QUERY_TYPE):
            raise UnsupportedMediaType(
                f"POST a query as {FORM_TYPE} (query=...) or as {QUERY_TYPE}; got "
                f"{req.content_type or 'no Content-Type'}")
        charset = req.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise UnsupportedMediaType(f"requests must be UTF-8, not {charset}")
        body = _whole_body(req)
        if media_type == FORM_TYPE:
            check_utf8(body, "the form")
            if "update" in req.form:
                raise ReadOnly(READ_ONLY)
            params.append(req.form)
            queries += req.form.getlist("query")
        else:
            if queries:
                raise BadProtocolRequest(f"a {QUERY_TYPE} request carries its query in the "
                                         "body; do not also send query= in the URL")
            try:
                # A byte order mark is how some editors start a UTF-8 file: not part of it.
                queries = [body.decode("utf-8-sig")]
            except UnicodeDecodeError as error:
                raise BadProtocolRequest(f"the request body is not valid UTF-8 (byte "
                                         f"{error.start})") from None
    if len(queries) > 1:
        raise BadProtocolRequest(f"send exactly one query; this request has {len(queries)}")
    if queries and not queries[0].strip():
        raise BadProtocolRequest("the query is empty")
    default_graphs = [iri for p in params for iri in p.getlist("default-graph-uri")]
    named_graphs = [iri for p in params for iri in p.getlist("named-graph-uri")]
    has_dataset = bool(default_graphs or named_graphs)
    format_key = next((p["format"] for p in params if p.get("format")), None)
    if not queries and has_dataset:
        raise BadProtocolRequest("default-graph-uri and named-graph-uri choose the dataset of a "
                                 "query; this request has no query")
    return Operation(
        query=queries[0] if queries else None,
        # The protocol dataset is a set of graphs: order and repeats do not matter.
        default_graphs=tuple(sorted(set(default_graphs))) if has_dataset else None,
        named_graphs=tuple(sorted(set(named_graphs))) if has_dataset else None,
        format_key=format_key,
    )


def _whole_body(req: Request) -> bytes:
    """The request body, kept for form parsing; refused when it ended before its
    Content-Length (a client that gave up, or lied: what arrived is not the query it meant).

    Raises BadProtocolRequest, or RequestEntityTooLarge over MAX_REQUEST_BYTES.
    """
    body = req.get_data(cache=True)
    expected = req.content_length
    if expected is not None and len(body) < expected:
        raise BadProtocolRequest(f"the request body ended after {len(body)} of the "
                                 f"{expected} bytes its Content-Length announced")
    return body


def check_utf8(encoded: bytes, what: str) -> None:
    """Refuse percent-encoded text that is not UTF-8, as a body that is not UTF-8 is refused
    (werkzeug would decode it with replacement characters, changing the query).

    Raises BadProtocolRequest.
    """
    if not encoded or (b"%" not in encoded and encoded.isascii()):
        return
    try:
        unquote_to_bytes(encoded).decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadProtocolRequest(f"{what} is not valid UTF-8 once percent-decoded (byte "
                                 f"{error.start})") from None
