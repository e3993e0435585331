"""SPARQL 1.1 JSON results (a SELECT) read into rows of terms, for pages and the query page."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Value:
    """One RDF term of a SPARQL JSON answer: `kind` is "uri", "literal" or "bnode"."""

    kind: str
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    def __str__(self) -> str:
        return self.value


Row = dict[str, Value]


def read_rows(body: bytes) -> list[Row]:
    """Read a SPARQL 1.1 JSON results document (a SELECT) into rows; unbound names are absent.

    Raises ValueError if the body is not such a document.
    """
    document = json.loads(body)
    rows = []
    for binding in document["results"]["bindings"]:
        row = {}
        for name, term in binding.items():
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            row[name] = Value(kind, term["value"], term.get("xml:lang"), term.get("datatype"))
        rows.append(row)
    return rows
