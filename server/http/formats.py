"""Response formats, declared once in order of preference, and their negotiation.

The first format of each list is what a client gets with `Accept: */*` or no Accept header.
`format=` (a short key such as `json` or `ttl`) wins over Accept, so a browser link can ask
for any format; a `format=` value that names no format at all is ignored and Accept decides
(clients such as SPARQLWrapper send `format=` values of their own, like `n3`, together with
an Accept header that says what they can read). Negotiation uses werkzeug's
`MIMEAccept.best_match`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .errors import NotAcceptable

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One response format.

    `key` is its `format=` value; `names` are further `format=` values that mean it for
    the results it belongs to (SPARQLWrapper sends format=xml for RDF/XML and format=json
    for JSON-LD); `aliases` are other media types accepted for it; `iri` names it in the W3C
    formats registry (used by the service description); `fallbacks` are generic media types
    (application/xml, text/plain) that choose it only when nothing else in Accept fits, so
    that a browser's `application/xml;q=0.9, */*;q=0.8` still gets the first format.
    """

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    iri: str | None = None
    names: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text types say they are UTF-8)."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    def is_named(self, name: str) -> bool:
        """True if `format=name` asks for this format (by key, extra name or media type)."""
        return name == self.key or name in self.names or name == self.media_type


def _w3c(name: str) -> str:
    return W3C_FORMATS + name


JSON = Format("json", "application/sparql-results+json", ("application/json",),
              _w3c("SPARQL_Results_JSON"))
# Plain `application/xml` asks for XML of any kind: for query results that is the results format.
XML = Format("xml", "application/sparql-results+xml", (), _w3c("SPARQL_Results_XML"),
             fallbacks=("application/xml",))
CSV = Format("csv", "text/csv", (), _w3c("SPARQL_Results_CSV"))
TSV = Format("tsv", "text/tab-separated-values", (), _w3c("SPARQL_Results_TSV"))
# Turtle is a subset of N3, so a client asking for N3 can read it.
TURTLE = Format("ttl", "text/turtle", ("application/x-turtle",), _w3c("Turtle"),
                ("turtle", "n3", "text/n3"))
# `text/plain` was N-Triples' media type before application/n-triples was registered.
N_TRIPLES = Format("nt", "application/n-triples", (), _w3c("N-Triples"),
                   ("ntriples", "n-triples"), fallbacks=("text/plain",))
N_QUADS = Format("nq", "application/n-quads", (), _w3c("N-Quads"), ("nquads", "n-quads"))
TRIG = Format("trig", "application/trig", (), _w3c("TriG"))
RDF_XML = Format("rdf", "application/rdf+xml", (), _w3c("RDF_XML"), ("xml", "rdfxml"),
                 fallbacks=("application/xml",))
JSON_LD = Format("jsonld", "application/ld+json", ("application/json",), _w3c("JSON-LD"),
                 ("json", "json-ld"))
HTML = Format("html", "text/html", ("application/xhtml+xml",))
# A plain JSON document of the site's own (the list of canned queries).
JSON_DOCUMENT = Format("json", "application/json")

SELECT_FORMATS: tuple[Format, ...] = (JSON, XML, CSV, TSV)
# SPARQL 1.1 CSV/TSV define no boolean form.
ASK_FORMATS: tuple[Format, ...] = (JSON, XML)
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, N_TRIPLES, N_QUADS, TRIG, RDF_XML, JSON_LD)
# GET /sparql without a query: the service description, or the query page for browsers.
DESCRIPTION_FORMATS: tuple[Format, ...] = (TURTLE, HTML, RDF_XML, JSON_LD, N_TRIPLES)
DESCRIPTION_RDF_FORMATS: tuple[Format, ...] = tuple(f for f in DESCRIPTION_FORMATS
                                                    if f is not HTML)

# A resource of the graph (linked-data dereferencing): its page, or its description in RDF.
# HTML comes first: a client that accepts anything (curl, a link followed by a tool) gets the
# page; RDF clients name the format they want. N-Quads and TriG are left out: a description
# is one graph.
RESOURCE_FORMATS: tuple[Format, ...] = (HTML, TURTLE, JSON_LD, RDF_XML, N_TRIPLES)
# URL suffixes of a resource's documents (`/id/jp/org/mofa.ttl`); they win over Accept.
SUFFIXES: dict[str, Format] = {".html": HTML, ".ttl": TURTLE, ".jsonld": JSON_LD,
                               ".rdf": RDF_XML, ".nt": N_TRIPLES}
# Answers shown as a table in a page (canned queries, search): the page or the SPARQL results.
TABLE_FORMATS: tuple[Format, ...] = (HTML, *SELECT_FORMATS)

FORMATS_BY_FORM: dict[str, tuple[Format, ...]] = {
    "SELECT": SELECT_FORMATS,
    "ASK": ASK_FORMATS,
    "CONSTRUCT": GRAPH_FORMATS,
    "DESCRIBE": GRAPH_FORMATS,
}
ALL_FORMATS = (*SELECT_FORMATS, *GRAPH_FORMATS, HTML)
ALL_KEYS = sorted({f.key for f in ALL_FORMATS})


