"""The site's pages over HTTP on the real build: home, consultation and actor pages, canned
queries, search, the SPARQL page, downloads and vendor files.

Known answers come from the hand-written expectations of the canned queries
(tests/data/canned-expected.json) and from the source record.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path

import pytest
import requests

from napgraph.graph.folding import fold
from tests.html_tools import parse_html

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "canned-expected.json").read_text(encoding="utf-8"))
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BASE = "https://w3id.org/napgraph/"
COUNTED = [pytest.param(slug, case["params"], case["count"], id=f"{slug}-{number}")
           for slug, cases in EXPECTED["queries"].items()
           for number, case in enumerate(cases, 1)
           if "count" in case and not {"where", "distinct"} & set(case)]
BAD_PARAMETERS = [pytest.param(slug, values, message, id=f"{slug}-{number}")
                  for number, (slug, values, message)
                  in enumerate(EXPECTED["bad_parameters"]["cases"], 1)]


def get(server, path: str, accept: str | None = BROWSER, **params) -> requests.Response:
    headers = {"Accept": accept} if accept else {}
    return requests.get(server.root + path, params=params, headers=headers, timeout=30)


def media_type(response: requests.Response) -> str:
    return response.headers["Content-Type"].split(";")[0]


# --- home ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def home(site_server):
    response = get(site_server, "/")
    assert response.status_code == 200
    return parse_html(response.text)


@pytest.fixture(scope="module")
def japan(site_server):
    response = get(site_server, "/id/country/jp")
    assert response.status_code == 200
    return parse_html(response.text)


def test_home_is_the_catalogue_of_countries(home):
    rows = [text for tag, attrs, text in home.texts if tag == "th" and attrs.get("scope") == "row"]
    assert rows == ["Japan"]
    assert any(a["href"] == "/id/country/jp" for a in home.find("a"))
    cells = [text for tag, attrs, text in home.texts if tag == "td"]
    assert cells[:1] == ["10"] and cells[3:5] == ["33", "25 of 31"]


def test_country_page_has_the_ten_consultations_in_order(japan):
    links = [a["href"] for a in japan.find("a") if "timeline-card" in a.get("class", "")]
    assert links == [f"/id/jp/consultation/2018-{n:02d}" for n in range(1, 11)]


def test_country_page_counts(japan):
    stats = [text.split()[0] for tag, attrs, text in japan.texts
             if tag == "li" and text.split() and text.split()[0].isdigit()]
    assert stats[:6] == ["10", "33", "212", "31", "31", "32"]  # as on the home page before


def test_country_matrix_has_every_attendee_and_meeting(japan):
    rows = [text for tag, attrs, text in japan.texts
            if tag == "th" and attrs.get("scope") == "row"]
    # actors attending (build report), then the charts' tables: the ten meetings, Japan's
    # row of the principle table
    assert len(rows) == 33 + 10 + 1
    columns = [" ".join(text.split()) for tag, attrs, text in japan.texts
               if tag == "th" and attrs.get("scope") == "col"]
    assert columns[0] == "Attendee"
    assert columns.index("Total") == 1 + 10  # attendee, the ten meetings, total
    cells = [attrs for attrs in japan.find("td") if "cell" in attrs.get("class", "").split()]
    assert len(cells) == 33 * 10
    attended = [c for c in cells if "absent" not in c["class"]]
    assert len(attended) == 212  # participations: one cell each (no actor had two roles)
    # Every coloured cell also says its role in text, for readers who cannot see colour.
    assert len([a for a in japan.find("abbr") if a.get("title")]) >= len(attended)


def test_home_says_where_the_data_comes_from(home):
    assert any(a["href"] == "/id/jp/source/nap-2018-consultations" for a in home.find("a"))
    assert "Government of Japan" in home.text_of("a")


# --- consultation and actor pages -------------------------------------------------------


@pytest.fixture(scope="module")
def first_consultation(site_server):
    return parse_html(get(site_server, "/id/jp/consultation/2018-01").text)


def test_consultation_page_shows_the_meeting(first_consultation):
    page = first_consultation
    assert page.text_of("h1") == ["1st multi-stakeholder consultation"]
    assert "8 March 2018" in page.text
    assert page.text_of("q")[0] == "public procurements"
    heads = {text for tag, attrs, text in page.texts if tag == "h3"}
    assert {"Broad view", "Management of human rights risks",
            "Efforts by local governments"} <= {" ".join(h.split()) for h in heads}
    hrefs = {a.get("href") for a in page.find("a")}
    assert "/id/ungp/principle/6" in hrefs  # via the topic public procurement
    assert "/id/jp/org/tokyo-2020" in hrefs  # the presenter
    assert "/id/jp/org/mofa" in hrefs  # an attendee
    ja = [attrs for attrs in page.find("span") if attrs.get("lang") == "ja"]
    assert ja, "Japanese names are marked lang=ja"


def test_consultation_page_quotes_its_sources(first_consultation):
    quotes = [attrs for attrs in first_consultation.find("blockquote")]
    # The meeting (2), its 3 contributions, 3 discussion points and 22 attendances.
    assert len(quotes) == 2 + 3 + 3 + 22
    assert all(q["cite"] == "/id/jp/source/nap-2018-consultations" for q in quotes)
    marks = first_consultation.text_of("mark")
    assert ("On March 8, 2018, the Government of Japan organized the first multi-stakeholder "
            "consultation on the topic of public procurements.") in marks


def test_consultation_quotes_its_date_sentence_first(first_consultation):
    """The first quote on the page is the sentence that states the date and topic."""
    marks = first_consultation.text_of("mark")
    assert marks[0].startswith("On March 8, 2018, the Government of Japan organized")


def test_consultation_page_shows_its_decision_and_what_it_was_based_on(site_server):
    page = parse_html(get(site_server, "/id/jp/consultation/2018-06").text)
    assert "Decisions" in page.text_of("h2")
    sentence = "Based on these discussions, it was decided to continue examining a way forward."
    assert sentence in page.text_of("p")
    assert sentence in page.text_of("mark")  # quoted from the record
    hrefs = [a.get("href") for a in page.find("a")]
    assert "/id/jp/consultation/2018-06/decision/1" in hrefs
    assert hrefs.count("/id/jp/consultation/2018-06/point/3") >= 2  # the point, and the basis
    first = parse_html(get(site_server, "/id/jp/consultation/2018-01").text)
    assert "Decisions" not in first.text_of("h2")  # no empty section where none was taken


def test_decision_dereferences_with_its_source(site_server):
    response = get(site_server, "/id/jp/consultation/2018-06/decision/1", accept="text/turtle")
    assert response.status_code == 200
    assert "continue examining a way forward" in response.text
    page = get(site_server, "/id/jp/consultation/2018-06/decision/1")
    assert page.status_code == 200 and "Decision of the 6th consultation" in page.text


def test_actor_page_timeline_and_contributions(site_server):
    page = parse_html(get(site_server, "/id/jp/org/mofa").text)
    strip = [a["href"] for tag, a in page.elements
             if tag == "a" and a.get("href", "").startswith("/id/jp/consultation/")]
    assert {f"/id/jp/consultation/2018-{n:02d}" for n in range(1, 11)} <= set(strip)
    assert "Attended 10 of 10 consultations." in page.text_of("p")
    assert "外務省" in [t for tag, attrs, t in page.texts if attrs.get("lang") == "ja"]


def test_person_page_shows_the_affiliation(site_server):
    page = parse_html(get(site_server, "/id/jp/person/yamada-miwa").text)
    assert "/id/jp/org/ide-jetro-lis" in {a.get("href") for a in page.find("a")}


def test_law_page_shows_where_it_is_mentioned(site_server):
    page = parse_html(get(site_server, "/id/jp/instrument/labor-tribunal-act").text)
    assert "the Labor Tribunal Act" in page.text_of("mark")
    assert "https://laws.e-gov.go.jp/law/416AC0000000045" in {a.get("href")
                                                               for a in page.find("a")}


# --- canned queries ---------------------------------------------------------------------


def test_queries_index_lists_every_query(site_server):
    listing = get(site_server, "/queries", format="json").json()
    page = parse_html(get(site_server, "/queries").text)
    hrefs = {a.get("href") for a in page.find("a")}
    assert {f"/queries/{q['slug']}" for q in listing} <= hrefs
    assert {q["slug"] for q in listing} >= set(EXPECTED["queries"])


@pytest.mark.parametrize(("slug", "params", "count"), COUNTED)
def test_canned_answer_as_page_json_and_csv(site_server, slug, params, count):
    html = get(site_server, f"/queries/{slug}", **params).text
    page = parse_html(html)
    assert len(page.find("table")) == 1
    # The page shows 100 rows at most (less the header row), and says the total.
    assert len(page.find("tr")) - 1 == min(count, 100)
    assert f"{count:,} row" in html
    answer = get(site_server, f"/queries/{slug}", accept=None, format="json", **params)
    assert media_type(answer) == "application/sparql-results+json"
    assert len(answer.json()["results"]["bindings"]) == count
    table = get(site_server, f"/queries/{slug}", accept="text/csv", **params)
    assert media_type(table) == "text/csv"
    assert len(list(csv.reader(io.StringIO(table.text)))) - 1 == count


@pytest.mark.parametrize(("slug", "values", "message"), BAD_PARAMETERS)
def test_bad_parameters_are_400_with_the_reason(site_server, slug, values, message):
    plain = get(site_server, f"/queries/{slug}", accept=None, format="json", **values)
    assert plain.status_code == 400
    assert message in plain.text
    page = get(site_server, f"/queries/{slug}", **values)
    assert page.status_code == 400
    assert media_type(page) == "text/html"
    alerts = [t for tag, attrs, t in parse_html(page.text).texts if attrs.get("role") == "alert"]
    assert any(message in alert for alert in alerts)


def test_canned_page_links_iris_to_their_pages(site_server):
    page = parse_html(get(site_server, "/queries/actor-meetings",
                          actor=BASE + "id/jp/org/mofa").text)
    hrefs = {a.get("href") for a in page.find("a")}
    assert "/id/jp/consultation/2018-01" in hrefs
    assert "/id/role/relevant-ministry" in hrefs


# --- search -------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "found"), [
    ("Labor Tribunal", "/id/jp/instrument/labor-tribunal-act"),
    ("外務省", "/id/jp/org/mofa"),
    ("technical intern", "/id/jp/consultation/2018-03"),
    ("SMEs", "/id/topic/smes"),
], ids=["law", "japanese", "topic-statement", "acronym"])
def test_search_finds(site_server, text, found):
    page = parse_html(get(site_server, "/search", q=text).text)
    results = [a["href"] for tag, a in page.elements if tag == "a" and a.get("href")]
    assert found in results


@pytest.mark.parametrize(("text", "marked"), [
    ("labour", "labor"), ("LABOUR TRIBUNAL", "Labor Tribunal"), ("programme", "Program"),
    ("organization", "organisation"),
], ids=["labour", "labour-tribunal", "programme", "organization"])
def test_search_marks_the_match_in_either_spelling(site_server, text, marked):
    """Each snippet marks where the text matched as search matches it (case and British or
    American spelling folded), the text as written, escaped."""
    response = get(site_server, "/search", q=text)
    page = parse_html(response.text)
    snippets = [t for tag, attrs, t in page.texts if tag == "p" and attrs.get("class") == "snippet"]
    marks = page.text_of("mark")
    assert len(marks) == len(snippets) > 0
    assert {fold(mark) for mark in marks} == {fold(text)}
    assert f"<mark>{html.escape(marked)}</mark>" in response.text


@pytest.mark.parametrize("text", ['" } ; DROP ALL ; SELECT * {', "') || true || ('", "zzzqqq"],
                         ids=["sparql-injection", "filter-injection", "nothing"])
def test_search_text_is_only_ever_text(site_server, text):
    answer = get(site_server, "/search", accept=None, q=text, format="json")
    assert answer.status_code == 200
    assert answer.json()["results"]["bindings"] == []


def test_search_answer_as_data(site_server):
    answer = get(site_server, "/search", accept="text/csv", q="Labor Tribunal")
    assert media_type(answer) == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert BASE + "id/jp/instrument/labor-tribunal-act" in {row["resource"] for row in rows}


# --- the SPARQL page -----------------------------------------------------------------------

ROLES = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?role WHERE "
         "{ ?role skos:inScheme <https://w3id.org/napgraph/id/role> }")


def test_sparql_results_as_a_table(site_server):
    response = get(site_server, "/sparql", query=ROLES, format="html")
    assert response.status_code == 200
    page = parse_html(response.text)
    assert len(page.find("tr")) - 1 == 9  # the roles of ontology/schemes/roles.ttl
    hrefs = {a.get("href") for a in page.find("a")}
    assert "/id/role/observer" in hrefs
    share = next(a for a in page.find("input") if a.get("id") == "share-url")
    assert share["value"].startswith(site_server.root + "/sparql?query=")
    downloads = {a["type"] for a in page.find("a") if a.get("href", "").startswith("/sparql?")
                 and a.get("type")}
    assert downloads == {"application/sparql-results+json", "application/sparql-results+xml",
                         "text/csv", "text/tab-separated-values"}


def test_sparql_page_shows_a_syntax_error(site_server):
    response = get(site_server, "/sparql", query="SELECT * WHERE { ?s ", format="html")
    assert response.status_code == 400
    assert media_type(response) == "text/html"
    page = parse_html(response.text)
    assert any("error at 1:" in text for text in page.text_of("pre"))
    textarea = next(text for tag, attrs, text in page.texts if attrs.get("id") == "query")
    assert textarea.strip() == "SELECT * WHERE { ?s"


def test_sparql_examples_work_without_scripts(site_server):
    page = parse_html(get(site_server, "/sparql", example="actor-meetings").text)
    examples = [a for a in page.find("a") if "example" in a.get("class", "").split()]
    assert len(examples) >= 18
    assert all(a["href"].startswith("/sparql?example=") and a["data-query"] for a in examples)
    assert "# title: Which meetings did an actor attend" in get(
        site_server, "/sparql", example="actor-meetings").text


# --- downloads and vendor files -------------------------------------------------------------

DOWNLOADS = [("napgraph.nq", "application/n-quads"), ("napgraph.trig", "application/trig"),
             ("napgraph.ttl", "text/turtle"), ("napgraph.jsonld", "application/ld+json"),
             ("context.jsonld", "application/ld+json"), ("manifest.json", "application/json")]


@pytest.mark.parametrize(("name", "expected_type"), DOWNLOADS, ids=[n for n, _ in DOWNLOADS])
def test_download_is_the_build_file(site_server, build, name, expected_type):
    response = get(site_server, f"/download/{name}", accept=None)
    assert response.status_code == 200
    assert media_type(response) == expected_type
    assert response.content == (build.release / name).read_bytes()


@pytest.mark.parametrize("path", ["/download/..%2Fmanifest.json", "/download/../manifest.json",
                                  "/download/%2e%2e%2f%2e%2e%2fpyproject.toml",
                                  "/download/current", "/download/napgraph.NQ"])
def test_downloads_cannot_leave_the_build(site_server, path):
    response = requests.get(site_server.root + path, timeout=30)
    assert response.status_code == 404


def test_downloads_page_lists_the_files(site_server):
    page = parse_html(get(site_server, "/download/").text)
    hrefs = {a.get("href") for a in page.find("a")}
    assert {f"/download/{name}" for name, _ in DOWNLOADS} <= hrefs


@pytest.mark.parametrize(("path", "status", "expected_type"), [
    ("/static/vendor/codemirror/lib/codemirror.js", 200, "text/javascript"),
    ("/static/vendor/codemirror/lib/codemirror.css", 200, "text/css"),
    ("/static/vendor/codemirror/mode/sparql/sparql.js", 200, "text/javascript"),
    ("/static/vendor/vega/build/vega.min.js", 200, "text/javascript"),
    ("/static/vendor/vega-lite/build/vega-lite.min.js", 200, "text/javascript"),
    ("/static/vendor/vega-interpreter/build/vega-interpreter.min.js", 200, "text/javascript"),
    ("/static/vendor/vega/build/vega.js", 404, None),
    ("/static/vendor/axe-core/axe.min.js", 404, None),
    ("/static/vendor/codemirror/package.json", 404, None),
    ("/static/vendor/codemirror/mode/python/python.js", 404, None),
    ("/static/vendor/codemirror/../../package.json", 404, None),
    ("/static/vendor/other/lib/codemirror.js", 404, None),
], ids=["js", "css", "mode", "vega", "vega-lite", "vega-interpreter", "vega-unlisted",
        "test-only-axe", "package-json", "other-mode", "traversal", "other-package"])
def test_vendor_files_come_from_an_allow_list(site_server, path, status, expected_type):
    response = requests.get(site_server.root + path, timeout=30)
    assert response.status_code == status
    if expected_type:
        assert media_type(response) == expected_type
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_canned_pages_are_cached_by_the_values_given(site_server):
    """Giving the default value explicitly binds the same, but the page shows what was given."""
    mofa = BASE + "id/jp/org/mofa"  # the default of actor-meetings
    explicit = parse_html(get(site_server, "/queries/actor-meetings", actor=mofa).text)
    implicit = parse_html(get(site_server, "/queries/actor-meetings").text)
    # The actor picker shows the default chosen either way ...
    for page in (explicit, implicit):
        assert [a["value"] for a in page.find("option") if "selected" in a] == [mofa]
    # ... but the links to the answer in other formats carry only what was given.
    links = {name: [a["href"] for a in page.find("a") if "format=" in a.get("href", "")]
             for name, page in (("explicit", explicit), ("implicit", implicit))}
    assert links["explicit"] and all("actor=" in href for href in links["explicit"])
    assert links["implicit"] and not any("actor=" in href for href in links["implicit"])
