"""The comparison page puts countries side by side from what the graphs hold (Japan + the
synthetic xx fixture, imported as `napgraph import` does)."""

import json
import re
from html.parser import HTMLParser

import pytest
import requests

from tests.server_fixtures import launch


class Tables(HTMLParser):
    """Collects, per <section aria-labelledby=…>, each body row: {row header: [cell texts]}."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, dict[str, list[str]]] = {}
        self.section = self.cell = None
        self.row: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and "aria-labelledby" in attrs:
            self.section = attrs["aria-labelledby"]
            self.sections[self.section] = {}
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.row = []
        elif tag in ("th", "td") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            self.row.append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "tr" and self.row:
            self.sections[self.section][self.row[0]] = self.row[1:]
            self.row = None
        elif tag == "tbody":
            self.in_body = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


@pytest.fixture(scope="module")
def two_countries(jp_xx_build, tmp_path_factory):
    server = launch(jp_xx_build, {"QUERY_RUNNERS": 1}, tmp_path_factory.mktemp("compare") / "log")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def page(two_countries):
    response = requests.get(two_countries.root + "/compare", headers={"Accept": "text/html"},
                            timeout=30)
    assert response.status_code == 200
    tables = Tables()
    tables.feed(response.text)
    return tables.sections


def test_both_countries_with_their_consultations(page):
    rows = page["countries-heading"]
    assert rows["Japan"] == ["10", "2018-03-08", "2018-08-31"]
    assert rows["Exampleland (synthetic)"][0] == "3"


def test_pillar_three_for_japan_comes_from_the_remedy_meeting(page):
    rows = page["pillars-heading"]
    assert rows["Japan"][2].startswith("4 consultations")  # Pillar III
    assert all(cell != "–" for cell in rows["Japan"])


def test_principles_matrix_has_31_columns(page):
    rows = page["principles-heading"]
    assert len(rows["Japan"]) == 31
    # principle 6: public procurement (1st consultation): the cell counts consultations
    assert int(rows["Japan"][5]) >= 1


def test_actor_kinds_per_country(page):
    rows = page["kinds-heading"]
    assert "17" in rows["Japan"]  # government bodies attending


def test_heat_map_holds_the_numbers_of_its_table(two_countries, page):
    """The coverage heat map's data block says what the principles table says, cell by cell."""
    html = requests.get(two_countries.root + "/compare", timeout=30).text
    block = re.search(r'<script type="application/json" id="principle-coverage-spec">(.*?)'
                      r'</script>', html, re.S)
    spec = json.loads(block.group(1))
    assert spec["mark"]["type"] == "rect"
    cells = {(v["y"], v["x"]): v["value"] for v in spec["data"]["values"]}
    assert len(cells) == 2 * 31
    for country, row in page["principles-heading"].items():
        for number, cell in enumerate(row, start=1):
            assert cells[(country, str(number))] == (int(cell) if cell.isdigit() else 0)


@pytest.mark.parametrize("cc, label", [("jp", "Japan"), ("xx", "Exampleland (synthetic)")])
def test_country_page_coverage_row_is_the_compare_row(two_countries, page, cc, label):
    """The country page's UNGP table (beside its heat map) holds its /compare row, no other."""
    response = requests.get(f"{two_countries.root}/id/country/{cc}",
                            headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    tables = Tables()
    tables.feed(response.text)
    assert tables.sections["principles-heading"] == {label: page["principles-heading"][label]}
