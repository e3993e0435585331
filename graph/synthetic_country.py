"""Build one synthetic country's quads (see graph/synthetic.py for what they are for).

A country has 36 organisations of every actor kind, a NAP process and its consultations;
each consultation has 16–24 participations, 2–4 contributions (some with sub-items) and 2–4
discussion points on 1–3 shared topics. Every fact records the span of a synthetic source
text it comes from; at the end the spans become the provenance graph, the text is described
by its checksum and dropped.
"""

import hashlib
import random
from collections.abc import Iterator
from datetime import date, timedelta
from functools import cache

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SDO, SKOS, XSD

from napgraph.graph import iris
from napgraph.graph.emit_facts import ordinal_label
from napgraph.graph.emit_registry import actor_kind_types
from napgraph.graph.paths import ontology_dir
from napgraph.graph.provenance import CONTEXT, LANGUAGES, MEDIA_TYPE
from napgraph.graph.vocab import NAP, OA, SPDX

COMMENT = "Synthetic test data, not real facts"

# The make-up of a synthetic country: organisations by actor kind, and the role each kind
# takes at a consultation (any other kind attends as a stakeholder; government bodies
# sometimes attend as observers).
ORGANISATIONS = {
    "government": 12,
    "government-related": 3,
    "business-association": 5,
    "professional-association": 2,
    "trade-union": 2,
    "civil-society": 6,
    "international-organisation": 3,
    "university": 2,
    "research-institute": 1,
}
ROLE_OF_KIND = {
    "government": "relevant-ministry",
    "government-related": "government-related-entity",
    "international-organisation": "observer",
    "university": "academia",
    "research-institute": "academia",
}
VERBS = {"Presentation": "made a presentation", "Report": "reported", "Statement": "shared views"}


@cache
def _iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(term)


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _number(value: int, datatype: URIRef = XSD.positiveInteger) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri(datatype))


