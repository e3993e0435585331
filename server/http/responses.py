"""HTTP details shared by the views: conditional requests, gzip, Vary and CORS.

gzip is done here rather than by a WSGI middleware or flask-compress: answers come from
the cache, so each is compressed once and the compressed bytes are cached with it; and the
gzip variant needs its own ETag, which this module already computes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence

from flask import Flask, Request, Response, request
from werkzeug.datastructures import Accept
from werkzeug.http import parse_accept_header, quote_etag

from .cache import Answer
from .replay import mark_replayable

# Headers a browser script may read besides the CORS-safelisted ones.
EXPOSED_HEADERS = "ETag, X-SPARQL-MaxRows, Retry-After, Link"
ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
PREFLIGHT_MAX_AGE = "86400"


def wants_gzip(request: Request) -> bool:
    """True if the client accepts gzip (werkzeug reads Accept-Encoding and its q-values)."""
    return accepts_gzip(request.headers.get("Accept-Encoding", ""))


@functools.lru_cache(maxsize=64)
def accepts_gzip(accept_encoding: str) -> bool:
    """True if this Accept-Encoding header value accepts gzip (clients send few distinct
    values, so the answers are kept by value)."""
    return parse_accept_header(accept_encoding, Accept)["gzip"] > 0


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
    body, fields = answer_fields(answer, wants_gzip(request), vary)
    if answer.etag is not None:
        mark_replayable(request.environ)
    return Response(body, status=status, headers=fields)


def answer_fields(answer: Answer, gzip_accepted: bool,
                  vary: Iterable[str] = ("Accept", "Accept-Encoding"),
                  ) -> tuple[bytes, list[tuple[str, str]]]:
    """The body to send for an answer (gzipped if accepted and worth it) and its header
    fields but Content-Length: Content-Type, Content-Encoding, ETag, Vary and the answer's
    own. `send` builds the Flask response from them; the SPARQL fast path sends them as
    they are."""
    gzipped = answer.gzipped() if gzip_accepted else None
    fields = [("Content-Type", answer.content_type)]
    if gzipped is not None:
        fields.append(("Content-Encoding", "gzip"))
    if answer.etag is not None:
        fields.append(("ETag", quote_etag(variant_etag(answer.etag, gzipped is not None))))
    fields.append(("Vary", ", ".join(vary)))
    fields += answer.headers
    return (gzipped if gzipped is not None else answer.body), fields


def init_cors(app: Flask) -> None:
    """Send CORS headers on every response, as CORS_ORIGINS says ("*", a list, or "")."""

    @app.after_request
    def _cors(response: Response) -> Response:
        fields, vary_origin = cors_fields(app.config["CORS_ORIGINS"],
                                          request.headers.get("Origin"))
        if vary_origin:
            response.vary.add("Origin")
        for name, value in fields:
            response.headers[name] = value
        if not fields:
            return response
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
            requested = request.headers.get("Access-Control-Request-Headers")
            if requested:
                # The endpoint is public and never uses credentials, so any header may come.
                response.headers["Access-Control-Allow-Headers"] = requested
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        return response


def cors_fields(origins: str | Sequence[str], origin: str | None,
                ) -> tuple[list[tuple[str, str]], bool]:
    """The CORS header fields of an answer to a request from `origin` (None: no Origin
    header) as CORS_ORIGINS (`origins`) says, and whether Vary must name Origin."""
    if not origins:
        return [], False
    if origins == "*":
        allowed = "*"
    elif origin in origins:
        allowed = origin  # type: ignore[assignment]
    else:
        return [], True
    return ([("Access-Control-Allow-Origin", allowed),
             ("Access-Control-Expose-Headers", EXPOSED_HEADERS)], origins != "*")


def link_header(alternates: Iterable[Mapping[str, str]]) -> str:
    """A `Link` header value naming each alternate (`href`, `media_type`) of a document."""
    return ", ".join(f'<{a["href"]}>; rel="alternate"; type="{a["media_type"]}"'
                     for a in alternates)
