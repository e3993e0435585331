"""Security headers: a strict Content-Security-Policy on HTML pages, nosniff everywhere.

Pages load scripts and styles only from this server (no inline scripts, styles or event
handlers; an embedded `<script type="application/ld+json">` is data, which CSP does not
execute), forms post only here, and nothing may frame them.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
HTML_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def init_app(app: Flask) -> None:
    """Add the headers to every response (the policy to HTML ones)."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":
            for name, value in HTML_HEADERS.items():
                response.headers.setdefault(name, value)
        return response
