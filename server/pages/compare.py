"""The /compare page: countries side by side, built only from what the loaded graphs hold.

It runs the cross-country canned queries (`queries/country-*.rq`) through the site's
backend, so it works on the embedded and on a remote store, and is cached per dataset
version like every page: countries × UNGP pillars, countries × principles (a heat map
beside its table), kinds of actors per country, and each country's consultations with their
dates.
"""

from __future__ import annotations

from collections import defaultdict

from flask import Blueprint, Flask, Response, render_template, request

from ..backends.rows import read_rows
from ..http import formats as fmt
from ..http.cache import Answer
from .charts import principle_coverage, principles
from .common import text
from .site_data import SELECT_JSON, current_site, serve_cached

bp = Blueprint("compare", __name__)
QUERIES = ("country-consultations", "country-pillars", "country-principles",
           "country-actor-kinds")


def _rows(name: str) -> list:
    site = current_site()
    return read_rows(site.run_text(site.canned[name].text, SELECT_JSON, {}).body)


def _countries(rows: list) -> list[dict]:
    return [{"iri": text(r, "country"), "label": text(r, "countryLabel") or text(r, "country"),
             "consultations": int(text(r, "consultations") or 0), "first": text(r, "first"),
             "last": text(r, "last")} for r in rows]


def _table(rows: list, column: str, value: str | None) -> dict[str, dict[str, str]]:
    """{country IRI: {column IRI: value}} from rows of one cross-country query."""
    table: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        table[text(row, "country")][text(row, column)] = text(row, value) if value else "✓"
    return table


def _columns(rows: list, column: str, label: str) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for row in rows:
        seen.setdefault(text(row, column), text(row, label) or text(row, column))
    return list(seen.items())


@bp.route("/compare")
def compare() -> Response:
    """Countries side by side: UNGP pillars and principles, actor kinds, consultations."""
    def build() -> Answer:
        pillars, principle_rows, kinds = (_rows(name) for name in QUERIES[1:])
        countries = _countries(_rows("country-consultations"))
        principle_counts = _table(principle_rows, "principle", "consultations")
        body = render_template(
            "compare.html", alternates=[], countries=countries,
            coverage=principle_coverage(countries, principle_counts),
            pillar_columns=_columns(pillars, "pillar", "pillarNotation"),
            pillar_consultations=_table(pillars, "pillar", "consultations"),
            pillar_principles=_table(pillars, "pillar", "principles"),
            principle_columns=principles(), principles=principle_counts,
            kind_columns=_columns(kinds, "kind", "kindLabel"),
            kinds=_table(kinds, "kind", "actors"),
        ).encode("utf-8")
        return Answer(body, fmt.HTML.content_type, None)

    return serve_cached(("compare", request.path), build, ("Accept-Encoding",))


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
