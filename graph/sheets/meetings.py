"""The consultations of a spreadsheet folder and what happened at each: participations,
contributions, discussion points and decisions, as Japan's facts are written
(graph/emit_facts.py), each annotated with the quote of its row."""

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, SKOS, XSD

from napgraph.graph import iris
from napgraph.graph.emit_facts import en, ordinal_label
from napgraph.graph.sheets.context import Folder
from napgraph.graph.sheets.read import Row
from napgraph.graph.vocab import NAP

MODES = {
    "in-person": SDO.OfflineEventAttendanceMode,
    "online": SDO.OnlineEventAttendanceMode,
    "mixed": SDO.MixedEventAttendanceMode,
}
KINDS = {"report": NAP.Report, "presentation": NAP.Presentation, "statement": NAP.Statement}


def emit_consultations(folder: Folder) -> None:
    """Every consultation of consultations.csv: a meeting or a call for written submissions."""
    for row in folder.sheets.tables["consultations.csv"]:
        start, end = row.get("start_date"), row.get("end_date")
        node = iris.consultation(folder.country, start.year, row.get("ordinal"))
        if not folder.refs.declare("consultation", row.get("ordinal"), row, "ordinal", node):
            continue
        if end is not None and end < start:
            folder.refs.problems.append(row.problem("end_date", f"{end} is before the start, {start}"))
        _consultation(folder, row, node)


def _consultation(folder: Folder, row: Row, node: URIRef) -> None:
    graph, refs = folder.facts, folder.refs
    types = [NAP.Consultation, PROV.Activity, SDO.Event]
    if row.get("type") == "written":
        types.append(NAP.WrittenConsultation)
    for type_ in types:
        graph.add((node, RDF.type, type_))
    graph.add((node, RDFS.label, en(row.get("title_en"))))
    graph.add((node, NAP.ordinal, Literal(row.get("ordinal"), datatype=XSD.positiveInteger)))
    graph.add((node, SKOS.notation, Literal(str(row.get("ordinal")))))
    for column, prop in (("start_date", SDO.startDate), ("end_date", SDO.endDate)):
        if row.get(column) is not None:
            graph.add((node, prop, Literal(row.get(column).isoformat(), datatype=XSD.date)))
    if row.get("attendance_mode"):
        graph.add((node, SDO.eventAttendanceMode, MODES[row.get("attendance_mode")]))
    if row.get("place"):
        place = refs.find("place", row.get("place"), row, "place", "places.csv")
        if place is not None:
            graph.add((node, SDO.location, place))
    if row.get("organiser"):
        organiser = refs.find("actor", row.get("organiser"), row, "organiser", "actors.csv")
        if organiser is not None:
            graph.add((node, SDO.organizer, organiser))
    if row.get("topic_statement"):
        graph.add((node, NAP.topicStatement, Literal(row.get("topic_statement"))))
    _topics(folder, row, node)
    graph.add((node, DCTERMS.isPartOf, folder.process))
    graph.add((folder.process, DCTERMS.hasPart, node))
    folder.sources.annotate(row, node)


def emit_participants(folder: Folder) -> None:
    """Who took part in which consultation, in which role."""
    graph, refs, seen = folder.facts, folder.refs, set()
    for row in folder.sheets.tables["participants.csv"]:
        consultation = _consultation_of(folder, row)
        actor = refs.find("actor", row.get("actor"), row, "actor", "actors.csv")
        role = refs.concept("role", row.get("role"), row, "role")
        if consultation is None or actor is None or role is None:
            continue
        if (consultation, actor) in seen:
            refs.problems.append(row.problem("actor", f"{row.get('actor')!r} is listed twice "
                                             f"at consultation {row.get('consultation')}"))
            continue
        seen.add((consultation, actor))
        node = iris.participation(consultation, row.get("actor"))
        graph.add((node, RDF.type, NAP.Participation))
        graph.add((node, RDF.type, PROV.Association))
        graph.add((node, PROV.agent, actor))
        graph.add((node, PROV.hadRole, role))
        graph.add((node, NAP.participationIn, consultation))
        label = ordinal_label(row.get("consultation"))
        name = refs.names[row.get("actor")]
        graph.add((node, RDFS.label, en(f"{name} at the {label} consultation "
                                        f"({row.get('role')})")))
        graph.add((consultation, NAP.hasParticipation, node))
        graph.add((consultation, PROV.wasAssociatedWith, actor))
        graph.add((consultation, SDO.attendee, actor))
        folder.sources.annotate(row, node)


