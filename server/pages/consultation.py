"""The consultation page: one meeting as the record tells it, every fact with its source.

Date and topic; the reports, presentations and statements with who made them and their
sub-items; the discussion points in full; the decisions taken; the attendees grouped by role; the UN Guiding
Principles the topics concern; the laws and other instruments it mentions; the kinds of
attendees; for each fact the quote of the record it was read from; and
the attendance of every meeting of the same process, by role, as charts beside a table.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..backends.rows import Row
from .charts import ProcessAttendance
from .common import PageContext, Quote, quote_of, text


@dataclass
class Contribution:
    iri: str
    kind: str
    notation: str | None
    description: str | None
    subject: str | None
    agents: dict[str, str] = field(default_factory=dict)  # IRI -> label
    groups: dict[str, str] = field(default_factory=dict)
    items: dict[str, tuple[int, str]] = field(default_factory=dict)  # IRI -> (position, text)


@dataclass
class Point:
    iri: str
    position: int
    heading: str | None
    paragraphs: list[str]
    topics: dict[str, str] = field(default_factory=dict)


@dataclass
class Decision:
    iri: str
    position: int
    description: str | None
    points: dict[str, str] = field(default_factory=dict)  # the points it was based on


@dataclass
class Principle:
    iri: str
    notation: str
    label: str
    definition: str | None
    pillar: str
    pillar_label: str
    pillar_notation: str
    direct: bool = False  # concerned by a topic of the meeting itself, not only of an item
    topics: dict[str, str] = field(default_factory=dict)


@dataclass
class Attendee:
    participation: str
    actor: str
    label: str
    label_ja: str | None
    kind: str | None


def render(page: PageContext) -> str:
    """Render the page of the consultation `page.iri`."""
    site, iri = page.site, page.iri
    rows = site.select("consultation", x=iri)
    meeting = rows[0] if rows else {}
    sources: dict[str, list[Quote]] = defaultdict(list)
    # The date sentence describes the consultation; its heading (`#heading`), which comes
    # first in the text, is shown after it.
    rows_by_role = sorted(site.select("consultation-sources", x=iri),
                          key=lambda row: row["annotation"].value.endswith("#heading"))
    for row in rows_by_role:
        sources[row["fact"].value].append(quote_of(row))
    topics, principles = _topics(site.select("consultation-topics", x=iri))
    attendees = _attendees(site.select("consultation-attendees", x=iri))
    return page.render(
        "consultation.html", meeting=meeting, topics=topics, pillars=_by_pillar(principles),
        contributions=_contributions(site.select("consultation-contributions", x=iri)),
        points=_points(site.select("consultation-points", x=iri)),
        decisions=_decisions(site.select("consultation-decisions", x=iri)),
        attendees=attendees, kinds=_kinds(attendees),
        instruments=site.select("consultation-instruments", x=iri),
        process=ProcessAttendance.from_rows(site.select("process-attendance", x=iri)),
        sources=sources)


def _topics(rows: list[Row]) -> tuple[dict[str, str], dict[str, Principle]]:
    meeting_topics: dict[str, str] = {}
    principles: dict[str, Principle] = {}
    for row in rows:
        topic, label = row["topic"].value, row["topicLabel"].value
        if row["level"].value == "meeting":
            meeting_topics[topic] = label
        if "principle" in row:
            principle = principles.setdefault(row["principle"].value, Principle(
                row["principle"].value, row["principleNotation"].value,
                row["principleLabel"].value, text(row, "principleDefinition"),
                row["pillar"].value, row["pillarLabel"].value, row["pillarNotation"].value))
            principle.topics[topic] = label
            principle.direct = principle.direct or row["level"].value == "meeting"
    return meeting_topics, principles


def _by_pillar(principles: dict[str, Principle]) -> list[tuple[str, str, list[Principle]]]:
    """Principles grouped by pillar (I, II, III), each group in the principles' order."""
    pillars: dict[tuple[str, str, str], list[Principle]] = {}
    for principle in sorted(principles.values(), key=lambda p: _number(p.notation)):
        key = (principle.pillar_notation, principle.pillar, principle.pillar_label)
        pillars.setdefault(key, []).append(principle)
    return [(iri, label, members) for (_, iri, label), members in sorted(pillars.items())]


def _contributions(rows: list[Row]) -> list[Contribution]:
    found: dict[str, Contribution] = {}
    for row in rows:
        iri = row["contribution"].value
        contribution = found.setdefault(iri, Contribution(
            iri, row["kindLabel"].value, text(row, "notation"), text(row, "description"),
            text(row, "subject")))
        if "agent" in row:
            contribution.agents[row["agent"].value] = text(row, "agentLabel") or ""
        if "group" in row:
            contribution.groups[row["group"].value] = text(row, "groupLabel") or ""
        if "item" in row:
            contribution.items[row["item"].value] = (int(row["itemPosition"].value),
                                                     row["itemDescription"].value)
    return list(found.values())


def _points(rows: list[Row]) -> list[Point]:
    found: dict[str, Point] = {}
    for row in rows:
        iri = row["point"].value
        description = text(row, "description") or ""
        point = found.setdefault(iri, Point(
            iri, _position(row), text(row, "heading"),
            [part.strip() for part in description.split("\n\n") if part.strip()]))
        if "topic" in row:
            point.topics[row["topic"].value] = row["topicLabel"].value
    return list(found.values())


def _decisions(rows: list[Row]) -> list[Decision]:
    found: dict[str, Decision] = {}
    for row in rows:
        iri = row["decision"].value
        decision = found.setdefault(iri, Decision(
            iri, _position(row), text(row, "description")))
        if "point" in row:
            decision.points[row["point"].value] = text(row, "pointLabel") or ""
    return list(found.values())


def _attendees(rows: list[Row]) -> list[tuple[str, str, list[Attendee]]]:
    """Attendees grouped by role: (role notation, role label, attendees), roles by label."""
    groups: dict[tuple[str, str], list[Attendee]] = {}
    for row in rows:
        role = (row["roleNotation"].value, row["roleLabel"].value)
        groups.setdefault(role, []).append(Attendee(
            row["participation"].value, row["actor"].value,
            text(row, "actorLabel") or row["actor"].value, text(row, "actorLabelJa"),
            text(row, "kindLabel")))
    return [(notation, label, members)
            for (notation, label), members in sorted(groups.items(), key=lambda g: g[0][1])]


def _kinds(attendees: list[tuple[str, str, list[Attendee]]]) -> list[tuple[str, int]]:
    """How many attendees of each kind (government body, business association, ...; persons
    have no kind), most first; an actor attending in two roles counts once."""
    kinds: dict[str, set[str]] = {}
    for _, _, members in attendees:
        for attendee in members:
            kinds.setdefault(attendee.kind or "person", set()).add(attendee.actor)
    return sorted(((kind, len(actors)) for kind, actors in kinds.items()),
                  key=lambda k: (-k[1], k[0]))


def _position(row: Row) -> int:
    """A row's `position` as a number; 0 when missing or not a number (imported data)."""
    value = text(row, "position") or ""
    return int(value) if value.isdigit() else 0


def _number(notation: str) -> tuple[int, str]:
    return (int(notation), "") if notation.isdigit() else (10**6, notation)
