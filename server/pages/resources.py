"""The resource blueprint: every IRI below the dataset's base dereferences here.

A request path names the IRI `base + path` (`/id/jp/org/mofa` on any host describes
`https://w3id.org/napgraph/id/jp/org/mofa` with the default base). The answer is the
description of the thing at the thing's own URL (200, not a 303 to a document), with
`Content-Location` naming the document that was sent (`/id/jp/org/mofa.ttl`). A suffix
(`.ttl .jsonld .rdf .nt .html`) or `?format=` chooses the format; otherwise the Accept
header does (`Vary: Accept`). HTML pages are picked by the resource's type; the RDF is
`pages/queries/describe.rq` (the ontology: its whole named graph). docs/linked-data.md
explains the choices.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, request
from werkzeug.urls import iri_to_uri

from napgraph.graph import publish

from ..http import formats as fmt
from ..http.cache import Answer
from ..http.errors import ResourceNotFound
from ..http.responses import link_header
from ..http.uri_to_iri import iri_path, normal_path, raw_request_path
from . import actor, concept, consultation, country, generic, instrument, ontology
from .common import PageContext, read_statements
from .paging import page_number
from .site_data import Site, current_site, serve_cached
from .terms import FOAF, NAP, ORG, OWL, PROV, SKOS

bp = Blueprint("resources", __name__)
# The first path segments of the IRIs napgraph mints (graph/iris.py); `sparql` and
# `download` are served by their own blueprints.
PREFIXES = ("id", "graph", "dataset", "ontology", "space")  # space: site_data.SPACE


@dataclass(frozen=True)
class Kind:
    """A kind of resource: the types that select it, its page, its RDF query, and the query
    of the JSON-LD its page embeds (the RDF less what points to the resource: linked, not
    embedded, as the RDF documents hold it whole)."""

    name: str
    types: frozenset[str]
    render: Callable[[PageContext], str]
    rdf_query: str = "describe"
    rdf_param: str = "x"
    embedded_query: str = "describe-embedded"


def _types(*terms: object) -> frozenset[str]:
    return frozenset(str(term) for term in terms)


# In order: the first kind whose types meet the resource's types is used.
KINDS: tuple[Kind, ...] = (
    Kind("ontology", _types(OWL.Ontology), ontology.render, "ontology-graph", "ontology",
         "ontology-graph"),
    Kind("consultation", _types(NAP.Consultation), consultation.render),
    Kind("country", _types(NAP.Country), country.render),
    Kind("scheme", _types(SKOS.ConceptScheme), concept.render_scheme),
    Kind("concept", _types(SKOS.Concept), concept.render),
    Kind("instrument", _types(NAP.Instrument), instrument.render),
    Kind("actor", _types(PROV.Agent, FOAF.Person, FOAF.Organization, ORG.Organization,
                         ORG.FormalOrganization, ORG.OrganizationalUnit), actor.render),
)
GENERIC = Kind("resource", frozenset(), generic.render)


def kind_of(types: set[str]) -> Kind:
    """The kind of page for a resource with these rdf:types (the generic one if none fits)."""
    return next((kind for kind in KINDS if kind.types & types), GENERIC)


def resource(**_path: str) -> Response:
    """Dereference the IRI the request path names."""
    return dereference(named_paths())


def named_paths() -> list[str]:
    """The paths below the script root that the request may name, in the order tried: the
    path as RFC 3987 maps it to an IRI (http/uri_to_iri.py), then as sent (normalised), since
    an IRI may itself hold escapes of UTF-8 (`%E6%9D%B1`). Both are canonical, so spelling a
    path another way (`%6Dofa` for `mofa`) finds the same cache entry. The decoded path if the
    server gives no raw one."""
    raw = raw_request_path(request.environ)
    paths = ([request.path] if raw is None
             else list(dict.fromkeys((iri_path(raw), normal_path(raw)))))
    root = request.script_root
    return [path[len(root):] if root and path.startswith(root) else path for path in paths]


for _prefix in PREFIXES:
    bp.add_url_rule(f"/{_prefix}/<path:rest>", f"{_prefix}_path", resource)
for _top in ("ontology", "dataset"):
    bp.add_url_rule(f"/{_top}", _top, resource)
    bp.add_url_rule(f"/{_top}.<ext>", f"{_top}_document", resource)


def dereference(paths: list[str]) -> Response:
    """Answer for the first resource of `paths` the graph knows, in the chosen format, from
    the page cache if cached.

    Raises ResourceNotFound (404) for an IRI the graph does not know and NotAcceptable (406)
    when no format fits Accept (an unknown `format=` is ignored).
    """
    _, chosen = fmt.suffix_of(paths[0])
    stems = tuple(fmt.suffix_of(path)[0] for path in paths)
    negotiated = False
    if chosen is None:
        format_key = request.args.get("format") or None
        chosen = fmt.negotiate(fmt.RESOURCE_FORMATS, request.accept_mimetypes, format_key,
                               "a resource")
        negotiated = format_key is None
    vary = ("Accept", "Accept-Encoding") if negotiated else ("Accept-Encoding",)
    site = current_site()
    # A long list of a page is paged (pages/paging.py): each page is cached apart.
    return serve_cached(("resource", stems, chosen.key, page_number(request.args)),
                        lambda: build(site, stems, chosen), vary)


def alternates_for(stem: str, served: fmt.Format | None = None) -> list[dict[str, str]]:
    """The documents of a resource other than the one served: href and media type each."""
    root = request.script_root
    return [{"href": iri_to_uri(f"{root}{stem}{fmt.suffix_for(f)}"), "media_type": f.media_type}
            for f in fmt.RESOURCE_FORMATS if f is not served]


def build(site: Site, stems: tuple[str, ...], chosen: fmt.Format) -> Answer:
    """Query the backend and make the answer for one resource in one format."""
    stem, iri, rows = find(site, stems)
    kind = kind_of({row["type"].value for row in rows if "type" in row})
    alternates = alternates_for(stem, chosen)
    location = iri_to_uri(f"{request.script_root}{stem}{fmt.suffix_for(chosen)}")
    headers = (("Content-Location", location),
               ("Link", link_header(alternates)))
    if chosen is not fmt.HTML:
        body = site.construct(kind.rdf_query, chosen.media_type, **{kind.rdf_param: iri})
        return Answer(readable(body, chosen, site.base), chosen.content_type, None, headers)
    jsonld = json.loads(site.construct(kind.embedded_query, fmt.JSON_LD.media_type,
                                       **{kind.rdf_param: iri}))
    statements = read_statements(site, iri)
    context = PageContext(site, iri, stem, statements, alternates, jsonld)
    html = kind.render(context)
    return Answer(html.encode("utf-8"), fmt.HTML.content_type, None, headers)


def readable(body: bytes, chosen: fmt.Format, base: str) -> bytes:
    """Turtle with the published prefixes, JSON-LD compacted under the published context
    (the prefixes of the build's context.jsonld); other formats as the store wrote them."""
    prefixes = publish.prefixes_for(base)
    if chosen is fmt.TURTLE:
        triples = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    if chosen is fmt.JSON_LD:
        return publish.compact_jsonld(body, prefixes)
    return body


def find(site: Site, stems: tuple[str, ...]) -> tuple[str, str, list]:
    """The first of `stems` whose IRI the graph knows: stem, IRI and its type rows."""
    named = [(stem, site.iri_for_path(stem)) for stem in stems]
    valid = [(stem, iri) for stem, iri in named if _is_iri(iri)]
    if not valid:
        raise ResourceNotFound(f"{named[0][1]} is not an IRI, so it is not in the graph")
    for stem, iri in valid:
        rows = site.select("resource-types", x=iri)
        if rows:
            return stem, iri, rows
    raise ResourceNotFound(f"{valid[0][1]} is not in the graph")


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
