"""Emit provenance: the source document and one Web Annotation per extracted node, pointing
to the span of the source text it came from (TextPositionSelector + TextQuoteSelector).

    <node#source> a oa:Annotation ; oa:motivatedBy oa:describing ; oa:hasBody <node> ;
        oa:hasTarget <node#source-target> .
    <node#source-target> a oa:SpecificResource ; oa:hasSource <document> ;
        oa:hasSelector <node#source-position>, <node#source-quote> .

Mentions and topic tags get their own annotations (`#mention-{slug}-{n}`, `#about-{slug}`,
motivated by oa:identifying / oa:tagging) whose body is the entity or topic and which are
`dcterms:isPartOf` the node that mentions it. No blank nodes: builds stay byte-identical.
"""

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, XSD

from napgraph.graph import iris
from napgraph.graph.emit_facts import consultation_iri, en, entity_iri, process_iri
from napgraph.graph.record import Mention, Record
from napgraph.graph.registry import Registry
from napgraph.graph.source import SourceText, Span
from napgraph.graph.vocab import OA, SPDX

CONTEXT = 32  # characters of prefix/suffix kept in quote selectors
MEDIA_TYPE = URIRef("http://www.iana.org/assignments/media-types/text/plain")
LANGUAGES = {"en": URIRef("http://id.loc.gov/vocabulary/iso639-1/en")}


def document_iri(registry: Registry, meta: dict) -> URIRef:
    return iris.source_document(registry.country, meta["slug"])


def emit_provenance(record: Record, registry: Registry, meta: dict) -> Graph:
    """Return the provenance graph of `record`."""
    graph = Graph()
    document = document_iri(registry, meta)
    _document(graph, registry, meta, document, record.source)
    annotate = Annotator(graph, record.source, document, registry)
    process = process_iri(registry, meta)
    for number, paragraph in enumerate(record.introduction, 1):
        annotate.node(process, paragraph.span, f"source-{number}")
        annotate.mentions(process, paragraph.mentions)
    for consultation in record.consultations:
        node = consultation_iri(registry, meta, consultation)
        annotate.node(node, consultation.date_span)
        annotate.node(node, consultation.heading_span, "heading")
        annotate.mentions(node, consultation.topics, "about")
        for participation in consultation.participations:
            annotate.node(
                iris.participation(node, participation.actor.split(":", 1)[1]), participation.span
            )
        for contribution in consultation.contributions:
            child = iris.contribution(node, contribution.number, contribution.part)
            annotate.node(child, contribution.span)
            annotate.mentions(child, contribution.mentions)
            annotate.mentions(child, contribution.topics, "about")
            for item in contribution.items:
                annotate.node(iris.contribution_item(child, item.number), item.span)
        for point in consultation.points:
            child = iris.discussion_point(node, point.number)
            annotate.node(child, point.span)
            annotate.mentions(child, point.mentions)
            annotate.mentions(child, point.topics, "about")
        for decision in consultation.decisions:
            annotate.node(iris.decision(node, decision.number), decision.span)
    return graph


def _document(
    graph: Graph, registry: Registry, meta: dict, node: URIRef, source: SourceText
) -> None:
    for type_ in (PROV.Entity, FOAF.Document):
        graph.add((node, RDF.type, type_))
    graph.add((node, RDFS.label, en(meta["title"])))
    graph.add((node, DCTERMS.title, en(meta["title"])))
    graph.add((node, DCTERMS.publisher, entity_iri(registry, f"org:{meta['publisher']}")))
    graph.add((node, DCTERMS.language, LANGUAGES[meta["language"]]))
    graph.add((node, DCTERMS.format, MEDIA_TYPE))
    graph.add((node, DCTERMS.spatial, iris.country(registry.country)))
    describe_checksum(graph, node, source.sha256)


def describe_checksum(graph: Graph, document: URIRef, sha256: str) -> None:
    """State the SHA-256 checksum of a source document (`spdx:checksum`)."""
    checksum = iris.checksum(document)
    graph.add((document, SPDX.checksum, checksum))
    graph.add((checksum, RDF.type, SPDX.Checksum))
    graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    graph.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))


class Annotator:
    """Writes annotations for spans of one source document (`registry` names what the
    mentions point at; none is needed for `node`)."""

    def __init__(
        self, graph: Graph, source: SourceText, document: URIRef, registry: Registry | None = None
    ):
        self.graph, self.source, self.document, self.registry = graph, source, document, registry
        self.counts: dict[tuple[URIRef, str], int] = {}  # mentions of one entity by one node

    def node(self, body: URIRef, span: Span, name: str = "source") -> URIRef:
        """Annotate `body` as stated by `span`; return the annotation's IRI."""
        annotation = iris.annotation(body, name)
        self._annotation(annotation, body, span, OA.describing)
        return annotation

    def mentions(self, node: URIRef, mentions: list[Mention], kind: str = "mention") -> None:
        for mention in mentions:
            slug = mention.key.split(":", 1)[1]
            count = self.counts[(node, slug)] = self.counts.get((node, slug), 0) + 1
            name = f"{kind}-{slug}" + (f"-{count}" if kind == "mention" else "")
            annotation = iris.annotation(node, name)
            motivation = OA.tagging if kind == "about" else OA.identifying
            self._annotation(
                annotation, entity_iri(self.registry, mention.key), mention.span, motivation
            )
            self.graph.add((annotation, DCTERMS.isPartOf, node))

    def _annotation(self, annotation: URIRef, body: URIRef, span: Span, motivation: URIRef) -> None:
        graph, text = self.graph, self.source.text
        target = iris.annotation_part(annotation, "target")
        position = iris.annotation_part(annotation, "position")
        quote = iris.annotation_part(annotation, "quote")
        graph.add((annotation, RDF.type, OA.Annotation))
        graph.add((annotation, OA.motivatedBy, motivation))
        graph.add((annotation, OA.hasBody, body))
        graph.add((annotation, OA.hasTarget, target))
        graph.add((target, RDF.type, OA.SpecificResource))
        graph.add((target, OA.hasSource, self.document))
        graph.add((target, OA.hasSelector, position))
        graph.add((target, OA.hasSelector, quote))
        graph.add((position, RDF.type, OA.TextPositionSelector))
        graph.add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
        graph.add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))
        graph.add((quote, RDF.type, OA.TextQuoteSelector))
        graph.add((quote, OA.exact, Literal(text[span.start : span.end])))
        graph.add((quote, OA.prefix, Literal(text[max(0, span.start - CONTEXT) : span.start])))
        graph.add((quote, OA.suffix, Literal(text[span.end : span.end + CONTEXT])))
