"""Which RDF files napgraph reads and publishes: the one table of file extensions.

napgraph reads the extensions of FORMATS (`napgraph validate`, `napgraph import`) and no
others, even where pyoxigraph would guess one, so what is accepted does not change with
pyoxigraph; an unknown extension is an error listing these. A build publishes the formats of
PUBLISHED; the query runner's store loads those of LOADABLE.
"""

from collections.abc import Collection
from pathlib import PurePath

import pyoxigraph as ox

FORMATS: dict[str, ox.RdfFormat] = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,  # pyoxigraph does not know `.owl`; ontologies use it
}
PUBLISHED = (".nq", ".trig", ".ttl", ".jsonld")  # the build's dumps (graph/publish.py)
LOADABLE = (".nq", ".trig", ".ttl", ".nt")  # what the server's store loads


def format_of(path: str | PurePath, accepted: Collection[str] = FORMATS) -> ox.RdfFormat | None:
    """The RDF format of the file `path` by its extension (in any case); None when the
    extension is not one of `accepted` (by default, every extension napgraph reads)."""
    suffix = PurePath(path).suffix.lower()
    return FORMATS[suffix] if suffix in accepted else None


def media_type(path: str | PurePath) -> str:
    """The media type of an RDF file napgraph reads (`text/turtle` for `napgraph.ttl`)."""
    return FORMATS[PurePath(path).suffix.lower()].media_type
