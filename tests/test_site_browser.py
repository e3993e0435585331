"""The site in a real browser: Debian's headless Chromium driven by Playwright.

Each page is opened against the live server on the real build. A test fails on any console
error (a script error, a resource refused by the Content-Security-Policy, a 404) and on any
request that would leave the server's own origin. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import pytest

from tests.site_fixtures import finish


def test_home(visit):
    seen = visit("/")
    page = seen.page
    assert page.locator("table.catalogue").is_visible()
    assert page.locator("table.catalogue th[scope=row]").all_inner_texts() == ["Japan"]
    finish(seen, "home")


def test_country(visit):
    seen = visit("/id/country/jp")
    page = seen.page
    assert page.locator(".timeline-card").count() == 10
    assert page.locator(".timeline").is_visible()
    assert page.locator("table.matrix").is_visible()
    assert page.locator("table.matrix td.cell:not(.absent)").count() == 212
    assert page.locator(".legend").first.is_visible()
    finish(seen, "country")


@pytest.mark.parametrize("path", ["/", "/id/country/jp"])
def test_home_and_country_on_a_phone(visit, path):
    seen = visit(path, width=390, height=844)
    assert seen.page.locator("h1").first.is_visible()
    # The matrix and the catalogue scroll inside their own box instead of widening the page.
    width = seen.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    finish(seen, "phone" + path.replace("/", "-"))


def test_consultation(visit):
    seen = visit("/id/jp/consultation/2018-04")
    page = seen.page
    assert page.locator("h1").inner_text() == "4th multi-stakeholder consultation"
    assert page.locator("#attendees-heading").is_visible()
    assert page.locator("#points-heading").is_visible()
    source = page.locator("details.source").first
    source.locator("summary").click()
    assert source.locator("blockquote").is_visible()
    finish(seen, "consultation")


def test_consultation_with_a_decision(visit):
    seen = visit("/id/jp/consultation/2018-06")
    page = seen.page
    decision = page.locator("#decision-1")
    assert decision.is_visible()
    assert "it was decided to continue examining a way forward" in decision.inner_text()
    assert decision.locator(".badge-decision").is_visible()
    finish(seen, "consultation-decision")


def test_actor(visit):
    seen = visit("/id/jp/org/mofa")
    page = seen.page
    assert page.locator(".timeline-strip li").count() == 10
    assert page.locator("[lang=ja]").first.is_visible()
    finish(seen, "actor")


def test_principle(visit):
    seen = visit("/id/ungp/principle/17")
    page = seen.page
    assert page.locator("h1").inner_text().startswith("Guiding Principle 17")
    assert page.locator(".meeting-facts").count() >= 1
    finish(seen, "principle")


def test_ontology(visit):
    seen = visit("/ontology#Consultation")
    page = seen.page
    assert page.locator("#Consultation").is_visible()
    assert page.locator("#schemes").is_visible()
    finish(seen, "ontology")


def test_query_page_runs_a_query(visit):
    seen = visit("/sparql")
    page = seen.page
    editor = page.locator(".CodeMirror")
    assert editor.is_visible(), "CodeMirror did not enhance the textarea"
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("PREFIX nap: <https://w3id.org/napgraph/ontology#>\n"
                       "SELECT ?point WHERE { ?point a nap:DiscussionPoint }")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("table.results-table tbody tr").count() == 31
    page.locator(".CodeMirror").wait_for(state="visible")
    finish(seen, "sparql")


def test_query_page_loads_an_example(visit):
    seen = visit("/sparql")
    page = seen.page
    page.locator("a.example[href$='example=actor-meetings']").click()
    text = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert text.startswith("# title: Which meetings did an actor attend")
    assert page.url.endswith("/sparql"), "the example loaded in place, without navigating"
    finish(seen, "sparql-example")


def test_compare_with_two_countries_at_1280(visit, jp_xx_server):
    """Issue 12 item 5: the 31-column principle table scrolls in its own box with the
    country column held in place, and the page itself never gets wider than the window."""
    seen = visit("/compare", width=1280, height=800, server=jp_xx_server)
    page = seen.page
    assert page.locator("table.principle-table tbody tr").count() == 2
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1280
    box = page.locator(".principle-scroll")
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # it has something to scroll
    header = box.locator("tbody th[scope=row]").first
    before = header.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    assert box.evaluate("b => b.scrollLeft") > 0
    assert header.bounding_box()["x"] == pytest.approx(before, abs=1)  # sticky
    last = box.locator("thead th").last
    assert last.bounding_box()["x"] + last.bounding_box()["width"] <= 1280
    finish(seen, "compare-1280")
