"""HTTP to a remote SPARQL store: one form POST per query, every byte within a deadline.

urllib3 keeps connections to the store alive (one pool per web worker). The connection gets
STORE_CONNECT_TIMEOUT, and every later wait (for the headers, then for each piece of the
body) gets only the time left before the query's deadline, so a store that is down, slow,
or trickles its answer costs a client at most QUERY_TIMEOUT plus a few milliseconds.

Failures are sorted once, here: a store that cannot be reached or does not answer in time
is StoreUnavailable (503 with Retry-After); an error status other than 400, or an answer
that is neither SPARQL results nor RDF, is StoreBadAnswer (502); the store's 400 is the
client's fault and becomes QuerySyntaxError with the store's own message. Client messages
do not name the store's address; the log does.
"""

from __future__ import annotations

import http.client
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode

import pyoxigraph as ox
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from napgraph import __version__

from ..http.errors import QuerySyntaxError, StoreBadAnswer, StoreUnavailable

log = logging.getLogger(__name__)

# Virtuoso names every graph of a query's dataset in two header fields of its answer, and
# napgraph names all of its graphs in every query it sends (graph scope): 100 countries are
# over 800 fields. Python's HTTP client, under urllib3, refuses an answer with more than 100
# (`http.client._MAXHEADERS`, a module setting with no public way to change it); the
# store is one the operator chose, so its header count is raised for this process.
MAX_STORE_HEADER_FIELDS = 100_000
http.client._MAXHEADERS = max(http.client._MAXHEADERS,  # type: ignore[attr-defined]
                               MAX_STORE_HEADER_FIELDS)

FORM_TYPE = "application/x-www-form-urlencoded"
# What napgraph asks a store for: formats every SPARQL store writes, that pyoxigraph reads
# exactly (SPARQL CSV is lossy, so never asked for). The Accept header names only the kind
# the query form answers with: a store that is offered SPARQL JSON for a CONSTRUCT may send
# its triples as JSON bindings (Virtuoso does).
RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
RESULTS_ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.8, "
                  "text/tab-separated-values;q=0.5")
RDF_ACCEPT = ("application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.7, "
              "application/ld+json;q=0.6, application/n-quads;q=0.5")
ACCEPT = {"SELECT": RESULTS_ACCEPT, "ASK": RESULTS_ACCEPT, "CONSTRUCT": RDF_ACCEPT,
          "DESCRIBE": RDF_ACCEPT}
# Statuses that say "not now" rather than "never": the client may retry.
BUSY_STATUSES = frozenset({408, 429, 502, 503, 504})
ERROR_BODY_BYTES = 4000
ERROR_MESSAGE_CHARS = 600
CHUNK = 65536


@dataclass
class StoreAnswer:
    """A 2xx answer of the store: its media type and a reader of its body."""

    media_type: str
    body: DeadlineReader

    def close(self, *, complete: bool) -> None:
        """Give the connection back to the pool if the body was read to its end, else drop it.

        A body left half-read cannot be reused for the next request.
        """
        self.body.close(complete=complete)


class DeadlineReader:
    """A file-like reader of a response body that gives up at a deadline.

    pyoxigraph's parsers call `read`; each call waits at most the time left. An error raised
    here propagates through the parser unchanged, so the caller sees StoreUnavailable.
    """

    def __init__(self, response: urllib3.BaseHTTPResponse, deadline: float, limit: float,
                 describe: str) -> None:
        self._response = response
        self._deadline = deadline
        self._limit = limit
        self._describe = describe

    def read(self, size: int = -1) -> bytes:
        """Read at most `size` bytes (one network read); raise StoreUnavailable when late."""
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise late(self._limit)
        sock = getattr(self._response.connection, "sock", None)
        if sock is not None:
            sock.settimeout(remaining)
        try:
            return self._response.read1(size if size and size > 0 else CHUNK)
        except ReadTimeoutError:
            raise late(self._limit) from None
        except (ProtocolError, OSError, HTTPError) as error:
            log.warning("%s broke off its answer: %s", self._describe, error)
            raise StoreUnavailable("the SPARQL store broke off its answer; try again "
                                   "shortly") from None

    def close(self, *, complete: bool) -> None:
        """Release the connection (complete) or close it (a body left half-read)."""
        if complete:
            try:  # what a parser leaves is at most a chunked body's last few bytes
                self._response.drain_conn()
            except HTTPError:
                complete = False
        if not complete:
            self._response.close()
        self._response.release_conn()


def late(limit: float) -> StoreUnavailable:
    """The error for a store that did not answer within the query time limit."""
    return StoreUnavailable(f"the SPARQL store did not answer within the {limit:g} s time "
                            "limit (QUERY_TIMEOUT); the query was abandoned")


