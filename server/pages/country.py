"""The country page, `/id/country/{cc}`: what the graph holds about one country's NAP process.

Its counts, a card for each of its consultations, the attendance matrix (who attended
which consultation in what role), the attendance timeline and role mix of its consultations
and its UNGP coverage heat map (the charts of the consultation and /compare pages), all limited to the consultations of the country's own
processes (`?consultation dcterms:isPartOf/dcterms:spatial <country>`), so another
country's consultations and actors never show here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request

from ..backends.rows import Row, Value
from .charts import ProcessAttendance, principle_coverage, principles
from .common import PageContext, text
from .paging import Page, page_number, page_of
from .terms import NAP, PROV

PERSONS = "persons"  # the group of actors without an org:classification


@dataclass
class MatrixRow:
    actor: str
    label: str
    label_ja: str | None
    cells: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # consultation ->
    # [(role notation, role label)]


def render(page: PageContext) -> str:
    """Render the page of the country `page.iri`."""
    site, iri = page.site, page.iri
    consultations = site.select("country-page-consultations", x=iri)
    # The matrix's rows, PAGE_SIZE attendees a page (its columns: every consultation).
    every = site.select("country-page-matrix", x=iri)
    groups, roles, rows_page, sizes = matrix(every, page_number(request.args),
                                             site.settings["PAGE_SIZE"])
    counts = country_counts(site.select("country-page-counts", x=iri))
    country = {"iri": iri, "label": page.statements.label or iri}
    covered = {iri: {row["principle"].value: text(row, "consultations")
                     for row in site.select("country-page-principles", x=iri)}}
    return page.render(
        "country.html", consultations=consultations, groups=groups, roles=roles,
        rows_page=rows_page, group_sizes=sizes,
        counts=counts,
        process=ProcessAttendance.from_rows(site.select("country-page-attendance", x=iri)),
        coverage=principle_coverage([country], covered), countries=[country],
        principle_columns=principles(), principles=covered)


# The figures the page shows: (name, class or property, the partition's number).
COUNTS = (("consultations", NAP.Consultation, "entities"), ("actors", PROV.agent, "objects"),
          ("participations", PROV.agent, "triples"),
          ("contributions", NAP.Contribution, "entities"),
          ("points", NAP.DiscussionPoint, "entities"), ("instruments", NAP.Instrument, "entities"))


def country_counts(rows: list[Row]) -> dict[str, Value]:
    """The page's figures from the partitions of the country's summary (absent: none)."""
    found = {}
    for row in rows:
        term = row.get("class") or row.get("property")
        for name, iri, number in COUNTS:
            if term is not None and term.value == str(iri) and number in row:
                found[name] = row[number]
    return found


def matrix(rows: list[Row], number: int, size: int
           ) -> tuple[list[tuple[str, list[MatrixRow]]], list[tuple[str, str]], Page,
                      dict[str, int]]:
    """Group the attendance rows: [(kind label, [actor rows])] of page `number` (`size`
    attendees a page, in group order), the roles seen, the page, and the number of
    attendees in each group (on every page); raises NotFound past the last page."""
    groups: dict[str, dict[str, MatrixRow]] = {}
    roles: dict[str, str] = {}
    for row in rows:
        kind = text(row, "kindLabel") or PERSONS
        actor = row["actor"].value
        entry = groups.setdefault(kind, {}).setdefault(actor, MatrixRow(
            actor, text(row, "actorLabel") or actor, text(row, "actorLabelJa")))
        role = (row["roleNotation"].value, row["roleLabel"].value)
        entry.cells.setdefault(row["consultation"].value, []).append(role)
        roles[role[0]] = role[1]
    ordered = sorted(groups.items(), key=lambda g: (g[0] == PERSONS, g[0]))
    every = [(kind, actor) for kind, actors in ordered for actor in actors.values()]
    shown, page = page_of(every, number, size)
    paged: dict[str, list[MatrixRow]] = {}
    for kind, actor in shown:
        paged.setdefault(kind, []).append(actor)
    return (list(paged.items()), sorted(roles.items(), key=lambda r: r[1]), page,
            {kind: len(actors) for kind, actors in groups.items()})