def negotiate(formats: Sequence[Format], accept: MIMEAccept, format_key: str | None,
              what: str) -> Format:
    """Pick the format to answer with: `format_key` if it names a format, else the best match
    for Accept (a `format=` value that no format list knows is ignored).

    `what` names the kind of answer in error messages ("SELECT results").
    Raises NotAcceptable when nothing in `formats` fits.

    >>> from werkzeug.http import parse_accept_header
    >>> negotiate(GRAPH_FORMATS, parse_accept_header("application/n-triples", MIMEAccept),
    ...           None, "graph").key
    'nt'
    """
    if format_key is not None and any(f.is_named(format_key) for f in ALL_FORMATS):
        for candidate in formats:
            if candidate.is_named(format_key):
                return candidate
        raise NotAcceptable(f"format={format_key} is not available for {what}; use one of "
                            f"{', '.join(f.key for f in formats)}")
    if not accept:
        return formats[0]
    offered = [(media_type, f) for f in formats for media_type in (f.media_type, *f.aliases)]
    fallbacks = [(media_type, f) for f in formats for media_type in f.fallbacks]
    for choices in (offered, fallbacks):
        best = accept.best_match([media_type for media_type, _ in choices])
        for media_type, candidate in choices:
            if media_type == best:
                return candidate
    raise NotAcceptable(f"none of the media types in the Accept header is available for "
                        f"{what}; available: {', '.join(f.media_type for f in formats)}")


def suffix_of(path: str) -> tuple[str, Format | None]:
    """Split a known format suffix off a URL path: ("/id/x", TURTLE) for "/id/x.ttl".

    >>> suffix_of("/id/jp/org/mofa.ttl")[0]
    '/id/jp/org/mofa'
    >>> suffix_of("/ontology/0.1.0")
    ('/ontology/0.1.0', None)
    """
    stem, dot, extension = path.rpartition(".")
    if dot and "/" not in extension:
        chosen = SUFFIXES.get("." + extension)
        if chosen is not None and stem and not stem.endswith("/"):
            return stem, chosen
    return path, None


def suffix_for(chosen: Format) -> str:
    """The URL suffix of a resource format (the reverse of SUFFIXES)."""
    return next(suffix for suffix, candidate in SUFFIXES.items() if candidate is chosen)


QUERY_FORMS: tuple[tuple[str, tuple[Format, ...]], ...] = (
    ("SELECT", SELECT_FORMATS), ("ASK", ASK_FORMATS), ("CONSTRUCT", GRAPH_FORMATS))


@functools.lru_cache(maxsize=256)
def negotiate_forms(accept_header: str, format_key: str | None) -> dict[str, Format | str]:
    """Negotiate for each kind of query result at once; a str value is the 406 message.

    The query's form is only known once it is parsed, so all three are negotiated up front.
    Clients send few distinct Accept headers, so the answers are cached by header value.
    """
    accept = parse_accept_header(accept_header, MIMEAccept)
    choices: dict[str, Format | str] = {}
    for form, formats in QUERY_FORMS:
        try:
            choices[form] = negotiate(formats, accept, format_key, f"{form} results")
        except NotAcceptable as refusal:
            choices[form] = refusal.message
    return choices


CUT_LINK = "urn:napgraph:cut-at-max-result-rows:{rows}"
CUT_NOTE = "napgraph: this result was cut at {rows} rows (MAX_RESULT_ROWS); more matched"


def mark_cut(body: bytes, media_type: str, rows: int) -> bytes:
    """Say in the body of a result cut at `rows` rows that it was cut, where the format has a
    place for it (docs/sparql.md, "Result limits"): a `link` in the head of SPARQL JSON and XML
    results (both formats define it as a link to further information, which clients ignore);
    a comment in Turtle, TriG, N-Triples, N-Quads and RDF/XML. CSV, TSV and JSON-LD have no
    such place: there the X-SPARQL-MaxRows header alone says so. A body not laid out as
    expected is left as it is.
    """
    link, note = CUT_LINK.format(rows=rows), CUT_NOTE.format(rows=rows)
    if media_type == JSON.media_type:
        start = b'{"head":{"vars":['
        end = body.find(b"]", len(start))
        if body.startswith(start) and end > 0:
            return body[:end + 1] + f',"link":["{link}"]'.encode() + body[end + 1:]
    elif media_type == XML.media_type:
        return body.replace(b"</head>", f'<link href="{link}"/></head>'.encode(), 1)
    elif media_type in (TURTLE.media_type, TRIG.media_type, N_TRIPLES.media_type,
                        N_QUADS.media_type):
        return body + f"# {note}\n".encode()
    elif media_type == RDF_XML.media_type:
        return body + f"\n<!-- {note} -->\n".encode()
    return body
