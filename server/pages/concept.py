"""Concept pages: UN Guiding Principles pillars and principles, topics, and concept schemes.

A pillar leads to its principles, a principle to the topics that concern it, a topic to the
principles it concerns, each alignment with its scope note (why). Then the consultations,
contributions and discussion points concerned, by meeting. Other concepts (roles, kinds of
actor, posts) get the same page, whose sections simply stay empty, plus every statement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from ..backends.rows import Row, read_rows
from .common import PageContext, text
from .paging import Page, page_at, page_number, page_of
from .site_data import Site
from .terms import DCTERMS, SKOS


@dataclass
class Alignment:
    principle: str
    notation: str
    label: str
    definition: str | None
    topics: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # label, note


@dataclass
class Meeting:
    consultation: str
    label: str
    ordinal: int
    date: str
    facts: dict[str, tuple[str, str | None, dict[str, str]]] = field(default_factory=dict)
    # fact IRI -> (kind label, fact label, {topic IRI: topic label})


def render(page: PageContext) -> str:
    """Render the page of the concept `page.iri`."""
    site, iri, statements = page.site, page.iri, page.statements
    alignments = _alignments(site.select("concept-coverage", x=iri))
    topics = [row["topic"].value for row in site.select("concept-topics", x=iri)]
    # Every country's consultations on a shared topic: PAGE_SIZE consultations a page.
    meetings, meetings_page, fact_count = _meetings_page(
        site, topics, page_number(request.args), site.settings["PAGE_SIZE"])
    return page.render(
        "concept.html", alignments=alignments, meetings=meetings, meetings_page=meetings_page,
        definition=statements.first(SKOS.definition), scope=statements.first(SKOS.scopeNote),
        notation=statements.first(SKOS.notation, None),
        alt_labels=[v for v in statements.values(SKOS.altLabel)],
        schemes=statements.links(SKOS.inScheme), broader=statements.links(SKOS.broader),
        narrower=sorted(statements.links(SKOS.narrower), key=_by_notation_text),
        fact_count=fact_count)


def render_scheme(page: PageContext) -> str:
    """Render the page of the concept scheme `page.iri`: its concepts as a tree."""
    rows = page.site.select("scheme-concepts", x=page.iri)
    concepts = {row["concept"].value: row for row in rows}
    children: dict[str | None, list[Row]] = {}
    for row in rows:
        parent = text(row, "broader")
        children.setdefault(parent if parent in concepts else None, []).append(row)
    for siblings in children.values():
        siblings.sort(key=lambda row: _by_notation(text(row, "notation") or ""))
    return page.render("scheme.html", children=children,
                       description=page.statements.first(DCTERMS.description))


def _alignments(rows: list[Row]) -> list[Alignment]:
    found: dict[str, Alignment] = {}
    for row in rows:
        principle = row["principle"].value
        alignment = found.setdefault(principle, Alignment(
            principle, row["principleNotation"].value, row["principleLabel"].value,
            text(row, "principleDefinition")))
        if "topic" in row and "topicLabel" in row:
            alignment.topics.setdefault(row["topic"].value,
                                        (row["topicLabel"].value, text(row, "note")))
    return sorted(found.values(), key=lambda a: _by_notation(a.notation))


def _meetings_page(site: Site, topics: list[str], number: int, size: int
                   ) -> tuple[list[Meeting], Page, int]:
    """Page `number` of the meetings with facts about any of `topics`, where it sits, and
    the number of facts in all. Kept with the store (graph/page_index.py), only the page's
    facts are read (a pillar gathers 40,000 at 10^7 quads); asked, every fact is."""
    kept = site.from_index(lambda index: index.concept_facts(topics, (number - 1) * size, size))
    if kept is not None:
        rows = read_rows(kept.rows)
        found = page_at(number, size, kept.meetings)
        return _meetings([(row["x"].value, row) for row in rows]), found, kept.facts
    every = _meetings(_facts(site, topics))
    meetings, found = page_of(every, number, size)
    return meetings, found, sum(len(m.facts) for m in every)


def _facts(site: Site, topics: list[str]) -> list[tuple[str, Row]]:
    """(topic, fact row) for every topic the concept gathers (concept-topics), each topic's
    facts read from the topic itself (concept-facts): a few small queries rather than one
    that reads the facts about every topic of every country."""
    rows = [(topic, row) for topic in topics for row in site.select("concept-facts", x=topic)
            if "kindLabel" in row and "topicLabel" in row]
    # The order of the one query these replace: by date, meeting, kind, fact, then topic
    # (page_index.PageIndex.concept_facts sorts alike).
    return sorted(rows, key=lambda pair: (pair[1]["date"].value, int(pair[1]["ordinal"].value),
                                          pair[1]["consultation"].value, pair[1]["kind"].value,
                                          pair[1]["fact"].value, pair[0]))


def _meetings(rows: list[tuple[str, Row]]) -> list[Meeting]:
    found: dict[str, Meeting] = {}
    for topic, row in rows:
        consultation = row["consultation"].value
        meeting = found.setdefault(consultation, Meeting(
            consultation, row["consultationLabel"].value, int(row["ordinal"].value),
            row["date"].value))
        fact = meeting.facts.setdefault(row["fact"].value, (
            row["kindLabel"].value, text(row, "factLabel"), {}))
        fact[2][topic] = row["topicLabel"].value
    return list(found.values())


def _by_notation(notation: str) -> tuple[int, str]:
    return (int(notation), "") if notation.isdigit() else (10**6, notation)


def _by_notation_text(link: object) -> tuple[int, str]:
    label = getattr(link, "text", "")
    digits = "".join(ch for ch in label if ch.isdigit())
    return (int(digits), label) if digits else (10**6, label)
