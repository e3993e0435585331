"""Security headers, set in this one place for every response the app sends.

- Every response says `X-Content-Type-Options: nosniff` and a `Referrer-Policy`.
- HTML pages get a strict Content-Security-Policy: scripts and styles only from this server
  (no inline scripts, styles or event handlers; an embedded
  `<script type="application/ld+json">` is data, which CSP does not execute), forms post only
  here, and nothing may frame them.
- Every other response gets the strictest policy (`default-src 'none'`), so an answer that
  echoes a query can never run as a document.

The front's own answers (front.py: 408, 413, 414, 429, sent before the app sees a request)
carry the same headers from `ERROR_HEADERS`; Granian's empty 400/431 answers to malformed
HTTP carry none (Granian has no setting for them: docs/settings.md), and have no body to
protect.
"""

from __future__ import annotations

from flask import Flask, Response

HTML_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
NON_HTML_POLICY = "default-src 'none'; frame-ancestors 'none'"
REFERRER_POLICY = "strict-origin-when-cross-origin"
ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": REFERRER_POLICY}
# What a response that is not an HTML page carries: the front's own error answers too.
ERROR_HEADERS = {**ALWAYS, "Content-Security-Policy": NON_HTML_POLICY}


def init_app(app: Flask) -> None:
    """Add the headers to every response; a view may set its own value first."""
    app.after_request(security_headers)


def security_headers(response: Response) -> Response:
    """Set the headers above on `response` where it has none of its own."""
    for name, value in headers_for(response.mimetype).items():
        response.headers.setdefault(name, value)
    return response


def headers_for(mimetype: str) -> dict[str, str]:
    """The security headers of a response of this media type (without parameters): also
    what the SPARQL fast path (sparql/fast_path.py) sends, outside Flask."""
    if mimetype == "text/html":
        return {**ALWAYS, "Content-Security-Policy": HTML_POLICY}
    return ERROR_HEADERS
