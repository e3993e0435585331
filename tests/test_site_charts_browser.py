"""The charts in a real browser (Debian's Chromium): drawn by Vega under the strict CSP.

Each chart must be drawn (no `eval`: Vega runs with its expression interpreter), show one
mark per number of the table beside it, and leave no console error or CSP violation. With
scripts off the table is still there and the chart area stays empty.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.site_fixtures import ARTIFACTS, finish

DRAWN = ".chart-view[data-chart-drawn=true] svg"


def drawn(page, chart_id: str):
    """The SVG of chart `chart_id` once Vega has drawn it."""
    page.locator(f"#{chart_id} {DRAWN}").wait_for(state="visible", timeout=15_000)
    return page.locator(f"#{chart_id} {DRAWN}")


def last_cells(page, selector: str) -> list[str]:
    """The text of the last cell of each body row of the table `selector`."""
    return page.locator(f"{selector} tbody tr").evaluate_all(
        "rows => rows.map(r => r.lastElementChild.textContent.trim())")


def check_process_charts(page, meetings: int) -> int:
    """The timeline and role mix against their table: a point per meeting, a bar per
    non-zero (meeting, role) cell. Returns the attendances the table adds up to."""
    timeline = drawn(page, "attendance-timeline")
    assert timeline.locator(".mark-symbol.role-mark path").count() == meetings
    roles = drawn(page, "role-mix")
    totals = last_cells(page, "table.process-table")
    assert len(totals) == meetings
    # (the cells after the row header: the date, one per role, then the total)
    cells = page.locator("table.process-table tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('td')].slice(1, -1)"
        ".map(c => c.textContent.trim()))")
    nonzero = sum(1 for row in cells for cell in row if cell != "0")
    assert nonzero > 0
    assert roles.locator(".mark-rect.role-mark path").count() == nonzero
    return sum(int(n) for n in totals)


def check_heat_map(page, countries: int) -> int:
    """The principle heat map against its table: a cell per count; returns how many."""
    heat = drawn(page, "principle-coverage")
    counts = page.locator("table.principle-table tbody td").evaluate_all(
        "cells => cells.map(c => c.textContent.trim())")
    assert len(counts) == 31 * countries
    addressed = [c for c in counts if c.isdigit()]
    assert heat.locator(".mark-rect.role-mark path").count() == len(addressed)
    return len(addressed)


def test_attendance_timeline_and_role_mix_on_a_consultation(visit):
    seen = visit("/id/jp/consultation/2018-04")
    page = seen.page
    # One point per consultation of the process: Japan's ten meetings.
    assert check_process_charts(page, 10) == 212  # every attendance of the record
    table = page.locator("table.process-table")
    assert table.locator("tr.current th").inner_text() == "4th multi-stakeholder consultation"
    page.locator("section.process-attendance").screenshot(
        path=str(ARTIFACTS / "chart-consultation-section.png"))
    finish(seen, "chart-consultation")


def stat(page, words: str) -> int:
    """The number the country page's hero states before `words`."""
    return int(page.locator(".stats li", has_text=words).locator("strong").inner_text())


@pytest.mark.parametrize("cc, meetings, attendances", [("jp", 10, 212), ("xx", 3, None)])
def test_country_page_charts(visit, request, cc, meetings, attendances):
    server = request.getfixturevalue("jp_xx_server") if cc == "xx" else None
    seen = visit(f"/id/country/{cc}", server=server)
    page = seen.page
    total = check_process_charts(page, meetings)
    assert total == stat(page, "attendances")
    if attendances is not None:
        assert total == attendances
    assert page.locator("table.process-table tr.current").count() == 0
    assert check_heat_map(page, 1) > 0
    finish(seen, f"chart-country-{cc}")


def test_principle_heat_map_on_compare(visit):
    seen = visit("/compare")
    page = seen.page
    # One cell per principle Japan's consultations addressed (a count in the table).
    check_heat_map(page, 1)  # one country here: Japan
    page.locator("#principle-coverage").screenshot(
        path=str(ARTIFACTS / "chart-compare-heat-map.png"))
    finish(seen, "chart-compare")


@pytest.mark.parametrize("path", [
    "/queries/attendance-by-role",
    "/sparql?" + urlencode({"format": "html", "query":
                            "PREFIX nap: <https://w3id.org/napgraph/ontology#>\n"
                            "SELECT ?c (COUNT(?p) AS ?attendances) "
                            "WHERE { ?c nap:hasParticipation ?p } GROUP BY ?c ORDER BY ?c"}),
], ids=["canned", "sparql"])
def test_result_chart_beside_its_table(visit, path):
    seen = visit(path)
    page = seen.page
    chart = drawn(page, "result-chart")
    rows = page.locator("table.results-table tbody tr").count()
    assert rows > 1
    assert chart.locator(".mark-rect.role-mark path").count() == min(rows, 200)
    finish(seen, "chart-result-" + path.split("?")[0].strip("/").replace("/", "-"))


def test_a_result_without_numbers_has_no_chart(visit):
    seen = visit("/sparql?" + urlencode({"format": "html", "query":
                                         "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"}))
    assert seen.page.locator("table.results-table tbody tr").count() == 3
    assert seen.page.locator(".chart").count() == 0
    finish(seen, "chart-none")


def test_without_scripts_the_table_is_the_chart(browser, site_server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_server.root + "/id/jp/consultation/2018-04")
        assert page.locator("table.process-table tbody tr").count() == 10
        assert page.locator(".chart-view svg").count() == 0
    finally:
        context.close()


def test_one_actors_meetings_have_no_chart_of_their_ordinals(visit):
    """actor-meetings has a number column (the ordinal) but one actor: nothing to compare."""
    seen = visit("/queries/actor-meetings")
    assert seen.page.locator("table.results-table tbody tr").count() == 10
    assert seen.page.locator(".chart").count() == 0
    finish(seen, "chart-none-canned")
