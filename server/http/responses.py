"""HTTP details shared by the views: conditional requests, gzip, Vary and CORS.

gzip is done here rather than by a WSGI middleware or flask-compress: answers come from
the cache, so each is compressed once and the compressed bytes are cached with it; and the
gzip variant needs its own ETag, which this module already computes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Flask, Request, Response, request

from .cache import Answer
from .replay import mark_replayable

# Headers a browser script may read besides the CORS-safelisted ones.
EXPOSED_HEADERS = "ETag, X-SPARQL-MaxRows, Retry-After, Link"
ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
PREFLIGHT_MAX_AGE = "86400"


def wants_gzip(request: Request) -> bool:
    """True if the client accepts gzip (werkzeug reads Accept-Encoding and its q-values)."""
    return request.accept_encodings["gzip"] > 0


def variant_etag(etag: str, gzipped: bool) -> str:
    """The ETag of the gzip or identity variant of one answer."""
    return f"{etag}-gzip" if gzipped else etag


def not_modified(request: Request, etag: str, vary: Iterable[str]) -> Response | None:
    """Return a 304 if a GET/HEAD request's If-None-Match names either variant of `etag`.

    Both variants carry the same content, so a client holding the identity body need not
    fetch the gzip one (small bodies are never compressed).
    """
    if request.method not in ("GET", "HEAD") or not request.if_none_match:
        return None
    for candidate in (variant_etag(etag, True), etag):
        if request.if_none_match.contains_weak(candidate):
            response = Response(status=304)
            response.set_etag(candidate)
            response.vary.update(vary)
            return response
    return None


def send(request: Request, answer: Answer, vary: Iterable[str] = ("Accept", "Accept-Encoding"),
         status: int = 200) -> Response:
    """Build the response for an answer: gzip if accepted, ETag, Vary and extra headers.

    An answer with an ETag is the same for every identical request on this dataset version,
    so the front may replay this response (replay.py).
    """
    body = answer.body
    etag = answer.etag
    gzipped = answer.gzipped() if wants_gzip(request) else None
    response = Response(gzipped if gzipped is not None else body, status=status,
                        content_type=answer.content_type)
    if gzipped is not None:
        response.content_encoding = "gzip"
    if etag is not None:
        response.set_etag(variant_etag(etag, gzipped is not None))
        mark_replayable(request.environ)
    response.vary.update(vary)
    for name, value in answer.headers:
        response.headers[name] = value
    return response


def init_cors(app: Flask) -> None:
    """Send CORS headers on every response, as CORS_ORIGINS says ("*", a list, or "")."""

    @app.after_request
    def _cors(response: Response) -> Response:
        origins = app.config["CORS_ORIGINS"]
        if not origins:
            return response
        if origins == "*":
            response.headers["Access-Control-Allow-Origin"] = "*"
        else:
            response.vary.add("Origin")
            origin = request.headers.get("Origin")
            if origin not in origins:
                return response
            response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            requested = request.headers.get("Access-Control-Request-Headers")
            if requested:
                # The endpoint is public and never uses credentials, so any header may come.
                response.headers["Access-Control-Allow-Headers"] = requested
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        return response


def link_header(alternates: Iterable[Mapping[str, str]]) -> str:
    """A `Link` header value naming each alternate (`href`, `media_type`) of a document."""
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"'
                     for a in alternates)
