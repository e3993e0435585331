"""The country page, `/id/country/{cc}`: what the graph holds about one country's NAP process.

Its counts, a card for each of its consultations, the attendance matrix (who attended
which consultation in what role), the attendance timeline and role mix of its consultations
and its UNGP coverage heat map (the charts of the consultation and /compare pages), all limited to the consultations of the country's own
processes (`?consultation dcterms:isPartOf/dcterms:spatial <country>`), so another
country's consultations and actors never show here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..backends.rows import Row
from .charts import ProcessAttendance, principle_coverage, principles
from .common import PageContext, text

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
    groups, roles = matrix(site.select("country-page-matrix", x=iri))
    counts = next(iter(site.select("country-page-counts", x=iri)), {})
    country = {"iri": iri, "label": page.statements.label or iri}
    covered = {iri: {row["principle"].value: text(row, "consultations")
                     for row in site.select("country-page-principles", x=iri)}}
    return page.render(
        "country.html", consultations=consultations, groups=groups, roles=roles,
        counts=counts,
        process=ProcessAttendance.from_rows(site.select("country-page-attendance", x=iri)),
        coverage=principle_coverage([country], covered), countries=[country],
        principle_columns=principles(), principles=covered)


def matrix(rows: list[Row]) -> tuple[list[tuple[str, list[MatrixRow]]], list[tuple[str, str]]]:
    """Group the attendance rows: [(kind label, [actor rows])] and the roles seen."""
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
    return ([(kind, list(actors.values())) for kind, actors in ordered],
            sorted(roles.items(), key=lambda r: r[1]))
