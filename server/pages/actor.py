"""The actor page: an organisation or a person across the consultations.

Names in English and Japanese, kind, where it sits (parent, units, sub-organisations,
members, a person's affiliation and post), a timeline of every meeting of the process with
the role it attended in, the contributions the record attributes to it (and to a group it
attended in, such as "the stakeholders"), where it is
mentioned (with the exact words), and links to the same entity elsewhere (Wikidata, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from ..backends.rows import Row
from .common import PageContext, Quote, quote_of, text
from .paging import page_number, page_of
from .terms import FOAF, ORG, OWL, RDFS, SDO, SKOS

EXTERNAL = (OWL.sameAs, SKOS.exactMatch, FOAF.page, SDO.url)


@dataclass
class Meeting:
    consultation: str
    ordinal: str
    date: str
    label: str
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)  # IRI -> (notation, label)


@dataclass
class Contribution:
    iri: str
    kind: str
    description: str | None
    subject: str | None
    consultation: str
    consultation_label: str
    date: str
    items: dict[str, tuple[int, str]] = field(default_factory=dict)


@dataclass
class Mention:
    node: str
    label: str | None
    description: str | None
    consultation: str | None
    consultation_label: str | None
    date: str | None
    quotes: list[Quote] = field(default_factory=list)


def render(page: PageContext) -> str:
    """Render the page of the actor `page.iri`."""
    site, iri, statements = page.site, page.iri, page.statements
    timelines = _meetings(site.select("actor-meetings", x=iri))
    mentions_page = page_of(mentions(site.select("mentions", x=iri)), page_number(request.args),
                            site.settings["PAGE_SIZE"])
    attended = sum(1 for meetings in timelines.values() for m in meetings if m.roles)
    return page.render(
        "actor.html", timelines=timelines, attended=attended,
        kinds=statements.links(ORG.classification),
        acronyms=statements.values(SKOS.altLabel),
        job_title=statements.first(SDO.jobTitle), comment=statements.first(RDFS.comment),
        structure=_structure(site.select("actor-organisation", x=iri)),
        contributions=_contributions(site.select("actor-contributions", x=iri)),
        group_contributions=site.select("actor-group-contributions", x=iri),
        mentions=mentions_page[0], mentions_page=mentions_page[1],
        external=[link for prop in EXTERNAL for link in statements.links(prop)],
        is_person=any(t.value.value == str(FOAF.Person) for t in statements.types))


def _meetings(rows: list[Row]) -> dict[str, list[Meeting]]:
    """Each NAP process's meetings in order, with the actor's roles (none if absent)."""
    processes: dict[str, dict[str, Meeting]] = {}
    for row in rows:
        meetings = processes.setdefault(row["process"].value, {})
        consultation = row["consultation"].value
        meeting = meetings.setdefault(consultation, Meeting(
            consultation, row["ordinal"].value, row["date"].value, row["label"].value))
        if "role" in row:
            meeting.roles[row["role"].value] = (row["roleNotation"].value,
                                                row["roleLabel"].value)
    return {process: list(meetings.values()) for process, meetings in processes.items()}


def _structure(rows: list[Row]) -> dict[str, list[tuple[str, str, str | None, str | None]]]:
    """Related actors by relation: (IRI, English label, Japanese label, post label)."""
    structure: dict[str, list[tuple[str, str, str | None, str | None]]] = {}
    for row in rows:
        entry = (row["other"].value, text(row, "otherLabel") or row["other"].value,
                 text(row, "otherLabelJa"), text(row, "postLabel"))
        related = structure.setdefault(row["relation"].value, [])
        if entry not in related:
            related.append(entry)
    return structure


def _contributions(rows: list[Row]) -> list[Contribution]:
    found: dict[str, Contribution] = {}
    for row in rows:
        iri = row["contribution"].value
        contribution = found.setdefault(iri, Contribution(
            iri, row["kindLabel"].value, text(row, "description"), text(row, "subject"),
            row["consultation"].value, row["consultationLabel"].value, row["date"].value))
        if "item" in row:
            contribution.items[row["item"].value] = (int(row["itemPosition"].value),
                                                     row["itemDescription"].value)
    return list(found.values())


def mentions(rows: list[Row]) -> list[Mention]:
    """Group mentions.rq rows by the fact that mentions the resource, in record order."""
    found: dict[str, Mention] = {}
    for row in rows:
        node = row["node"].value
        mention = found.setdefault(node, Mention(
            node, text(row, "nodeLabel"), text(row, "nodeDescription"),
            text(row, "consultation"), text(row, "consultationLabel"), text(row, "date")))
        quote = quote_of(row)
        if quote not in mention.quotes:
            mention.quotes.append(quote)
    return list(found.values())