def emit_contributions(folder: Folder) -> None:
    """Reports, presentations and statements, by named actors or by a group's role."""
    graph, refs = folder.facts, folder.refs
    for row, consultation, node in _numbered(folder, "contributions.csv", iris.contribution):
        by, groups = row.get("by") or [], row.get("by_role") or []
        if not by and not groups:
            refs.problems.append(row.problem("by", "say who made it (by, or by_role)"))
            continue
        for type_ in (KINDS[row.get("type")], NAP.Contribution, PROV.Entity):
            graph.add((node, RDF.type, type_))
        kind = row.get("type").capitalize()
        graph.add((node, RDFS.label, en(f"{kind} {row.get('number')} of the "
                                        f"{ordinal_label(row.get('consultation'))} consultation")))
        graph.add((node, NAP.position, Literal(row.get("number"), datatype=XSD.positiveInteger)))
        graph.add((node, DCTERMS.description, en(row.get("text_en"))))
        if row.get("subject"):
            graph.add((node, NAP.subjectText, Literal(row.get("subject"))))
        graph.add((node, NAP.contributionTo, consultation))
        graph.add((node, PROV.wasGeneratedBy, consultation))
        graph.add((consultation, NAP.hasContribution, node))
        for key in by:
            actor = refs.find("actor", key, row, "by", "actors.csv")
            if actor is not None:
                graph.add((node, PROV.wasAttributedTo, actor))
        for slug in groups:
            role = refs.concept("role", slug, row, "by_role")
            if role is not None:
                graph.add((node, NAP.contributorRole, role))
        _topics(folder, row, node)
        folder.sources.annotate(row, node)


def emit_points(folder: Folder) -> None:
    """What was discussed at each consultation, point by point."""
    graph = folder.facts
    for row, consultation, node in _numbered(folder, "discussion_points.csv",
                                             iris.discussion_point):
        folder.refs.ids["point"][(consultation, row.get("number"))] = node
        graph.add((node, RDF.type, NAP.DiscussionPoint))
        graph.add((node, RDF.type, PROV.Entity))
        graph.add((node, RDFS.label, en(row.get("heading"))))
        graph.add((node, DCTERMS.title, en(row.get("heading"))))
        graph.add((node, DCTERMS.description, en(row.get("text_en"))))
        graph.add((node, NAP.position, Literal(row.get("number"), datatype=XSD.positiveInteger)))
        graph.add((node, NAP.discussedAt, consultation))
        graph.add((consultation, NAP.hasDiscussionPoint, node))
        _topics(folder, row, node)
        folder.sources.annotate(row, node)


def emit_decisions(folder: Folder) -> None:
    """What each consultation decided, and the discussion points it was based on."""
    graph, refs = folder.facts, folder.refs
    for row, consultation, node in _numbered(folder, "decisions.csv", iris.decision):
        graph.add((node, RDF.type, NAP.Decision))
        graph.add((node, RDF.type, PROV.Entity))
        label = ordinal_label(row.get("consultation"))
        graph.add((node, RDFS.label, en(f"Decision {row.get('number')} of the {label} consultation")))
        graph.add((node, DCTERMS.description, en(row.get("text_en"))))
        if row.get("decided"):
            graph.add((node, NAP.subjectText, Literal(row.get("decided"))))
        graph.add((node, NAP.position, Literal(row.get("number"), datatype=XSD.positiveInteger)))
        graph.add((node, NAP.decidedAt, consultation))
        graph.add((node, PROV.wasGeneratedBy, consultation))
        graph.add((consultation, NAP.hasDecision, node))
        for number in row.get("based_on") or []:
            point = refs.ids["point"].get((consultation, number))
            if point is None:
                refs.problems.append(row.problem("based_on", f"no discussion point {number} at "
                                                 f"consultation {row.get('consultation')}"))
            else:
                graph.add((node, PROV.wasDerivedFrom, point))
        folder.sources.annotate(row, node)


def _numbered(folder: Folder, file_name: str, mint):
    """(row, consultation, node) for each row of a table numbered within its consultation;
    rows naming an unknown consultation, or a number used twice, are problems."""
    seen = set()
    for row in folder.sheets.tables[file_name]:
        consultation = _consultation_of(folder, row)
        if consultation is None:
            continue
        if (consultation, row.get("number")) in seen:
            folder.refs.problems.append(row.problem(
                "number", f"{row.get('number')} is used twice at consultation "
                f"{row.get('consultation')}"))
            continue
        seen.add((consultation, row.get("number")))
        yield row, consultation, mint(consultation, row.get("number"))


def _consultation_of(folder: Folder, row: Row) -> URIRef | None:
    return folder.refs.find("consultation", row.get("consultation"), row, "consultation",
                            "consultations.csv")


def _topics(folder: Folder, row: Row, node: URIRef) -> None:
    for slug in row.get("topics") or []:
        topic = folder.refs.concept("topic", slug, row, "topics")
        if topic is not None:
            folder.facts.add((node, SDO.about, topic))
