"""Emit the facts extracted from the record (the country's facts graph).

Only what the text says goes here: the NAP process, consultations, participations,
contributions, discussion points, and what they mention. Curated knowledge about actors
and instruments goes to the registry graph (emit_registry.py); provenance to
provenance.py.
"""

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, SKOS, XSD

from napgraph.graph import iris
from napgraph.graph.record import (
    Consultation,
    Contribution,
    Decision,
    DiscussionPoint,
    Record,
)
from napgraph.graph.registry import Registry
from napgraph.graph.vocab import NAP

ROLE_LABELS = {
    "stakeholder": "stakeholder",
    "relevant-ministry": "relevant ministry or agency",
    "ministry-observer": "ministry attending as observer",
    "government-related-entity": "government-related entity",
    "academia": "academia",
    "observer": "observer",
}
GROUP_LABELS = {
    "stakeholder": "the stakeholders",
    "relevant-ministry": "the relevant ministries",
    "government-related-entity": "the government-related entities",
}


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def ordinal_suffix(number: int) -> str:
    """The English suffix of an ordinal number: `st`, `nd`, `rd` or `th`."""
    if 10 <= number % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")


def ordinal_label(ordinal: int) -> str:
    """An ordinal number written as in the record: `1st`, `2nd`, `11th`."""
    return f"{ordinal}{ordinal_suffix(ordinal)}"


def entity_iri(registry: Registry, key: str) -> URIRef:
    """The IRI of a registry entity or topic key (`org:mofa`, `topic:smes`, …)."""
    kind, slug = key.split(":", 1)
    if kind == "topic":
        return iris.concept("topic", slug)
    entity = registry.get(key)
    if kind == "instrument":
        return iris.instrument(entity.scope, slug)
    return iris.actor(entity.scope or registry.country, kind, slug)


def process_iri(registry: Registry, meta: dict) -> URIRef:
    return iris.nap_process(registry.country, meta["nap_process"]["slug"])


def consultation_iri(registry: Registry, meta: dict, consultation: Consultation) -> URIRef:
    return iris.consultation(registry.country, consultation.date.year, consultation.ordinal)


def emit_facts(record: Record, registry: Registry, meta: dict) -> Graph:
    """Return the graph of facts stated by the record."""
    graph = Graph()
    process = process_iri(registry, meta)
    graph.add((process, RDF.type, NAP.NAPProcess))
    graph.add((process, RDF.type, PROV.Activity))
    graph.add((process, RDFS.label, en(meta["nap_process"]["label"])))
    graph.add((process, DCTERMS.spatial, iris.country(registry.country)))
    if record.introduction:  # one text, paragraphs in order, as for discussion points
        text = "\n\n".join(paragraph.text for paragraph in record.introduction)
        graph.add((process, DCTERMS.description, en(text)))
    for paragraph in record.introduction:
        for mention in paragraph.mentions:
            graph.add((process, SDO.mentions, entity_iri(registry, mention.key)))
    for consultation in record.consultations:
        node = consultation_iri(registry, meta, consultation)
        graph.add((process, DCTERMS.hasPart, node))
        _consultation(graph, registry, node, process, consultation)
    return graph


def _consultation(
    graph: Graph, registry: Registry, node: URIRef, process: URIRef, consultation: Consultation
) -> None:
    for type_ in (NAP.Consultation, PROV.Activity, SDO.Event):
        graph.add((node, RDF.type, type_))
    graph.add((node, RDFS.label, en(consultation.heading)))
    graph.add((node, NAP.ordinal, Literal(consultation.ordinal, datatype=XSD.positiveInteger)))
    graph.add((node, SKOS.notation, Literal(str(consultation.ordinal))))
    graph.add((node, SDO.startDate, Literal(consultation.date.isoformat(), datatype=XSD.date)))
    graph.add((node, NAP.topicStatement, Literal(consultation.topic_statement)))
    graph.add((node, DCTERMS.isPartOf, process))
    if consultation.organiser:
        graph.add((node, SDO.organizer, entity_iri(registry, consultation.organiser)))
    for topic in consultation.topics:
        graph.add((node, SDO.about, entity_iri(registry, topic.key)))
    label = ordinal_label(consultation.ordinal)
    for participation in consultation.participations:
        actor = entity_iri(registry, participation.actor)
        item = iris.participation(node, participation.actor.split(":", 1)[1])
        graph.add((item, RDF.type, NAP.Participation))
        graph.add((item, RDF.type, PROV.Association))
        graph.add((item, PROV.agent, actor))
        graph.add((item, PROV.hadRole, iris.concept("role", participation.role)))
        graph.add((item, NAP.participationIn, node))
        graph.add(
            (
                item,
                RDFS.label,
                en(
                    f"{_name(registry, participation.actor)} at the {label} "
                    f"consultation ({ROLE_LABELS[participation.role]})"
                ),
            )
        )
        graph.add((node, NAP.hasParticipation, item))
        graph.add((node, PROV.wasAssociatedWith, actor))
        graph.add((node, SDO.attendee, actor))
    for contribution in consultation.contributions:
        _contribution(graph, registry, node, label, contribution)
    for point in consultation.points:
        _point(graph, registry, node, point)
    for decision in consultation.decisions:
        _decision(graph, node, label, decision, consultation.points)


