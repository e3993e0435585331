"""Response formats, declared once in order of preference, and their negotiation.

The first format of each list is what a client gets with `Accept: */*` or no Accept header.
`format=` (a short key such as `json` or `ttl`) wins over Accept, so a browser link can ask
for any format. Negotiation uses werkzeug's `MIMEAccept.best_match`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .errors import NotAcceptable, UnknownFormat

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One response format.

    `key` is its `format=` value; `names` are further `format=` values that mean it for
    the results it belongs to (SPARQLWrapper sends format=xml for RDF/XML and format=json
    for JSON-LD); `aliases` are other media types accepted for it; `iri` names it in the W3C
    formats registry (used by the service description).
    """

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    iri: str | None = None
    names: tuple[str, ...] = ()

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
XML = Format("xml", "application/sparql-results+xml", (), _w3c("SPARQL_Results_XML"))
CSV = Format("csv", "text/csv", (), _w3c("SPARQL_Results_CSV"))
TSV = Format("tsv", "text/tab-separated-values", (), _w3c("SPARQL_Results_TSV"))
TURTLE = Format("ttl", "text/turtle", ("application/x-turtle",), _w3c("Turtle"), ("turtle",))
N_TRIPLES = Format("nt", "application/n-triples", (), _w3c("N-Triples"),
                   ("ntriples", "n-triples"))
N_QUADS = Format("nq", "application/n-quads", (), _w3c("N-Quads"), ("nquads", "n-quads"))
TRIG = Format("trig", "application/trig", (), _w3c("TriG"))
RDF_XML = Format("rdf", "application/rdf+xml", (), _w3c("RDF_XML"), ("xml", "rdfxml"))
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
    """Pick the format to answer with: `format_key` if given, else the best match for Accept.

    `what` names the kind of answer in error messages ("SELECT results").
    Raises UnknownFormat for a `format=` value no list knows, and NotAcceptable when
    nothing in `formats` fits.

    >>> from werkzeug.http import parse_accept_header
    >>> negotiate(GRAPH_FORMATS, parse_accept_header("application/n-triples", MIMEAccept),
    ...           None, "graph").key
    'nt'
    """
    if format_key is not None:
        for candidate in formats:
            if candidate.is_named(format_key):
                return candidate
        if not any(f.is_named(format_key) for f in ALL_FORMATS):
            raise UnknownFormat(f"unknown format={format_key!r}; known formats: "
                                f"{', '.join(ALL_KEYS)} (or a media type)")
        raise NotAcceptable(f"format={format_key} is not available for {what}; use one of "
                            f"{', '.join(f.key for f in formats)}")
    if not accept:
        return formats[0]
    offered = [(media_type, f) for f in formats for media_type in (f.media_type, *f.aliases)]
    best = accept.best_match([media_type for media_type, _ in offered])
    for media_type, candidate in offered:
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
    Raises UnknownFormat for a `format=` value no list knows.
    """
    accept = parse_accept_header(accept_header, MIMEAccept)
    choices: dict[str, Format | str] = {}
    for form, formats in QUERY_FORMS:
        try:
            choices[form] = negotiate(formats, accept, format_key, f"{form} results")
        except NotAcceptable as refusal:
            choices[form] = refusal.message
    return choices
