"""The /sparql blueprint: the SPARQL 1.1 Protocol query operation, read-only.

GET with `query=`, POST of a form, or POST of `application/sparql-query` (protocol.py reads
them). Without a query, GET returns the service description, or a query page to browsers.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Flask, Response, current_app, request

from napgraph.graph.canned import CannedQuery

from ..backends.store import Backend, MediaTypes, UnacceptableForm
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
    choices = fmt.negotiate_forms(request.headers.get("Accept", ""), operation.format_key)
    if not any(isinstance(choice, fmt.Format) for choice in choices.values()):
        raise NotAcceptable(choices["SELECT"] if operation.format_key else (
            "none of the media types in the Accept header is available; SELECT results come "
            f"as {', '.join(f.media_type for f in fmt.SELECT_FORMATS)}, CONSTRUCT results as "
            f"{', '.join(f.media_type for f in fmt.GRAPH_FORMATS)}"))
    media_types = MediaTypes(*(choices[form].media_type
                               if isinstance(choices[form], fmt.Format) else None
                               for form in ("SELECT", "ASK", "CONSTRUCT")))
    base_iri = state.settings["BASE_IRI"] or request.base_url
    # The version is in the key: a remote store's data, and so its version, can change.
    key = (state.backend.info.version, base_iri, operation.query, operation.default_graphs,
           operation.named_graphs, media_types)
    etag = make_etag(state.backend.info.version, key)
    vary = ("Accept", "Accept-Encoding")
    unchanged = not_modified(request, etag, vary)
    if unchanged is not None:
        return unchanged
    cached = state.cache.get(key)
    if cached is not None:
        return send(request, cached)
    try:
        result = state.run(operation, base_iri, media_types)
    except UnacceptableForm as refusal:
        raise NotAcceptable(str(choices[refusal.form])) from None
    chosen = next(c for c in choices.values()
                  if isinstance(c, fmt.Format) and c.media_type == result.media_type)
    body, headers = result.body, ()
    if result.truncated:
        rows = state.settings["MAX_RESULT_ROWS"]
        body = fmt.mark_cut(body, chosen.media_type, rows)
        headers = (("X-SPARQL-MaxRows", str(rows)),)
    answer = Answer(body, chosen.content_type, etag if result.cacheable else None, headers)
    if result.cacheable:
        state.cache.put(key, answer)
    return send(request, answer)


def describe(state: Endpoint, format_key: str | None) -> Response:
    """The service description in an RDF format, or the query page for browsers."""
    if request.method == "POST":
        raise BadProtocolRequest("this POST request has no query")
    chosen = fmt.negotiate(fmt.DESCRIPTION_FORMATS, request.accept_mimetypes, format_key,
                           "the service description")
    endpoint = request.base_url
    etag = make_etag(state.backend.info.version, ("description", endpoint, chosen.key,
                                                  request.args.get("example")))
    vary = ("Accept", "Accept-Encoding")
    unchanged = not_modified(request, etag, vary)
    if unchanged is not None:
        return unchanged
    alternates = [{"media_type": f.media_type, "href": f"{request.path}?format={f.key}"}
                  for f in fmt.DESCRIPTION_RDF_FORMATS]
    if chosen is fmt.HTML:
        body = query_page.editor(state, alternates)
    else:
        body = state.description.render(endpoint, chosen.media_type, state.backend.info)
    return send(request, Answer(body, chosen.content_type, etag,
                                (("Link", link_header(alternates)),)), vary)