@cache
def _concepts(scheme: str) -> tuple[tuple[str, str], ...]:
    """(slug, English label) of every concept of a shared scheme, read from its Turtle file."""
    scheme_iri, in_scheme, pref = (
        _iri(t) for t in (iris.scheme(scheme), SKOS.inScheme, SKOS.prefLabel)
    )
    labels: dict[str, str] = {}
    members: set[str] = set()
    for path in sorted((ontology_dir() / "schemes").glob("*.ttl")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if quad.predicate == in_scheme and quad.object == scheme_iri:
                members.add(quad.subject.value)
            elif quad.predicate == pref and quad.object.language == "en":
                labels[quad.subject.value] = quad.object.value
    prefix = f"{scheme_iri.value}/"
    return tuple(sorted((member.removeprefix(prefix), labels[member]) for member in members))


@cache
def _kind_types() -> dict[str, list[URIRef]]:
    return actor_kind_types()


def _slug(node: ox.NamedNode) -> str:
    return node.value.rsplit("/", 1)[1]


class SyntheticCountry:
    """One synthetic country. Facts are emitted as they are made; each records the span of
    the synthetic source text it comes from, and the spans become the provenance graph."""

    def __init__(self, cc: str, rng: random.Random):
        self.cc, self.rng, self.name = cc, rng, f"Synthetic country {cc.upper()}"
        self.country = ox.NamedNode(iris.country(cc))
        self.document = ox.NamedNode(iris.source_document(cc, "synthetic-record"))
        self.text: list[str] = []
        self.length = 0
        # (annotation IRI, body, motivation, start, end, node it is part of)
        self.spans: list[tuple[str, ox.NamedNode, URIRef, int, int, ox.NamedNode | None]] = []
        self.out: list[ox.Quad] = []
        self.graph = ox.NamedNode(iris.graph(cc))

    def add(
        self, subject: ox.NamedNode, predicate: URIRef, value: ox.Literal | ox.NamedNode | URIRef
    ) -> None:
        """Add a quad to the current graph; `value` may be an rdflib IRI (a class, a concept)."""
        if isinstance(value, str):
            value = _iri(value)
        self.out.append(ox.Quad(subject, _iri(predicate), value, self.graph))

    def flush(self) -> list[ox.Quad]:
        done, self.out = self.out, []
        return done

    def quads(self, consultations: int) -> Iterator[ox.Quad]:
        """Yield the registry, then the facts consultation by consultation, then provenance."""
        self.graph = ox.NamedNode(iris.graph(f"{self.cc}/registry"))
        self._country()
        organisations = self._organisations()
        yield from self.flush()
        self.graph = ox.NamedNode(iris.graph(self.cc))
        process = ox.NamedNode(iris.nap_process(self.cc, "synthetic"))
        self._process(process)
        year = self.rng.randrange(2016, 2031)
        step = max(1, 330 // consultations)
        for ordinal in range(1, consultations + 1):
            day = date(year, 1, 15) + timedelta(days=step * (ordinal - 1))
            self._consultation(process, ordinal, day, organisations)
            yield from self.flush()
        self.graph = ox.NamedNode(iris.graph(f"{self.cc}/provenance"))
        self._provenance()
        yield from self.flush()

    # -- the synthetic source text -----------------------------------------------------------

    def sentence(self, *parts: str) -> list[int]:
        """Append a line made of `parts` to the source text; return where each part starts."""
        starts = []
        for part in parts:
            starts.append(self.length)
            self.text.append(part)
            self.length += len(part)
        self.text.append("\n")
        self.length += 1
        return starts

    def span(
        self,
        node: ox.NamedNode,
        start: int,
        text: str,
        name: str = "source",
        body: ox.NamedNode | None = None,
        motivation: URIRef = OA.describing,
    ) -> None:
        """Record that `node` (or a mention of `body` in it) comes from `text` at `start`."""
        part_of = None if body is None else node
        self.spans.append(
            (iris.annotation(node.value, name), body or node, motivation, start, start + len(text), part_of)
        )

    # -- graphs -------------------------------------------------------------------------------

    def _country(self) -> None:
        node = self.country
        self.add(node, RDF.type, NAP.Country)
        self.add(node, RDFS.label, _en(f"{self.name} (synthetic)"))
        self.add(node, SKOS.prefLabel, _en(f"{self.name} (synthetic)"))
        self.add(node, SKOS.notation, ox.Literal(self.cc.upper()))
        self.add(node, RDFS.comment, _en(COMMENT))

    def _organisations(self) -> list[tuple[ox.NamedNode, str]]:
        """Emit the organisations; return (IRI, actor kind) of each, the lead ministry first."""
        result: list[tuple[ox.NamedNode, str]] = []
        for kind, count in ORGANISATIONS.items():
            for _ in range(count):
                number = len(result) + 1
                node = ox.NamedNode(iris.actor(self.cc, "org", f"org-{number}"))
                label = _en(f"Synthetic {kind.replace('-', ' ')} {number} of {self.cc.upper()}")
                for type_ in _kind_types()[kind] + [PROV.Agent, FOAF.Organization]:
                    self.add(node, RDF.type, type_)
                self.add(node, RDFS.label, label)
                self.add(node, SKOS.prefLabel, label)
                self.add(node, SKOS.altLabel, _en(f"S{number}"))
                self.add(node, ORG.classification, iris.concept("actor-kind", kind))
                if kind == "government" and result and self.rng.random() < 0.3:
                    lead = result[0][0]
                    self.add(node, RDF.type, ORG.OrganizationalUnit)
                    self.add(node, ORG.unitOf, lead)
                    self.add(lead, ORG.hasUnit, node)
                result.append((node, kind))
        return result

    def _process(self, process: ox.NamedNode) -> None:
        text = f"{self.name} held synthetic consultations on a National Action Plan."
        self.add(process, RDF.type, NAP.NAPProcess)
        self.add(process, RDF.type, PROV.Activity)
        self.add(process, RDFS.label, _en(f"NAP process of {self.name} (synthetic)"))
        self.add(process, RDFS.comment, _en(COMMENT))
        self.add(process, DCTERMS.spatial, self.country)
        self.add(process, DCTERMS.description, _en(text))
        self.span(process, self.sentence(text)[0], text, "source-1")

    def _consultation(
        self,
        process: ox.NamedNode,
        ordinal: int,
        day: date,
        organisations: list[tuple[ox.NamedNode, str]],
    ) -> None:
        rng = self.rng
        node = ox.NamedNode(iris.consultation(self.cc, day.year, ordinal))
        topics = rng.sample(_concepts("topic"), rng.randint(1, 3))
        heading = f"{ordinal_label(ordinal)} synthetic consultation"
        labels = [label for _, label in topics]
        parts = [f"On {day.isoformat()}, {self.name} held the ", heading, " on "]
        for label in labels:
            parts += [label, ", "]
        starts = self.sentence(*parts[:-1], ".")
        self.span(node, starts[0], "".join(parts[:-1]) + ".")
        self.span(node, starts[1], heading, "heading")
        for type_ in (NAP.Consultation, PROV.Activity, SDO.Event):
            self.add(node, RDF.type, type_)
        self.add(node, RDFS.label, _en(f"{heading} (synthetic)"))
        self.add(node, NAP.ordinal, _number(ordinal))
        self.add(node, SKOS.notation, ox.Literal(str(ordinal)))
        self.add(node, SDO.startDate, ox.Literal(day.isoformat(), datatype=_iri(XSD.date)))
        self.add(node, NAP.topicStatement, ox.Literal(", ".join(labels)))
        self.add(node, DCTERMS.isPartOf, process)
        self.add(process, DCTERMS.hasPart, node)
        self.add(node, SDO.organizer, organisations[0][0])
        for (slug, label), start in zip(topics, starts[3:-1:2], strict=True):
            topic = _iri(iris.concept("topic", slug))
            self.add(node, SDO.about, topic)
            self.span(node, start, label, f"about-{slug}", topic, OA.tagging)
        present = rng.sample(organisations, rng.randint(16, 24))
        for actor, kind in present:
            self._participation(node, ordinal, actor, kind)
        for number in range(1, rng.randint(2, 4) + 1):
            self._contribution(node, ordinal, number, [actor for actor, _ in present], topics)
        for number in range(1, rng.randint(2, 4) + 1):
            self._point(node, number, topics)

    def _participation(
        self, consultation: ox.NamedNode, ordinal: int, actor: ox.NamedNode, kind: str
    ) -> None:
        role = ROLE_OF_KIND.get(kind, "stakeholder")
        if role == "relevant-ministry" and self.rng.random() < 0.15:
            role = "ministry-observer"
        node = ox.NamedNode(iris.participation(consultation.value, _slug(actor)))
        self.add(node, RDF.type, NAP.Participation)
        self.add(node, RDF.type, PROV.Association)
        self.add(node, PROV.agent, actor)
        self.add(node, PROV.hadRole, iris.concept("role", role))
        self.add(node, NAP.participationIn, consultation)
        label = f"{_slug(actor)} at the {ordinal_label(ordinal)} synthetic consultation ({role})"
        self.add(node, RDFS.label, _en(label))
        self.add(consultation, NAP.hasParticipation, node)
        self.add(consultation, PROV.wasAssociatedWith, actor)
        self.add(consultation, SDO.attendee, actor)
        line = f"Synthetic attendee {_slug(actor)} ({role})"
        self.span(node, self.sentence(line)[0], line)

    def _contribution(
        self,
        consultation: ox.NamedNode,
        ordinal: int,
        number: int,
        present: list[ox.NamedNode],
        topics: list[tuple[str, str]],
    ) -> None:
        rng = self.rng
        kind = rng.choice(sorted(VERBS))
        node = ox.NamedNode(iris.contribution(consultation.value, number))
        actor, other = rng.sample(present, 2)
        topic_slug, topic_label = rng.choice(topics)
        by_group = rng.random() < 0.2
        who = "The stakeholders" if by_group else f"Synthetic organisation {_slug(actor)}"
        parts = [
            f"{who} {VERBS[kind]} on synthetic work on ",
            topic_label,
            " with ",
            _slug(other),
            ".",
        ]
        starts = self.sentence(*parts)
        text = "".join(parts)
        self.span(node, starts[0], text)
        for type_ in (NAP[kind], NAP.Contribution, PROV.Entity):
            self.add(node, RDF.type, type_)
        label = f"{kind} {number} of the {ordinal_label(ordinal)} synthetic consultation"
        self.add(node, RDFS.label, _en(label))
        self.add(node, SKOS.notation, ox.Literal(str(number)))
        self.add(node, NAP.position, _number(number))
        self.add(node, DCTERMS.description, _en(text))
        self.add(node, NAP.subjectText, ox.Literal("".join(parts[1:4])))
        self.add(node, NAP.contributionTo, consultation)
        self.add(node, PROV.wasGeneratedBy, consultation)
        self.add(consultation, NAP.hasContribution, node)
        if by_group:
            self.add(node, NAP.contributorRole, iris.concept("role", "stakeholder"))
        else:
            self.add(node, PROV.wasAttributedTo, actor)
        self.add(node, SDO.mentions, other)
        self.span(node, starts[3], _slug(other), f"mention-{_slug(other)}-1", other, OA.identifying)
        topic = _iri(iris.concept("topic", topic_slug))
        self.add(node, SDO.about, topic)
        self.span(node, starts[1], topic_label, f"about-{topic_slug}", topic, OA.tagging)
        for item in range(1, rng.randint(0, 3) + 1):
            child = ox.NamedNode(iris.contribution_item(node.value, item))
            text = f"synthetic point {item} of {kind.lower()} {number}"
            self.add(child, RDF.type, NAP.ContributionItem)
            self.add(child, RDF.type, PROV.Entity)
            self.add(child, NAP.position, _number(item))
            self.add(child, RDFS.label, _en(f"({item}) {text}"))
            self.add(child, DCTERMS.description, _en(text))
            self.add(node, NAP.hasItem, child)
            self.span(child, self.sentence(f"({item}) ", text)[1], text)

    def _point(
        self, consultation: ox.NamedNode, number: int, topics: list[tuple[str, str]]
    ) -> None:
        node = ox.NamedNode(iris.discussion_point(consultation.value, number))
        slug, label = self.rng.choice(topics)
        parts = [
            f"Synthetic point {number} on ",
            label,
            ": ",
            f"participants discussed synthetic aspects of {label} (point {number}).",
        ]
        starts = self.sentence(*parts)
        heading, text = "".join(parts[:2]), parts[3]
        self.span(node, starts[0], "".join(parts))
        self.add(node, RDF.type, NAP.DiscussionPoint)
        self.add(node, RDF.type, PROV.Entity)
        self.add(node, RDFS.label, _en(heading))
        self.add(node, DCTERMS.title, _en(heading))
        self.add(node, DCTERMS.description, _en(text))
        self.add(node, NAP.position, _number(number))
        self.add(node, NAP.discussedAt, consultation)
        self.add(consultation, NAP.hasDiscussionPoint, node)
        topic = _iri(iris.concept("topic", slug))
        self.add(node, SDO.about, topic)
        self.span(node, starts[1], label, f"about-{slug}", topic, OA.tagging)

    def _provenance(self) -> None:
        document, text = self.document, "".join(self.text)
        title = _en(f"Record of the consultations of {self.name} (synthetic)")
        self.add(document, RDF.type, PROV.Entity)
        self.add(document, RDF.type, FOAF.Document)
        self.add(document, RDFS.label, title)
        self.add(document, DCTERMS.title, title)
        self.add(document, RDFS.comment, _en(COMMENT))
        self.add(document, DCTERMS.language, LANGUAGES["en"])
        self.add(document, DCTERMS.format, MEDIA_TYPE)
        self.add(document, DCTERMS.spatial, self.country)
        checksum = ox.NamedNode(iris.checksum(document.value))
        self.add(document, SPDX.checksum, checksum)
        self.add(checksum, RDF.type, SPDX.Checksum)
        self.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        digest = hashlib.sha256(text.encode()).hexdigest()
        self.add(checksum, SPDX.checksumValue, ox.Literal(digest, datatype=_iri(XSD.hexBinary)))
        for name, body, motivation, start, end, part_of in self.spans:
            annotation = ox.NamedNode(name)
            target, position, quote = (
                ox.NamedNode(iris.annotation_part(name, part))
                for part in ("target", "position", "quote")
            )
            self.add(annotation, RDF.type, OA.Annotation)
            self.add(annotation, OA.motivatedBy, motivation)
            self.add(annotation, OA.hasBody, body)
            self.add(annotation, OA.hasTarget, target)
            if part_of is not None:
                self.add(annotation, DCTERMS.isPartOf, part_of)
            self.add(target, RDF.type, OA.SpecificResource)
            self.add(target, OA.hasSource, document)
            self.add(target, OA.hasSelector, position)
            self.add(target, OA.hasSelector, quote)
            self.add(position, RDF.type, OA.TextPositionSelector)
            self.add(position, OA.start, _number(start, XSD.nonNegativeInteger))
            self.add(position, OA.end, _number(end, XSD.nonNegativeInteger))
            self.add(quote, RDF.type, OA.TextQuoteSelector)
            self.add(quote, OA.exact, ox.Literal(text[start:end]))
            self.add(quote, OA.prefix, ox.Literal(text[max(0, start - CONTEXT) : start]))
            self.add(quote, OA.suffix, ox.Literal(text[end : end + CONTEXT]))
