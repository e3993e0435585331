"""The /sparql blueprint: the SPARQL 1.1 Protocol query operation, read-only.

GET with `query=`, POST of a form, or POST of `application/sparql-query`; `default-graph-uri`
and `named-graph-uri` set the dataset (overriding FROM/FROM NAMED in the query). Without a
query, GET returns the service description, or a query page to browsers. Updates are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Request, Response, current_app, request

from . import formats as fmt
from . import sparql_page
from .cache import Answer, ResponseCache, make_etag
from .errors import (
    BadProtocolRequest,
    NotAcceptable,
    QueryStringTooLong,
    ReadOnly,
    UnsupportedMediaType,
)
from .remote import RemoteBackend
from .responses import not_modified, send
from .service_description import ServiceDescription, template_path
from .store import Backend, EmbeddedBackend, MediaTypes, QueryResult, UnacceptableForm

bp = Blueprint("sparql", __name__)
EXTENSION = "napgraph.sparql"
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"


@dataclass
class Endpoint:
    """The per-app state of the endpoint."""

    backend: Backend
    cache: ResponseCache
    description: ServiceDescription
    settings: Mapping[str, Any]

    def run(self, operation: Operation, base_iri: str | None,
            media_types: MediaTypes) -> QueryResult:
        """Run a protocol operation on the backend with the endpoint's time and row limits;
        raises the backend's errors."""
        return self.backend.query(
            operation.query, default_graph_uris=operation.default_graphs,
            named_graph_uris=operation.named_graphs, union_default=True,
            timeout=self.settings["QUERY_TIMEOUT"], base_iri=base_iri,
            media_types=media_types, max_rows=self.settings["MAX_RESULT_ROWS"])


@dataclass(frozen=True)
class Operation:
    """A query request as the protocol defines it."""

    query: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    format_key: str | None


def init_app(app: Flask, backend: Backend | None = None) -> None:
    """Open the backend (the remote store at STORE_URL, or else start the query runners) and
    register the blueprint."""
    settings = app.config
    if backend is None:
        backend = (RemoteBackend.from_settings(settings) if settings["STORE_URL"]
                   else EmbeddedBackend.from_settings(settings))
    description = ServiceDescription(
        template_path(settings["SERVICE_DESCRIPTION_TEMPLATE"]), backend.info,
        (*fmt.SELECT_FORMATS, *fmt.GRAPH_FORMATS), federated=bool(settings["SERVICE_ALLOWLIST"]))
    app.extensions[EXTENSION] = Endpoint(
        backend, ResponseCache(settings["CACHE_ENTRIES"], settings["CACHE_MAX_BYTES"]),
        description, settings)
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
        return sparql_page.results(state, operation)
    return answer_query(state, operation)


def read_operation(req: Request, settings: Mapping[str, Any]) -> Operation:
    """Read the query operation from a request, refusing updates and protocol errors.

    Raises QueryStringTooLong, ReadOnly, UnsupportedMediaType, BadProtocolRequest, or
    werkzeug's RequestEntityTooLarge when the body is over MAX_REQUEST_BYTES.
    """
    if len(req.query_string) > settings["MAX_QUERY_STRING_BYTES"]:
        raise QueryStringTooLong(f"the URL query string has {len(req.query_string)} bytes, "
                                 f"more than {settings['MAX_QUERY_STRING_BYTES']}; send long "
                                 "queries with POST")
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
        if media_type == FORM_TYPE:
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
                queries = [req.get_data(cache=False).decode("utf-8-sig")]
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
    return Operation(
        query=queries[0] if queries else None,
        # The protocol dataset is a set of graphs: order and repeats do not matter.
        default_graphs=tuple(sorted(set(default_graphs))) if has_dataset else None,
        named_graphs=tuple(sorted(set(named_graphs))) if has_dataset else None,
        format_key=format_key,
    )


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
    headers = ((("X-SPARQL-MaxRows", str(state.settings["MAX_RESULT_ROWS"])),)
               if result.truncated else ())
    answer = Answer(result.body, chosen.content_type, etag if result.cacheable else None,
                    headers)
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
        body = sparql_page.editor(state, alternates)
    else:
        body = state.description.render(endpoint, chosen.media_type, state.backend.info)
    links = ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"'
                      for a in alternates)
    return send(request, Answer(body, chosen.content_type, etag, (("Link", links),)), vary)
