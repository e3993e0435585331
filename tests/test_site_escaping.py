"""Labels are data, never markup: hostile labels (tests/data/site/hostile.trig) on every page.

Each page is parsed with html.parser: the hostile text must be there as text, no element or
attribute it spells out may exist, and the embedded JSON-LD must still parse (a `</script>`
inside it would have ended the element early).
"""

from __future__ import annotations

import json

import pytest
import requests

from tests.html_tools import parse_html

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CONSULTATION_LABEL = "<script>alert(1)</script> consultation"
STATEMENT = 'quotes " and </script><script>alert(2)</script>'
POINT_LABEL = '"><img src=x onerror=alert(3)>'
ORG_LABEL = "Evil <script>alert(4)</script> Org"
ORG_LABEL_JA = "悪い</script>組織"
LABELS_QUERY = ("SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } "
                "ORDER BY ?label")
# (path, query parameters, texts that must appear as text on the page)
PAGES = [
    ("/id/xx/consultation/2018-01", {}, [CONSULTATION_LABEL, STATEMENT, POINT_LABEL, ORG_LABEL]),
    ("/id/xx/consultation/2018-01/point/1", {}, [POINT_LABEL, "Text with </script> and <b>bold"]),
    ("/id/xx/org/evil", {}, [ORG_LABEL, ORG_LABEL_JA]),
    ("/id/role/observer", {}, ["observer <i>role</i>"]),
    ("/", {}, [ORG_LABEL]),
    ("/search", {"q": "script"}, [ORG_LABEL]),
    ("/sparql", {"query": LABELS_QUERY, "format": "html"}, [CONSULTATION_LABEL, POINT_LABEL]),
    ("/queries/attendance-matrix", {}, [ORG_LABEL]),
    ("/id/xx/org/evil<script>", {}, []),  # a 404 that repeats the path
]
FORBIDDEN_TAGS = {"img", "b", "i"}


@pytest.fixture(scope="module")
def pages(hostile_server):
    cache = {}

    def fetch(path, params):
        key = (path, tuple(sorted(params.items())))
        if key not in cache:
            response = requests.get(hostile_server.root + path, params=params,
                                    headers={"Accept": BROWSER}, timeout=30)
            assert response.headers["Content-Type"].startswith("text/html")
            cache[key] = (response, parse_html(response.text))
        return cache[key]

    return fetch


@pytest.mark.parametrize(("path", "params", "texts"), PAGES, ids=[p for p, _, _ in PAGES])
def test_hostile_text_is_shown_as_text(pages, path, params, texts):
    response, page = pages(path, params)
    assert response.status_code in (200, 404)
    for text in texts:
        assert " ".join(text.split()) in page.text


@pytest.mark.parametrize(("path", "params", "texts"), PAGES, ids=[p for p, _, _ in PAGES])
def test_hostile_text_makes_no_elements(pages, path, params, texts):
    _, page = pages(path, params)
    assert not page.inline_handlers
    assert not FORBIDDEN_TAGS & {tag for tag, _ in page.elements}
    inline = [attrs for attrs, _ in page.scripts
              if "src" not in attrs and attrs.get("type") != "application/ld+json"]
    assert inline == []
    for attrs, _ in page.scripts:
        if "src" in attrs:
            assert attrs["src"].startswith("/static/")


@pytest.mark.parametrize("path", ["/id/xx/consultation/2018-01", "/id/xx/org/evil"])
def test_embedded_json_ld_survives_script_end_tags(pages, path):
    _, page = pages(path, {})
    documents = [json.loads(text) for attrs, text in page.scripts
                 if attrs.get("type") == "application/ld+json"]
    assert len(documents) == 1
    values = {value["@value"] for node in documents[0] for values in node.values()
              if isinstance(values, list) for value in values
              if isinstance(value, dict) and "@value" in value}
    assert values & {CONSULTATION_LABEL, ORG_LABEL, ORG_LABEL_JA}


def test_hostile_role_notation_stays_inside_its_attribute(pages):
    _, page = pages("/id/xx/consultation/2018-01", {})
    classes = [attrs["class"] for attrs in page.find("span") if "role" in attrs.get("class", "")]
    assert 'role role-observer" onmouseover="alert(5)' in classes