class StoreClient:
    """Sends SPARQL protocol query requests to one store URL."""

    def __init__(self, url: str, *, connect_timeout: float, connections: int) -> None:
        parsed = urllib3.util.parse_url(url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError(f"{url!r} is not an http or https URL")
        self.url = parsed._replace(auth=None).url
        # The request line names the path only (origin form): an absolute URL there is a
        # proxy request, which Virtuoso refuses (HT059).
        self._target = parsed.request_uri
        self._headers = {"User-Agent": f"napgraph/{__version__}", "Content-Type": FORM_TYPE}
        if parsed.auth:  # http://user:password@host/...: basic authentication
            self._headers.update(urllib3.util.make_headers(basic_auth=parsed.auth))
        self._connect_timeout = connect_timeout
        self._pool = urllib3.connection_from_url(self.url, maxsize=connections, block=False)

    def post(self, form: Sequence[tuple[str, str]], query_form: str, *, deadline: float,
             limit: float) -> StoreAnswer:
        """POST a protocol form (query=, default-graph-uri=...) and return the 2xx answer.

        `query_form` (SELECT, ASK, CONSTRUCT, DESCRIBE) chooses the Accept header; `deadline`
        is a time.monotonic() value; `limit` is the time limit it stands for (for
        messages). Raises StoreUnavailable, StoreBadAnswer or QuerySyntaxError.
        """
        body = urlencode(form).encode("utf-8")
        headers = {**self._headers, "Accept": ACCEPT[query_form]}
        # One resend when a kept-alive connection turns out closed (the store restarted):
        # a query has no side effect, so sending it again is safe.
        for attempt in (1, 2):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise late(limit)
            timeout = urllib3.Timeout(connect=min(self._connect_timeout, remaining),
                                      read=remaining)
            try:
                response = self._pool.urlopen("POST", self._target, body=body,
                                              headers=headers, timeout=timeout,
                                              retries=False, redirect=False,
                                              preload_content=False)
                break
            except ReadTimeoutError:
                raise late(limit) from None
            except (ConnectTimeoutError, NewConnectionError) as error:
                log.warning("SPARQL store %s cannot be reached: %s", self.url, error)
                raise StoreUnavailable(f"the SPARQL store cannot be reached "
                                       f"({_reason(error)}); try again shortly") from None
            except (ProtocolError, HTTPError, OSError) as error:
                if attempt == 2:
                    log.warning("SPARQL store %s failed: %s", self.url, error)
                    raise StoreUnavailable(f"the SPARQL store closed the connection "
                                           f"({_reason(error)}); try again shortly") from None
        reader = DeadlineReader(response, deadline, limit, f"SPARQL store {self.url}")
        if response.status >= 300:
            self._refuse(response, reader)
        media_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        return StoreAnswer(media_type, reader)

    def _refuse(self, response: urllib3.BaseHTTPResponse, reader: DeadlineReader) -> None:
        """Raise the error for a non-2xx answer, with the store's message."""
        try:
            text = _message(reader.read(ERROR_BODY_BYTES), response.headers)
        except StoreUnavailable:
            text = ""
        finally:
            reader.close(complete=False)
        status = response.status
        if status == 400:
            raise QuerySyntaxError(text or "the SPARQL store refused the query (400)")
        log.warning("SPARQL store %s answered %s: %s", self.url, status, text)
        said = f": {text}" if text else ""
        if status in BUSY_STATUSES:
            raise StoreUnavailable(f"the SPARQL store is busy or unavailable ({status}"
                                   f"{said}); try again shortly")
        raise StoreBadAnswer(f"the SPARQL store answered with an error ({status}{said})")

    def close(self) -> None:
        """Close every kept-alive connection."""
        self._pool.close()


def _reason(error: Exception) -> str:
    """The innermost reason of a connection error, e.g. 'Connection refused'."""
    cause: BaseException = error
    while cause.__context__ is not None and not isinstance(cause, OSError | TimeoutError):
        cause = cause.__context__
    text = getattr(cause, "strerror", None) or str(cause)
    return text.rsplit(": ", 1)[-1] if ": " in text else text


def _message(body: bytes, headers: urllib3.HTTPHeaderDict) -> str:
    """A store's error message, from a text body or a JSON one (QLever, GraphDB...)."""
    text = body.decode("utf-8", "replace").strip()
    if "json" in (headers.get("Content-Type") or ""):
        try:
            data = json.loads(text)
        except ValueError:
            return text[:ERROR_MESSAGE_CHARS]
        if isinstance(data, dict):
            for key in ("exception", "message", "error", "detail"):
                if isinstance(data.get(key), str):
                    return data[key]
    if "html" in (headers.get("Content-Type") or "") or text.lstrip().startswith("<"):
        text = html_text(text)
    return text[:ERROR_MESSAGE_CHARS]


def html_text(page: str) -> str:
    """The text of an HTML error page, whitespace collapsed (scripts and styles left out).

    >>> html_text("<html><style>p {}</style><h1>Error</h1><p>Proxy access denied</p></html>")
    'Error Proxy access denied'
    """
    reader = _TextOfHTML()
    reader.feed(page)
    reader.close()
    return " ".join(" ".join(reader.parts).split())


class _TextOfHTML(HTMLParser):
    _HIDDEN = frozenset({"script", "style", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in ("p", "br", "div", "h1", "h2", "h3", "li", "pre", "tr"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)
