"""Vega-Lite chart specifications of query results, for static/charts.js to draw.

A page puts each specification, data included, into a `<script type="application/json">`
block beside the table that holds the same numbers; the table is what a reader without
JavaScript sees. The browser compiles the specification with Vega-Lite and draws it with
Vega's expression interpreter (vega-interpreter), so nothing needs `eval` under the site's
strict CSP. Page charts (pages/charts.py) build on `Chart` and `base_spec`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..backends.rows import Row, Value

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = "container"  # the chart takes the width of its figure
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC_TYPES = frozenset(XSD + t for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"))


@dataclass
class Chart:
    """One chart: its element id, a title for screen readers and the Vega-Lite spec."""

    id: str
    title: str
    spec: dict[str, Any]


def base_spec(title: str, values: list[dict[str, Any]]) -> dict[str, Any]:
    """The parts every chart shares: schema, title, width, height and inline data."""
    return {"$schema": SCHEMA, "description": title, "width": WIDTH, "height": 220,
            "data": {"values": values}, "config": {"font": "system-ui, sans-serif"}}


def short_name(value: Value) -> str:
    """A term as an axis label: an IRI's last path segment or fragment, else its value."""
    if value.is_iri:
        return value.value.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return value.value


def result_chart(variables: Sequence[str], rows: Sequence[Row],
                 label: Callable[[Value], str] = short_name, limit: int = 200) -> Chart | None:
    """A bar chart of a result's last numeric column against its first other column.

    A column is numeric when every row binds it to a literal of an XSD numeric type. None
    when the result has no numeric column, no other column to put beside it, or only one
    value in that column. `label`
    names a term on the axis (a label or prefixed name for an IRI); at most `limit` rows are
    drawn, the table beside the chart holds them all.
    """
    numeric = [v for v in variables if rows and all(
        v in row and row[v].datatype in NUMERIC_TYPES for row in rows)]
    others = [v for v in variables if v not in numeric]
    if not numeric or not others:
        return None
    x, y = others[0], numeric[-1]  # an aggregate usually comes last
    if len({row[x].value for row in rows if x in row}) < 2:
        return None  # one bar (or one stack of a repeated name) says nothing a table does not
    values = [{x: label(row[x]) if x in row else "", y: float(row[y].value)}
              for row in rows[:limit]]
    title = f"{y} per {x}"
    spec = base_spec(title, values) | {
        "height": {"step": 18},
        "mark": "bar",
        "encoding": {
            "y": {"field": x, "type": "nominal", "sort": None, "title": x},
            "x": {"field": y, "type": "quantitative", "title": y},
            "tooltip": [{"field": x}, {"field": y, "type": "quantitative"}]}}
    return Chart("result-chart", title, spec)
