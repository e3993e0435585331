"""Result views in a real browser (Debian's Chromium): the actor picker of canned forms,
paging through a big answer, labels with the IRI on hover."""

from __future__ import annotations

from tests.site_fixtures import finish

MOFA = "https://w3id.org/napgraph/id/jp/org/mofa"
FSA = "https://w3id.org/napgraph/id/jp/org/fsa"


def test_actor_picker_chooses_an_actor_by_name(visit):
    seen = visit("/queries/actor-meetings")
    page = seen.page
    picker = page.get_by_label("The actor")
    assert picker.evaluate("e => e.tagName") == "SELECT"
    assert picker.input_value() == MOFA  # the default, shown chosen
    assert "default: Ministry of Foreign Affairs" in page.locator("label[for=param-actor]").inner_text()
    names = picker.locator("option").all_inner_texts()
    assert "Financial Services Agency" in names and len(names) > 30
    picker.select_option(label="Financial Services Agency")
    page.get_by_role("button", name="Ask").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("actor=" + FSA.replace(":", "%3A").replace("/", "%2F"))
    assert page.get_by_label("The actor").input_value() == FSA
    assert page.locator("table.results-table tbody tr").count() >= 1
    finish(seen, "actor-picker")


def test_paging_through_everything(visit):
    seen = visit("/sparql")
    page = seen.page
    page.locator(".CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT * WHERE { ?s ?p ?o }")
    page.get_by_role("button", name="Run query").click()
    page.wait_for_load_state("networkidle")
    count = page.locator("p.count").inner_text()
    assert count.startswith("Rows 1–100 of ")
    assert page.locator("table.results-table tbody tr").count() == 100
    page.get_by_role("button", name="Next page").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("p.count").inner_text().startswith("Rows 101–200 of ")
    assert page.get_by_role("button", name="Previous page").is_visible()
    # An IRI shows a label or a prefixed name; the full IRI is its title and its link.
    link = page.locator("table.results-table tbody a[title]").first
    assert link.get_attribute("title").startswith("http")
    assert not link.inner_text().startswith("http")
    finish(seen, "sparql-paging")
