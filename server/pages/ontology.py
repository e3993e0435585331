"""The ontology page at the ontology's IRI: its classes, properties and concept schemes.

Own terms (`nap:`) have anchors named after them, so `/ontology#Consultation` lands on the
class; the reused terms the ontology declares (ORG, PROV-O, SKOS, ...) follow, then every
concept scheme with its concepts. The RDF of this IRI is the ontology's whole named graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..backends.rows import Row
from .common import PageContext, text
from .terms import OWL, RDF

SECTIONS = (
    (str(OWL.Class), "classes", "Classes"),
    (str(OWL.ObjectProperty), "object-properties", "Object properties"),
    (str(OWL.DatatypeProperty), "datatype-properties", "Datatype properties"),
    (str(OWL.AnnotationProperty), "annotation-properties", "Annotation properties"),
    (str(RDF.Property), "properties", "Other properties"),
)


@dataclass
class Term:
    iri: str
    kind: str
    label: str | None
    label_ja: str | None
    comment: str | None
    own: bool
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    supers: list[str] = field(default_factory=list)


@dataclass
class Scheme:
    iri: str
    title: str | None
    description: str | None
    concepts: dict[str, Row] = field(default_factory=dict)


def render(page: PageContext) -> str:
    """Render the documentation of the ontology `page.iri`."""
    site, iri = page.site, page.iri
    versioned = site.select("ontology-of-version", version=iri)
    if versioned:  # a version IRI: the page of the ontology (napgraph serves one version)
        iri = versioned[0]["ontology"].value
    header = next(iter(site.select("ontology-header", ontology=iri)), {})
    terms = _terms(site.select("ontology-terms", ontology=iri), iri)
    labels = {term.iri: term.label for term in terms.values() if term.label}
    sections = []
    for kind, anchor, title in SECTIONS:
        own = sorted((t for t in terms.values() if t.kind == kind and t.own),
                     key=lambda t: t.iri.lower())
        if own:
            sections.append((anchor, title, own))
    reused = sorted((t for t in terms.values() if not t.own), key=lambda t: t.iri.lower())
    return page.render("ontology.html", header=header, sections=sections, reused=reused,
                       labels=labels, schemes=_schemes(site.select("schemes")))


def _terms(rows: list[Row], ontology: str) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    namespace = ontology + "#"
    for row in rows:
        iri = row["term"].value
        term = terms.setdefault(iri, Term(
            iri, row["kind"].value, text(row, "label"), text(row, "labelJa"),
            text(row, "comment"), iri.startswith(namespace) or "definedHere" in row))
        for name, values in (("domain", term.domains), ("range", term.ranges),
                             ("super", term.supers)):
            value = text(row, name)
            if value is not None and value not in values:
                values.append(value)
    return terms


def _schemes(rows: list[Row]) -> list[Scheme]:
    schemes: dict[str, Scheme] = {}
    for row in rows:
        scheme = schemes.setdefault(row["scheme"].value, Scheme(
            row["scheme"].value, text(row, "schemeTitle"), text(row, "schemeDescription")))
        if "concept" in row:
            scheme.concepts.setdefault(row["concept"].value, row)
    return list(schemes.values())
