"""The site's page charts: attendance across a NAP process, coverage heat maps.

Each is a `Chart` (sparql/charts.py) whose Vega-Lite spec carries its data; the page shows
the same numbers in a table beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from napgraph.graph import iris

from ..backends.rows import Row
from ..sparql.charts import Chart, base_spec
from .common import text

# The role colours of site.css, so a chart and the role badges agree.
ROLE_COLOURS = {
    "stakeholder": "#0072b2", "relevant-ministry": "#e69f00", "ministry-observer": "#f5d76e",
    "government-related-entity": "#009e73", "academia": "#cc79a7", "observer": "#56b4e9",
}
OTHER_COLOUR = "#999999"


@dataclass
class ProcessAttendance:
    """Attendances per consultation and role of one NAP process, from process-attendance.rq."""

    rows: list[dict[str, Any]]  # {consultation, label, date, role, notation, attendances}

    @classmethod
    def from_rows(cls, rows: Iterable[Row]) -> ProcessAttendance:
        """Read the rows of `process-attendance.rq`."""
        return cls([{"consultation": row["consultation"].value,
                     "label": text(row, "label") or row["consultation"].value,
                     "date": text(row, "date"), "role": text(row, "roleLabel"),
                     "notation": text(row, "roleNotation"),
                     "attendances": int(text(row, "attendances") or 0)} for row in rows])

    def roles(self) -> list[tuple[str, str]]:
        """The roles seen, as (notation, label), by label."""
        return sorted({(r["notation"], r["role"]) for r in self.rows}, key=lambda r: r[1])

    def meetings(self) -> list[dict[str, Any]]:
        """One entry per consultation, by date: its counts per role notation and its total."""
        found: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            meeting = found.setdefault(row["consultation"], {
                "iri": row["consultation"], "label": row["label"], "date": row["date"],
                "roles": {}, "total": 0})
            meeting["roles"][row["notation"]] = row["attendances"]
            meeting["total"] += row["attendances"]
        return sorted(found.values(), key=lambda m: m["date"] or "")

    def timeline(self) -> Chart:
        """Attendances per consultation over time: a line with a point per meeting."""
        title = "Attendances per consultation over time"
        values = [{"date": m["date"], "consultation": m["label"], "attendances": m["total"]}
                  for m in self.meetings()]
        spec = base_spec(title, values) | {
            "mark": {"type": "line", "point": {"size": 60}},
            "encoding": {
                "x": {"field": "date", "type": "temporal", "title": "Date"},
                "y": {"field": "attendances", "type": "quantitative", "title": "Attendances"},
                "tooltip": [{"field": "consultation"}, {"field": "date", "type": "temporal"},
                            {"field": "attendances", "type": "quantitative"}]}}
        return Chart("attendance-timeline", title, spec)

    def role_mix(self) -> Chart:
        """Attendances per consultation stacked by role, in the roles' site colours."""
        title = "Role mix per consultation"
        roles = self.roles()
        values = [{"date": r["date"], "consultation": r["label"], "role": r["role"],
                   "attendances": r["attendances"]} for r in self.rows]
        spec = base_spec(title, values) | {
            "mark": "bar",
            "encoding": {
                "x": {"field": "date", "type": "ordinal", "title": "Consultation date",
                      "timeUnit": "yearmonthdate", "axis": {"labelAngle": -40}},
                "y": {"aggregate": "sum", "field": "attendances", "type": "quantitative",
                      "title": "Attendances"},
                "color": {"field": "role", "type": "nominal", "title": "Role",
                          "scale": {"domain": [label for _, label in roles],
                                    "range": [ROLE_COLOURS.get(n, OTHER_COLOUR)
                                              for n, _ in roles]}},
                "tooltip": [{"field": "consultation"}, {"field": "role"},
                            {"field": "attendances", "type": "quantitative"}]}}
        return Chart("role-mix", title, spec)


def heat_map(chart_id: str, title: str, cells: Sequence[Mapping[str, Any]],
             x_title: str, y_title: str) -> Chart:
    """A heat map of `cells` ({x, y, value}), x in the cells' order; a 0 cell stays blank."""
    columns = list(dict.fromkeys(cell["x"] for cell in cells))
    spec = base_spec(title, list(cells)) | {
        "height": {"step": 28},
        "transform": [{"filter": "datum.value > 0"}],
        "mark": {"type": "rect", "stroke": "#ffffff"},
        "encoding": {
            "x": {"field": "x", "type": "ordinal", "title": x_title,
                  "scale": {"domain": columns}, "axis": {"labelAngle": 0}},
            "y": {"field": "y", "type": "nominal", "title": y_title},
            "color": {"field": "value", "type": "quantitative", "title": "Consultations",
                      "scale": {"scheme": "blues", "domainMin": 0}},
            "tooltip": [{"field": "y", "title": y_title}, {"field": "x", "title": x_title},
                        {"field": "value", "type": "quantitative", "title": "Consultations"}]}}
    return Chart(chart_id, title, spec)


def principles() -> list[tuple[str, str]]:
    """Every principle of the shared UNGP scheme, 1 to 31, as (IRI, number)."""
    return [(str(iris.ungp_principle(n)), str(n)) for n in range(1, 32)]


def principle_coverage(countries: Sequence[Mapping[str, Any]],
                       counts: Mapping[str, Mapping[str, str]]) -> Chart:
    """The heat map of consultations per country ({iri, label}) and principle, from
    `counts` ({country IRI: {principle IRI: consultations}}; 0 where none)."""
    cells = [{"x": number, "y": country["label"],
              "value": int(counts.get(country["iri"], {}).get(iri) or 0)}
             for country in countries for iri, number in principles()]
    return heat_map("principle-coverage", "Consultations addressing each Guiding Principle",
                    cells, "Guiding Principle", "Country")
