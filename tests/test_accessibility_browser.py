"""Accessibility in a real browser: axe-core (from npm, a test-only package) on every page
type, no critical or serious violation; and the SPARQL editor works from the keyboard.

axe is evaluated through the browser's DevTools protocol, which the page's CSP does not
govern, so the pages are checked under their real policy.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from napgraph.graph.paths import ROOT
from tests.site_fixtures import finish

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("critical", "serious")
PAGES = {
    "home": "/",
    "consultation": "/id/jp/consultation/2018-04",
    "organisation": "/id/jp/org/mofa",
    "civil-society": "/id/jp/org/bhr-nap-platform",
    "person": "/id/jp/person/yamada-miwa",
    "principle": "/id/ungp/principle/17",
    "pillar": "/id/ungp/pillar/3",
    "topic": "/id/topic/child-labour",
    "scheme": "/id/ungp",
    "instrument": "/id/jp/instrument/act-on-female-participation",
    "ontology": "/ontology",
    "dataset": "/dataset",
    "queries": "/queries",
    "canned-query": "/queries/actor-meetings",
    "compare": "/compare",
    "search": "/search?q=remedy",
    "downloads": "/download/",
    "sparql": "/sparql",
    "sparql-results": "/sparql?" + urlencode({
        "format": "html", "query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 150"}),
    "not-found": "/id/jp/org/no-such-actor",
}


def axe_violations(page) -> list[dict]:
    """Run axe on the page; the critical and serious violations, each with its nodes."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [" ".join(n["target"]) for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in SERIOUS]


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_no_serious_axe_violation(visit, path):
    seen = visit(path)
    seen.page.wait_for_timeout(300)  # let the charts draw
    assert axe_violations(seen.page) == []
    seen.console_errors[:] = [e for e in seen.console_errors if "404" not in e] \
        if path == PAGES["not-found"] else seen.console_errors
    finish(seen, "axe-" + next(k for k, v in PAGES.items() if v == path))


def test_the_query_editor_lets_the_keyboard_go(visit):
    """Tab leaves the editor (no keyboard trap); its input has a label; Ctrl-Enter runs."""
    seen = visit("/sparql")
    page = seen.page
    assert "Ctrl+Enter" in page.locator("#editor-keys").inner_text()
    page.locator(".CodeMirror").click()
    field = page.locator(".CodeMirror textarea")
    assert field.get_attribute("aria-label") == "SPARQL query"
    before = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "format", "Tab moved the focus on"
    after = page.evaluate("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert after == before, "Tab did not type into the query"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.closest('.CodeMirror') !== null")
    outline = page.evaluate(
        "getComputedStyle(document.querySelector('.CodeMirror')).outlineStyle")
    assert outline == "solid", "the focused editor shows a focus ring"
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert page.locator("table.results-table tbody tr").count() == 10  # the default query
    finish(seen, "sparql-keyboard")
