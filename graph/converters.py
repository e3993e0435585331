"""Which converter reads which country's source document.

A converter knows the grammar of one country's record and turns its text into the shared
intermediate `Record` (graph/record.py); everything after that (emitters, provenance,
validation, publishing) is country-neutral. A second country adds a package beside
`graph/jp/` with a converter and one line to CONVERTERS.
"""

from typing import Protocol

from napgraph.graph.jp import JapanConverter
from napgraph.graph.record import Record
from napgraph.graph.registry import Registry
from napgraph.graph.source import SourceText


class Converter(Protocol):
    """Turns one country's source document into a Record."""

    country: str  # ISO 3166-1 alpha-2 code, lower case

    def convert(self, source: SourceText, registry: Registry, meta: dict) -> Record:
        """Parse `source`, resolving names with the country's `registry`; `meta` is the
        country's `data/<cc>/source.json`. Raises SourceError naming the line of a problem."""
        ...


CONVERTERS: dict[str, Converter] = {c.country: c for c in (JapanConverter(),)}


def converter_for(country: str) -> Converter:
    """The converter of `country`; raises LookupError if napgraph has none."""
    try:
        return CONVERTERS[country]
    except KeyError:
        raise LookupError(f"no converter for country {country!r}") from None
