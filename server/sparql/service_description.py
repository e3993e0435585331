"""The SPARQL 1.1 Service Description of the endpoint, built from a Turtle template.

The template (templates/service-description.ttl, or SERVICE_DESCRIPTION_TEMPLATE) holds what
never changes; relative IRIs in it resolve against the endpoint URL. This module adds what
depends on the running server: the result formats, federation, the dataset version and the
loaded named graphs with their sizes.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from ..backends.store import DatasetInfo
from ..http.errors import DatasetError
from ..http.formats import Format

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
VERSION_INFO = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
PREFIXES = {
    "sd": SD,
    "void": "http://rdfs.org/ns/void#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "formats": "http://www.w3.org/ns/formats/",
}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def template_path(configured: str = "") -> Path:
    """The service description template: SERVICE_DESCRIPTION_TEMPLATE or the bundled one."""
    if configured:
        return Path(configured)
    return Path(__file__).parent.parent / "templates" / "service-description.ttl"


class ServiceDescription:
    """Renders the service description for a given endpoint URL in any RDF format."""

    def __init__(self, template: Path, info: DatasetInfo, result_formats: Sequence[Format],
                 federated: bool) -> None:
        """Read and check the template; raise DatasetError if it is missing or invalid."""
        try:
            self._template = template.read_bytes()
            ox.parse(self._template, ox.RdfFormat.TURTLE, base_iri="http://localhost/sparql")
        except (OSError, SyntaxError) as error:
            raise DatasetError(f"service description template {template}: {error}") from None
        self._info = info
        self._formats = [f.iri for f in result_formats if f.iri is not None]
        self._federated = federated
        self.render = functools.lru_cache(maxsize=64)(self._render)

    def triples(self, endpoint: str, info: DatasetInfo | None = None) -> list[ox.Triple]:
        """The description of the endpoint at URL `endpoint`, as triples.

        `info` is the dataset now loaded, when it may have changed since start-up (a remote
        store's); by default the one given at start-up.
        """
        info = info or self._info
        triples = [quad.triple for quad in
                   ox.parse(self._template, ox.RdfFormat.TURTLE, base_iri=endpoint)]
        service = ox.NamedNode(endpoint)
        triples += [ox.Triple(service, _sd("resultFormat"), ox.NamedNode(iri))
                    for iri in dict.fromkeys(self._formats)]
        if self._federated:
            triples.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
        datasets = [t.object for t in triples
                    if t.subject == service and t.predicate == _sd("defaultDataset")]
        for dataset in datasets:
            triples.append(ox.Triple(dataset, VERSION_INFO, ox.Literal(info.version)))
            for number, (name, size) in enumerate(info.graphs, start=1):
                # Fixed labels keep the bytes, and so the ETag, the same in every worker.
                named, graph = ox.BlankNode(f"ng{number}"), ox.BlankNode(f"g{number}")
                triples += [
                    ox.Triple(dataset, _sd("namedGraph"), named),
                    ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
                    ox.Triple(named, _sd("name"), ox.NamedNode(name)),
                    ox.Triple(named, _sd("graph"), graph),
                    ox.Triple(graph, RDF_TYPE, _sd("Graph")),
                    ox.Triple(graph, VOID_TRIPLES, ox.Literal(str(size), datatype=ox.NamedNode(
                        "http://www.w3.org/2001/XMLSchema#integer"))),
                ]
        return triples

    def _render(self, endpoint: str, media_type: str, info: DatasetInfo | None = None) -> bytes:
        rdf_format = ox.RdfFormat.from_media_type(media_type)
        return ox.serialize(self.triples(endpoint, info), format=rdf_format, prefixes=PREFIXES)
