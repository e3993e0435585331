"""Fetch a whole dataset from a SPARQL 1.1 endpoint, graph by graph, as N-Quads.

Three kinds of standard queries, sent with HTTP GET (SPARQL 1.1 Protocol):

    SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }                  the named graphs
    CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <g> { ?s ?p ?o } }              each of them
    CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o
        FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }                    the default graph

The last one leaves out what the default graph repeats from the named graphs, so a store
whose default graph is the union of its named graphs (a common setting) gives every triple
once, in its own graph.

Asked for one country, it takes only that country's graphs: the VoID subsets of the peer's
datasets about the country (`dcterms:spatial <…/id/country/{cc}>`, as napgraph's catalogue
describes them), else the graphs named `…/graph/{cc}` and below (napgraph's layout). Only a
peer with neither gives all its graphs, and the import keeps out what is not the country's
(graph/import_scope.py). CONSTRUCT results are asked for as N-Triples (`Accept:
application/n-triples`); another RDF media type in the answer is parsed as what it says.
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import BinaryIO

import pyoxigraph as ox

from napgraph import __version__

GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH %s { ?s ?p ?o } }"
DEFAULT_ONLY = (
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }"
)
SUBSETS = """SELECT DISTINCT ?g WHERE {
  ?dataset <http://purl.org/dc/terms/spatial> ?country ; <http://rdfs.org/ns/void#subset> ?g .
  FILTER(STRENDS(STR(?country), "/id/country/%s"))
}"""
TRIPLES = "application/n-triples"
RESULTS = "application/sparql-results+json"


class FetchError(Exception):
    """The endpoint could not be reached or did not answer with what was asked."""


def is_endpoint(source: str) -> bool:
    """Whether `source` names a SPARQL endpoint (an http or https URL) rather than a file."""
    return urllib.parse.urlsplit(source).scheme in ("http", "https")


def fetch_dataset(
    url: str, output: BinaryIO, timeout: float = 60.0, country: str | None = None
) -> int:
    """Write every quad of the endpoint at `url` (of `country`'s graphs only, when given
    and the peer says which they are) to `output` as N-Quads; return the count.

    Raises FetchError when the endpoint cannot be reached or answers with an error, and
    SyntaxError (with line and column in the answer) when an answer does not parse.
    """
    count = 0

    def tagged(answer: Iterator[ox.Quad], graph) -> Iterator[ox.Quad]:
        nonlocal count
        for quad in answer:
            count += 1
            yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)

    names = _graph_names(url, GRAPHS, timeout)
    if country is not None:
        names = _country_graphs(url, names, country, timeout) or names
    graphs = [ox.NamedNode(name) for name in names]
    queries = [(DEFAULT_ONLY, ox.DefaultGraph())] + [(GRAPH % graph, graph) for graph in graphs]
    for query, graph in queries:
        with _ask(url, query, TRIPLES, timeout) as response:
            media_type = response.headers.get_content_type()
            answer_format = ox.RdfFormat.from_media_type(media_type)
            if answer_format is None:
                raise FetchError(f"{url}: answered {media_type!r} to a CONSTRUCT query, not RDF")
            answer = ox.parse(response, answer_format, rename_blank_nodes=True)
            ox.serialize(tagged(answer, graph), output, ox.RdfFormat.N_QUADS)
    return count


def _graph_names(url: str, query: str, timeout: float) -> list[str]:
    try:
        with _ask(url, query, RESULTS, timeout) as response:
            rows = json.load(response)["results"]["bindings"]
        names = sorted({row["g"]["value"] for row in rows if row["g"]["type"] == "uri"})
        for name in names:
            ox.NamedNode(name)  # a bad graph IRI fails here, as a ValueError
        return names
    except (ValueError, KeyError, TypeError) as error:  # not SPARQL JSON, or a bad graph IRI
        raise FetchError(f"{url}: did not list its named graphs as asked: {error}") from error


def _country_graphs(url: str, names: list[str], country: str, timeout: float) -> list[str]:
    """The graphs of `names` that are `country`'s: from the peer's catalogue, else by name."""
    listed = set(_graph_names(url, SUBSETS % country, timeout)) & set(names)
    if listed:
        return sorted(listed)
    own = re.compile(rf".*/graph/{re.escape(country)}(/.*)?")
    return [name for name in names if own.fullmatch(name)]


def _ask(url: str, query: str, accept: str, timeout: float):
    separator = "&" if urllib.parse.urlsplit(url).query else "?"
    request = urllib.request.Request(
        f"{url}{separator}{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": accept, "User-Agent": f"napgraph/{__version__}"},
    )
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as error:
        body = error.read(500).decode("utf-8", "replace").strip()
        raise FetchError(
            f"{url}: the endpoint answered {error.code} {error.reason}: {body}"
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(f"{url}: cannot reach the endpoint: {reason}") from error
