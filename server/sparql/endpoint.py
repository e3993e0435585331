"""The /sparql blueprint: the SPARQL 1.1 Protocol query operation, read-only.

GET with `query=`, POST of a form, or POST of `application/sparql-query` (protocol.py reads
them). Without a query, GET returns the service description, or a query page to browsers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from napgraph.graph.canned import CannedQuery

from ..backends.store import Backend, MediaTypes, QueryResult, UnacceptableForm
from ..http import formats as fmt
from ..http.cache import Answer, ResponseCache, make_etag
from ..http.errors import BadProtocolRequest, NotAcceptable
from ..http.responses import link_header, not_modified, send
from . import query_page
from .protocol import Endpoint, Operation, read_operation
from .service_description import ServiceDescription, template_path

bp = Blueprint("sparql", __name__)
EXTENSION = "napgraph.sparql"


def init_app(app: Flask, backend: Backend, cache: ResponseCache,
             examples: Mapping[str, CannedQuery]) -> None:
    """Serve /sparql from `backend`, caching answers in `cache`; `examples` are the canned
    queries the query page offers."""
    settings = app.config
    description = ServiceDescription(
        template_path(settings["SERVICE_DESCRIPTION_TEMPLATE"]), backend.info,
        (*fmt.SELECT_FORMATS, *fmt.GRAPH_FORMATS), federated=bool(settings["SERVICE_ALLOWLIST"]))
    app.extensions[EXTENSION] = Endpoint(backend, cache, description, settings, examples)
    app.register_blueprint(bp)


def _endpoint() -> Endpoint:
    return current_app.extensions[EXTENSION]


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Answer a SPARQL query, or describe the service when there is none."""
    state = _endpoint()
    operation = read_operation(request, state.settings)
    if operation.query is None:
        return describe(state, operation.format_key)
    if operation.format_key == fmt.HTML.key:  # the query page with its results as a table
        return query_page.results(state, operation)
    return answer_query(state, operation)


def answer_query(state: Endpoint, operation: Operation) -> Response:
    """Negotiate, then answer from the cache or the backend, honouring If-None-Match."""
    plan = negotiated(state, operation, request.headers.get("Accept", ""), request.base_url)
    unchanged = not_modified(request, plan.etag, VARY)
    if unchanged is not None:
        return unchanged
    cached = state.cache.get(plan.key)
    if cached is not None:
        return send(request, cached)
    try:
        raise_handed_over(request.environ, plan.key)
        result = state.run(operation, plan.base_iri, plan.media_types)
    except UnacceptableForm as refusal:
        raise NotAcceptable(str(plan.choices[refusal.form])) from None
    return send(request, answer_of(state, plan, result))


VARY = ("Accept", "Accept-Encoding")
# WSGI environ key: (answer key, error) of a query the fast path (fast_path.py) ran and saw
# fail, handed to the app to answer as it answers every error.
HANDED_OVER = "napgraph.sparql.failed"


@dataclass(frozen=True)
class Negotiated:
    """What the answer to an operation is keyed by and will be written as."""

    choices: dict[str, fmt.Format | str]  # each query form's format, or the 406 message
    media_types: MediaTypes
    base_iri: str
    key: tuple  # the answer cache's key
    etag: str


def negotiated(state: Endpoint, operation: Operation, accept: str,
               base_url: str) -> Negotiated:
    """Negotiate the formats of an operation's answer (`accept`: the Accept header) and key
    it; `base_url` is the request's URL without its query string. Raises NotAcceptable."""
    choices = fmt.negotiate_forms(accept, operation.format_key)
    if not any(isinstance(choice, fmt.Format) for choice in choices.values()):
        raise NotAcceptable(choices["SELECT"] if operation.format_key else (
            "none of the media types in the Accept header is available; SELECT results come "
            f"as {', '.join(f.media_type for f in fmt.SELECT_FORMATS)}, CONSTRUCT results as "
            f"{', '.join(f.media_type for f in fmt.GRAPH_FORMATS)}"))
    media_types = MediaTypes(*(choices[form].media_type  # type: ignore[union-attr]
                               if isinstance(choices[form], fmt.Format) else None
                               for form in ("SELECT", "ASK", "CONSTRUCT")))
    base_iri = state.settings["BASE_IRI"] or base_url
    # The version is in the key: a remote store's data, and so its version, can change.
    key = (state.backend.info.version, base_iri, operation.query, operation.default_graphs,
           operation.named_graphs, media_types)
    return Negotiated(choices, media_types, base_iri, key,
                      make_etag(state.backend.info.version, key))


def answer_of(state: Endpoint, plan: Negotiated, result: QueryResult) -> Answer:
    """The answer to send for a query's result: a cut result says so (fmt.mark_cut and
    X-SPARQL-MaxRows); one that depends on the dataset alone is cached, with an ETag."""
    chosen = next(c for c in plan.choices.values()
                  if isinstance(c, fmt.Format) and c.media_type == result.media_type)
    body, headers = result.body, ()
    if result.truncated:
        rows = state.settings["MAX_RESULT_ROWS"]
        body = fmt.mark_cut(body, chosen.media_type, rows)
        headers = (("X-SPARQL-MaxRows", str(rows)),)
    answer = Answer(body, chosen.content_type, plan.etag if result.cacheable else None, headers)
    if result.cacheable:
        state.cache.put(plan.key, answer)
    return answer


def raise_handed_over(environ: Mapping[str, Any], key: tuple) -> None:
    """Raise the error the fast path met running this very query (HANDED_OVER), if any:
    the app answers it without running the query again (a query that timed out once would
    wait its time out twice)."""
    handed = environ.get(HANDED_OVER)
    if handed is not None and handed[0] == key:
        raise handed[1]


def describe(state: Endpoint, format_key: str | None) -> Response:
    """The service description in an RDF format, or the query page for browsers."""
    if request.method == "POST":
        raise BadProtocolRequest("this POST request has no query")
    chosen = fmt.negotiate(fmt.DESCRIPTION_FORMATS, request.accept_mimetypes, format_key,
                           "the service description")
    endpoint = request.base_url
    etag = make_etag(state.backend.info.version, ("description", endpoint, chosen.key,
                                                  request.args.get("example")))
    unchanged = not_modified(request, etag, VARY)
    if unchanged is not None:
        return unchanged
    alternates = [{"media_type": f.media_type, "href": f"{request.path}?format={f.key}"}
                  for f in fmt.DESCRIPTION_RDF_FORMATS]
    if chosen is fmt.HTML:
        body = query_page.editor(state, alternates)
    else:
        body = state.description.render(endpoint, chosen.media_type, state.backend.info)
    return send(request, Answer(body, chosen.content_type, etag,
                                (("Link", link_header(alternates)),)), VARY)
