"""Named errors of the server and the one table that maps them to HTTP.

Each error says what went wrong and where; `register` installs one handler that turns them
(and werkzeug's own HTTP errors) into short `text/plain` answers, or into a small HTML page
(the message, a search box, a link home) for clients that prefer HTML, such as browsers.
Anything else that escapes a view stays a 500: Flask logs it, and the client sees a generic
message, never a traceback.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request
from jinja2 import TemplateError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.routing import BuildError

log = logging.getLogger(__name__)


class NapgraphError(Exception):
    """Base of the errors the server answers on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class QuerySyntaxError(NapgraphError):
    """The SPARQL parser refused the query; the message carries its line and column."""


class QueryTooComplex(NapgraphError):
    """The query nests deeper than MAX_QUERY_NESTING allows."""


class BadProtocolRequest(NapgraphError):
    """The request breaks the SPARQL protocol (no query, two queries, bad encoding...)."""


class UnsupportedMediaType(NapgraphError):
    """A POST body whose Content-Type is neither a form nor application/sparql-query."""


class NotAcceptable(NapgraphError):
    """No format of the result kind fits the Accept header or the `format=` parameter."""


class ReadOnly(NapgraphError):
    """An update was sent to the read-only endpoint."""


class ServiceNotAllowed(NapgraphError):
    """A SERVICE clause names an endpoint that is not on SERVICE_ALLOWLIST (or a variable)."""


class QueryStringTooLong(NapgraphError):
    """The URL query string is longer than MAX_QUERY_STRING_BYTES."""


class QueryTimeout(NapgraphError):
    """The query ran past QUERY_TIMEOUT and its runner was stopped."""


class QueryPreempted(NapgraphError):
    """The query had run QUERY_PREEMPT_AFTER seconds while others waited, and was stopped."""


class RunnersBusy(NapgraphError):
    """Every query runner stayed busy for QUERY_TIMEOUT."""


class RunnerStopped(NapgraphError):
    """The runner died while running the query (most likely its memory limit)."""


class ServiceCallFailed(NapgraphError):
    """An allowed SERVICE endpoint failed or could not be reached."""


class ResourceNotFound(NapgraphError):
    """A path below the dataset's base names an IRI the graph does not know."""


class BadParameter(NapgraphError):
    """A page or canned query was given a parameter value it cannot use."""


class DatasetError(NapgraphError):
    """The configured data cannot be found or loaded (raised at start-up, not per request)."""


class StoreUnavailable(NapgraphError):
    """The remote SPARQL store (STORE_URL) cannot be reached, or did not answer in time."""


class StoreBadAnswer(NapgraphError):
    """The remote SPARQL store answered with an error or with something that does not parse."""


# The one table: error class -> (HTTP status, extra headers).
HTTP_STATUS: dict[type[NapgraphError], tuple[int, dict[str, str]]] = {
    QuerySyntaxError: (400, {}),
    QueryTooComplex: (400, {}),
    BadProtocolRequest: (400, {}),
    BadParameter: (400, {}),
    ResourceNotFound: (404, {}),
    ReadOnly: (403, {}),
    ServiceNotAllowed: (403, {}),
    NotAcceptable: (406, {"Vary": "Accept"}),
    QueryStringTooLong: (414, {}),
    UnsupportedMediaType: (415, {}),
    ServiceCallFailed: (502, {}),
    QueryTimeout: (503, {}),
    RunnersBusy: (503, {"Retry-After": "1"}),
    QueryPreempted: (503, {"Retry-After": "1"}),
    RunnerStopped: (503, {}),
    StoreBadAnswer: (502, {}),
    StoreUnavailable: (503, {"Retry-After": "5"}),
}


def status_of(error: NapgraphError) -> tuple[int, dict[str, str]]:
    """Return the HTTP status and extra headers for an error, by its class or nearest base."""
    for cls in type(error).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    raise LookupError(f"{type(error).__name__} has no HTTP status") from error


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """Build a short text/plain answer, or an HTML page for clients that prefer HTML."""
    if wants_html():
        page = _html_page(status, message)
        if page is not None:
            response = Response(page, status=status, mimetype="text/html", headers=headers)
            response.vary.add("Accept")
            return response
    return Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain",
                    headers=headers)


def wants_html() -> bool:
    """True when the request prefers text/html to text/plain (browsers do; curl does not)."""
    try:
        accept = request.accept_mimetypes
    except RuntimeError:  # outside a request
        return False
    return accept.best_match(["text/plain", "text/html"]) == "text/html"


def _html_page(status: int, message: str) -> str | None:
    try:
        return render_template("error.html", status=status, message=message.strip())
    except (TemplateError, BuildError, LookupError):  # never let the page hide the error
        log.exception("cannot render the HTML error page")
        return None


def register(app: Flask) -> None:
    """Install the handlers that render named errors and HTTP errors as text."""
    # A failing view is a logged 500 with a generic message, even with DEBUG or TESTING on.
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.errorhandler(NapgraphError)
    def _named(error: NapgraphError) -> Response:
        status, headers = status_of(error)
        if status >= 500:
            log.warning("%s: %s", type(error).__name__, error.message)
        return text_response(status, error.message, headers)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge) -> Response:
        limit = app.config["MAX_REQUEST_BYTES"]
        return text_response(413, f"Request Entity Too Large: the request body is over the "
                                  f"{limit}-byte limit (MAX_REQUEST_BYTES)")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        if isinstance(error, InternalServerError):
            return text_response(500, "internal server error; it has been logged")
        response = text_response(error.code or 500, f"{error.name}: {error.description}")
        # Keep headers werkzeug computed, e.g. Allow on 405.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response