def _contribution(
    graph: Graph, registry: Registry, consultation: URIRef, label: str, contribution: Contribution
) -> None:
    node = iris.contribution(consultation, contribution.number, contribution.part)
    for type_ in (getattr(NAP, contribution.kind), NAP.Contribution, PROV.Entity):
        graph.add((node, RDF.type, type_))
    number = f"{contribution.number}" + (f"-{contribution.part}" if contribution.part else "")
    who = ", ".join(_name(registry, key) for key in contribution.contributors) or " and ".join(
        GROUP_LABELS[role] for role in contribution.groups
    )
    graph.add(
        (
            node,
            RDFS.label,
            en(f"{contribution.kind} {number} of the {label} consultation, by {who}"),
        )
    )
    graph.add((node, SKOS.notation, Literal(number)))
    graph.add((node, NAP.position, Literal(contribution.number, datatype=XSD.positiveInteger)))
    graph.add((node, DCTERMS.description, en(contribution.text)))
    if contribution.subject:
        graph.add((node, NAP.subjectText, Literal(contribution.subject)))
    graph.add((node, NAP.contributionTo, consultation))
    graph.add((node, PROV.wasGeneratedBy, consultation))
    graph.add((consultation, NAP.hasContribution, node))
    for key in contribution.contributors:
        graph.add((node, PROV.wasAttributedTo, entity_iri(registry, key)))
    for role in contribution.groups:
        graph.add((node, NAP.contributorRole, iris.concept("role", role)))
    for item in contribution.items:
        child = iris.contribution_item(node, item.number)
        graph.add((child, RDF.type, NAP.ContributionItem))
        graph.add((child, RDF.type, PROV.Entity))
        graph.add((child, NAP.position, Literal(item.number, datatype=XSD.positiveInteger)))
        graph.add((child, RDFS.label, en(f"({item.number}) {item.text}")))
        graph.add((child, DCTERMS.description, en(item.text)))
        graph.add((node, NAP.hasItem, child))
    for mention in contribution.mentions:
        graph.add((node, SDO.mentions, entity_iri(registry, mention.key)))
    for topic in contribution.topics:
        graph.add((node, SDO.about, entity_iri(registry, topic.key)))


def _point(graph: Graph, registry: Registry, consultation: URIRef, point: DiscussionPoint) -> None:
    node = iris.discussion_point(consultation, point.number)
    graph.add((node, RDF.type, NAP.DiscussionPoint))
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, RDFS.label, en(point.heading)))
    graph.add((node, DCTERMS.title, en(point.heading)))
    graph.add((node, DCTERMS.description, en(point.text)))
    graph.add((node, NAP.position, Literal(point.number, datatype=XSD.positiveInteger)))
    graph.add((node, NAP.discussedAt, consultation))
    graph.add((consultation, NAP.hasDiscussionPoint, node))
    for mention in point.mentions:
        graph.add((node, SDO.mentions, entity_iri(registry, mention.key)))
    for topic in point.topics:
        graph.add((node, SDO.about, entity_iri(registry, topic.key)))


def _decision(
    graph: Graph,
    consultation: URIRef,
    label: str,
    decision: Decision,
    points: list[DiscussionPoint],
) -> None:
    node = iris.decision(consultation, decision.number)
    graph.add((node, RDF.type, NAP.Decision))
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, RDFS.label, en(f"Decision of the {label} consultation: {decision.decided}")))
    graph.add((node, DCTERMS.description, en(decision.text)))
    graph.add((node, NAP.subjectText, Literal(decision.decided)))
    graph.add((node, NAP.position, Literal(decision.number, datatype=XSD.positiveInteger)))
    graph.add((node, NAP.decidedAt, consultation))
    graph.add((node, PROV.wasGeneratedBy, consultation))
    graph.add((consultation, NAP.hasDecision, node))
    if decision.from_discussions:  # "Based on these discussions": the points recapped
        for point in points:
            graph.add((node, PROV.wasDerivedFrom, iris.discussion_point(consultation, point.number)))


def _name(registry: Registry, key: str) -> str:
    entity = registry.get(key)
    if entity.kind == "person":
        return f"{entity.row['honorific']} {entity.row['given_name']} {entity.row['family_name']}"
    return entity.row["acronym"] or entity.row["name_en"]
