"""Labels are data, never markup: a graph whose names are markup, quotes, entities, control
characters, bidirectional overrides, very long strings and script URLs
(tests/data/hostile/zz.ttl, imported beside the real build) is shown as text, never run.

Each HTML page is parsed (html.parser): no script element, event handler, script URL or
element spelled out in the data comes from the data; the labels are in the page's text;
every embedded JSON-LD block is valid JSON holding the labels exactly (so `</script>` inside
it was escaped). Every RDF format carries each label unchanged, parsed back with rdflib.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import requests

from napgraph.graph.iris import DEFAULT_BASE
from tests.hostile_cases import HOSTILE, audit_html, leaks
from tests.hostile_fixtures import LONG_LABELS, ZZ, start_hostile_bed, stop_hostile_bed
from tests.html_tools import parse_html
from tests.server_fixtures import parse_rdf

TEXT_PROPERTIES = {
    "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel", "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://purl.org/dc/terms/title", "http://purl.org/dc/terms/description",
}
PREF_LABEL = "http://www.w3.org/2004/02/skos/core#prefLabel"
# Characters an HTML page cannot carry as they are; labels holding them are checked in the
# RDF formats and the JSON-LD, not in the page's text.
NOT_HTML_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
RDF_FORMATS = {"ttl": "text/turtle", "nt": "application/n-triples",
               "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}
# Elements the fixture's texts spell out and no template writes: one on a page came from data.
DATA_TAGS = {"img", "b", "i", "svg", "iframe"}


def hostile_texts() -> dict[str, list[tuple[str, str]]]:
    """{IRI: [(property, text)]} of every hostile resource, as written in the fixture."""
    texts: dict[str, list[tuple[str, str]]] = {}
    for triple in ox.parse(path=HOSTILE / "zz.ttl", format=ox.RdfFormat.TURTLE):
        texts.setdefault(triple.subject.value, [])
        if triple.predicate.value in TEXT_PROPERTIES and isinstance(triple.object, ox.Literal):
            texts[triple.subject.value].append((triple.predicate.value, triple.object.value))
    for local, label in LONG_LABELS.items():
        texts[ZZ + local] = [(PREF_LABEL, label)]
    return {iri: pairs for iri, pairs in texts.items() if pairs}


TEXTS = hostile_texts()
RESOURCES = sorted(TEXTS)
# IRIs that hold percent-escapes (`%3Cscript%3E`, `%2F`, `%E6%9D%B1`) or non-ASCII
# characters: reachable at their own URL too (server/http/uri_to_iri.py).
PERCENT_ESCAPED = sorted(iri for iri in RESOURCES if "%" in iri)
NON_ASCII = sorted(iri for iri in RESOURCES if not iri.isascii())


def path_of(iri: str) -> str:
    return "/" + iri[len(DEFAULT_BASE):]


def short(iri: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", iri[len(DEFAULT_BASE):].lower()).strip("-")[:50]


@pytest.fixture(scope="module")
def bed(build, tmp_path_factory):
    started = start_hostile_bed(build.release.parent.parent, tmp_path_factory.mktemp("pages"))
    yield started
    stop_hostile_bed(started)


def get(bed, path: str, accept: str = "text/html") -> requests.Response:
    # requests would normalize the path: quote only what HTTP cannot carry as it is.
    url = bed.server.root + quote(path, safe="/%'()=;:@!$&*+,")
    return requests.get(url, headers={"Accept": accept}, timeout=30)


def page_text(html: str) -> str:
    from html.parser import HTMLParser

    parts: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    reader = Text(convert_charrefs=True)
    reader.feed(html)
    reader.close()
    return "".join(parts)


def json_strings(node: object) -> set[str]:
    if isinstance(node, str):
        return {node}
    if isinstance(node, list):
        return set().union(*(json_strings(item) for item in node)) if node else set()
    if isinstance(node, dict):
        return set().union(*(json_strings(v) for v in node.values())) if node else set()
    return set()


def assert_safe_page(bed, response: requests.Response) -> None:
    assert response.status_code < 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert not leaks_of(bed, response)
    audit = audit_html(response.text)
    assert audit.problems == []
    page = parse_html(response.text)
    assert not DATA_TAGS & {tag for tag, _ in page.elements}
    for attributes in page.find("script"):
        if "src" in attributes:  # the only scripts run are the site's own files
            assert attributes["src"].startswith("/static/")
    for attributes, content in audit.scripts:
        if (attributes.get("type") or "").lower() == "application/ld+json":
            assert "</" not in content, "JSON-LD that could end its script element"
            json.loads(content)  # a `</script>` in the data would have cut it short


def leaks_of(bed, response: requests.Response) -> list[str]:
    from tests.hostile_cases import Reply

    return leaks(Reply(response.status_code, response.headers, response.content), bed.secrets)


@pytest.mark.parametrize("iri", RESOURCES, ids=[short(iri) for iri in RESOURCES])
def test_page_shows_hostile_text_as_text(bed, iri):
    response = get(bed, path_of(iri))
    assert response.status_code == 200, response.text[:300]
    assert_safe_page(bed, response)
    text = page_text(response.text)
    shown = [value for prop, value in TEXTS[iri]
             if prop == PREF_LABEL and not NOT_HTML_TEXT.search(value)]
    for value in shown:
        assert value in text, f"the label {value[:60]!r} is not shown as text"
    embedded = set()
    for attributes, content in audit_html(response.text).scripts:
        if (attributes.get("type") or "").lower() == "application/ld+json":
            embedded |= json_strings(json.loads(content))
    if embedded:
        for _, value in TEXTS[iri]:
            assert value in embedded, f"the JSON-LD lost or changed {value[:60]!r}"


@pytest.mark.parametrize("iri", RESOURCES, ids=[short(iri) for iri in RESOURCES])
@pytest.mark.parametrize("extension", sorted(RDF_FORMATS))
def test_rdf_formats_carry_hostile_text_unchanged(bed, iri, extension):
    media_type = RDF_FORMATS[extension]
    response = get(bed, path_of(iri), accept=media_type)
    if extension == "rdf" and response.status_code == 406:
        # XML 1.0 cannot hold some of these characters at all: refused, saying why.
        # (the description includes its neighbours' labels too).
        assert "XML 1.0 cannot represent" in response.text
        return
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    graph = parse_rdf(response.content, media_type)
    literals = {str(o) for s, p, o in graph if str(s) == iri}
    for _, value in TEXTS[iri]:
        assert value in literals, f"{value[:60]!r} is missing or changed"


HOSTILE_SEARCHES = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(4)>",
                    "' onmouseover='alert(5)", "&lt;b&gt;", "\u202etxt", "{{ 7*7 }}",
                    "</script><script>alert(2)</script>"]


@pytest.mark.parametrize("iri", PERCENT_ESCAPED + NON_ASCII, ids=short)
def test_iri_with_escapes_or_non_ascii_is_found_at_its_own_url(bed, iri):
    """The path as a browser sends it (non-ASCII as UTF-8 escapes, escapes as they are)
    names the IRI; the headers carry the URI form, ASCII only."""
    path = path_of(iri)
    response = get(bed, path, accept="application/n-triples")
    assert response.status_code == 200, response.text[:300]
    subjects = {str(s) for s, _, _ in parse_rdf(response.content, "application/n-triples")}
    assert iri in subjects
    location = response.headers["Content-Location"]
    assert location.isascii() and location == quote(path, safe="/%'()=;:@!$&*+,") + ".nt"
    assert get(bed, location).status_code == 200  # and the document URL works


def test_another_spelling_of_a_path_is_the_same_resource(bed):
    """`%6D` is `m` (RFC 3986 6.2.2.2): the same resource, the same document URL."""
    for spelling in ("/id/jp/org/%6Dofa", "/id/jp/org/m%6ffa"):
        response = get(bed, spelling + ".ttl")
        assert response.status_code == 200
        assert response.headers["Content-Location"] == "/id/jp/org/mofa.ttl"
        assert "Ministry of Foreign Affairs" in response.text


def test_an_escaped_slash_is_not_a_slash(bed):
    """`%2F` names the IRI holding `%2F`; a path with `/` in its place names another one."""
    assert PERCENT_ESCAPED and NON_ASCII
    escaped = "/id/zz/org/%3Cscript%3Ealert(14)%3C%2Fscript%3E"
    assert get(bed, escaped, accept="text/turtle").status_code == 200
    slashed = "/id/zz/org/%3Cscript%3Ealert(14)%3C/script%3E"
    assert get(bed, slashed, accept="text/turtle").status_code == 404


@pytest.mark.parametrize("text", HOSTILE_SEARCHES, ids=range(len(HOSTILE_SEARCHES)))
def test_search_shows_hostile_text_as_text(bed, text):
    response = requests.get(bed.server.root + "/search", params={"q": text},
                            headers={"Accept": "text/html"}, timeout=30)
    if not bed.served("search"):
        assert response.status_code == 404
        return
    assert response.status_code in (200, 400)
    assert_safe_page(bed, response)
    assert text in page_text(response.text)


# The home page is checked with PAGES, below, which also wants a label on it.
LISTINGS = ["/queries", "/queries/actors-by-kind", "/queries/actor-meetings?actor="
            + quote(ZZ + "org/script", safe=""), "/download/", "/dataset", "/sparql"]


@pytest.mark.parametrize("path", LISTINGS)
def test_listing_pages_are_safe(bed, path):
    response = requests.get(bed.server.root + path, headers={"Accept": "text/html"},
                            timeout=30)
    assert response.status_code in (200, 404)
    assert_safe_page(bed, response)


def test_sparql_results_page_shows_hostile_labels_as_text(bed):
    query = (f"SELECT ?s ?label {{ ?s <{PREF_LABEL}> ?label "
             f'FILTER(STRSTARTS(STR(?s), "{ZZ}org/")) }}')
    response = requests.get(bed.server.endpoint, params={"query": query, "format": "html"},
                            headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200, response.text[:300]
    assert_safe_page(bed, response)
    text = page_text(response.text)
    for iri in RESOURCES:
        for prop, value in TEXTS[iri]:
            if prop == PREF_LABEL and iri.startswith(ZZ + "org/") \
                    and not NOT_HTML_TEXT.search(value) and len(value) < 1000:
                assert value in text


CONSULTATION = ZZ + "consultation/2099-01"
ORG_LABEL = "<script>alert(1)</script>"
POINT_LABEL = "\"><img src=x onerror=alert(21)>"
# (path, query parameters, texts that must appear as text on the page): what a resource's
# page shows of its neighbours, and texts that are not a prefLabel (checked above).
PAGES = [
    (path_of(CONSULTATION), {}, [
        "1st consultation </script><script>alert(16)</script>",
        "<iframe src=javascript:alert(17)></iframe>",  # the topic statement
        "<svg onload=alert(18)>", POINT_LABEL, ORG_LABEL]),
    (path_of(CONSULTATION + "/point/2"), {}, [
        POINT_LABEL, "Text with </script> and <b>bold</b> & an ampersand."]),
    (path_of(ZZ + "org/script"), {}, [ORG_LABEL, "悪い</script>組織"]),
    ("/search", {"q": "script"}, [ORG_LABEL]),
    ("/", {}, []),
    ("/id/country/zz", {}, [ORG_LABEL]),
    # (the hostile consultation, dated 2099, is on the answer's last page)
    ("/queries/attendance-matrix", {"page": "1000000"}, [ORG_LABEL]),
    ("/id/zz/org/evil<script>", {}, []),  # a 404 that repeats the path
]


@pytest.mark.parametrize(("path", "params", "texts"), PAGES, ids=[p for p, _, _ in PAGES])
def test_page_shows_neighbours_and_other_texts_as_text(bed, path, params, texts):
    response = requests.get(bed.server.root + path, params=params,
                            headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code in (200, 404)
    assert_safe_page(bed, response)
    text = parse_html(response.text).text
    for value in texts:
        assert " ".join(value.split()) in text, f"{value[:60]!r} is not shown as text"


@pytest.mark.parametrize("iri", [CONSULTATION, ZZ + "org/script"], ids=short)
def test_page_embeds_one_json_ld_block(bed, iri):
    """One block describes the resource: a `</script>` in a label did not split it in two."""
    scripts = audit_html(get(bed, path_of(iri)).text).scripts
    blocks = [content for attributes, content in scripts
              if (attributes.get("type") or "").lower() == "application/ld+json"]
    assert len(blocks) == 1


def test_role_notation_stays_inside_its_class_attribute(bed):
    """The role badge writes the role's notation into `class="role role-{notation}"`."""
    page = parse_html(get(bed, path_of(CONSULTATION)).text)
    classes = [attributes["class"] for attributes in page.find("span")
               if "role" in attributes.get("class", "")]
    assert 'role role-observer" onmouseover="alert(20)' in classes
