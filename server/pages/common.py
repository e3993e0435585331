"""What every resource page uses: the resource's statements, its source quotes, render().

`Statements` holds the rows of `pages/queries/statements.rq` (every triple out of the
resource, with labels) and of `incoming.rq` (triples into it: at most 500 subjects a
property, each with all its labels, with each property's count from `incoming-counts.rq`,
since a shared topic has thousands) and
answers the questions templates ask: the English and Japanese label, the values of a
property, the links grouped by property. Purpose-built pages add their own queries; the
generic page shows the statements as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import render_template

from ..backends.rows import Row, Value
from .site_data import Site
from .terms import DCTERMS, FOAF, RDF, RDFS, SKOS

LABEL_PROPERTIES = (str(RDFS.label), str(SKOS.prefLabel), str(FOAF.name), str(DCTERMS.title))
HIDDEN = frozenset({str(SKOS.hiddenLabel)})  # the record's spelling variants: matching aids


@dataclass(frozen=True)
class Link:
    """The other end of a statement, with its labels (English, Japanese) when it has any."""

    value: Value
    label: str | None = None
    label_ja: str | None = None

    @property
    def text(self) -> str:
        """What to show for it: its English label, its literal value or its IRI."""
        return self.label or self.value.value


@dataclass
class Property:
    """One property of the resource with its values, for the property table."""

    iri: str
    label: str | None
    links: list[Link] = field(default_factory=list)
    count: int | None = None  # how many values in all, when `links` may hold only some

    @property
    def total(self) -> int:
        """How many values the property has (more than `links` when they are a part)."""
        return max(self.count or 0, len(self.links))


def read_statements(site: Site, iri: str) -> Statements:
    """The statements of `iri`: every one out of it (statements.rq), and of those into it,
    how many there are by property (incoming-counts.rq) and at most 500 subjects of each
    with their labels (incoming.rq), sorted as statements.rq sorts: a topic at 10^7 quads
    has 5,500."""
    counts = {row["p"].value: int(row["n"].value)
              for row in site.select("incoming-counts", x=iri)}
    incoming = [row for p in sorted(counts) for row in sorted(
        site.select("incoming", x=iri, p=p), key=lambda row: _term_key(row["o"]))]
    statements = Statements(iri, [*site.select("statements", x=iri), *incoming])
    for p, prop in statements.incoming.items():
        prop.count = counts[p]
    return statements


def _term_key(value: Value) -> tuple[int, str]:
    # SPARQL's ORDER BY of subjects: blank nodes before IRIs, each by its text.
    return (0 if value.kind == "bnode" else 1, value.value)


class Statements:
    """The triples into and out of one resource, read from statements.rq rows (and
    incoming.rq rows, sorted alike)."""

    def __init__(self, iri: str, rows: Iterable[Row]) -> None:
        self.iri = iri
        self.outgoing: dict[str, Property] = {}
        self.incoming: dict[str, Property] = {}
        labels: dict[tuple[str, str, str], dict[str, str]] = {}
        order: list[tuple[str, str, Value]] = []
        for row in rows:
            direction, p, o = row["direction"].value, row["p"].value, row["o"]
            table = self.outgoing if direction == "out" else self.incoming
            if p not in table:
                label = row.get("propertyLabel")
                table[p] = Property(p, label.value if label else None)
            key = (direction, p, o.kind + o.value + (o.lang or "") + (o.datatype or ""))
            if key not in labels:
                labels[key] = {}
                order.append((direction, p, o))
            label = row.get("label")
            if label is not None:
                language = "ja" if (label.lang or "").lower().startswith("ja") else "en"
                labels[key].setdefault(language, label.value)
        for direction, p, o in order:
            key = (direction, p, o.kind + o.value + (o.lang or "") + (o.datatype or ""))
            table = self.outgoing if direction == "out" else self.incoming
            found = labels[key]
            table[p].links.append(Link(o, found.get("en"), found.get("ja")))

    def values(self, prop: Any) -> list[Value]:
        """The objects of the resource's statements with property `prop`."""
        found = self.outgoing.get(str(prop))
        return [link.value for link in found.links] if found else []

    def links(self, prop: Any) -> list[Link]:
        """The objects of property `prop`, with their labels."""
        found = self.outgoing.get(str(prop))
        return list(found.links) if found else []

    def first(self, prop: Any, lang: str | None = "en") -> Value | None:
        """The first value of `prop` in language `lang` (or without one); None if none."""
        values = self.values(prop)
        for value in values:
            if lang is None or (value.lang or "").lower().startswith(lang):
                return value
        plain = [v for v in values if not v.lang]
        return plain[0] if plain else None

    @property
    def types(self) -> list[Link]:
        return self.links(RDF.type)

    @property
    def label(self) -> str:
        """The English label (rdfs:label, skos:prefLabel, foaf:name, dcterms:title) or the IRI."""
        for prop in LABEL_PROPERTIES:
            value = self.first(prop, "en")
            if value is not None:
                return value.value
        return self.iri

    @property
    def label_ja(self) -> str | None:
        """The Japanese label, if the resource has one."""
        for prop in LABEL_PROPERTIES:
            for value in self.values(prop):
                if (value.lang or "").lower().startswith("ja"):
                    return value.value
        return None

    def table(self, skip: Iterable[Any] = ()) -> list[Property]:
        """The outgoing properties for the property table, less `skip` and hidden labels."""
        skipped = {str(p) for p in skip} | HIDDEN
        return [prop for iri, prop in self.outgoing.items() if iri not in skipped]

    def incoming_table(self, skip: Iterable[Any] = ()) -> list[Property]:
        """The incoming properties (what points to the resource), less `skip`."""
        skipped = {str(p) for p in skip}
        return [prop for iri, prop in self.incoming.items() if iri not in skipped]


@dataclass(frozen=True)
class Quote:
    """A span of the source document a fact was read from (oa:TextQuoteSelector)."""

    document: str | None
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""


def quote_of(row: Row) -> Quote:
    """Read a quote from a row with start, end, exact and optional prefix, suffix, document."""
    return Quote(document=text(row, "document"), start=int(row["start"].value),
                 end=int(row["end"].value), exact=row["exact"].value,
                 prefix=text(row, "prefix") or "", suffix=text(row, "suffix") or "")


def text(row: Row, name: str) -> str | None:
    """The lexical value of `name` in a row, or None when unbound."""
    value = row.get(name)
    return value.value if value is not None else None


def unique(items: Iterable[Any]) -> list[Any]:
    """The items in order, without repeats."""
    return list(dict.fromkeys(items))


@dataclass
class PageContext:
    """What a page builder gets: the site, the resource and what the dispatcher knows."""

    site: Site
    iri: str
    path: str
    statements: Statements
    alternates: list[dict[str, str]]
    jsonld: Any

    def render(self, template: str, **values: Any) -> str:
        """Render a page template with this context as `page`."""
        return render_template(template, page=self, **values)
