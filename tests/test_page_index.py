"""The answers kept with each store (graph/page_index.py) are the page queries' answers.

Search: the same rows as `server/pages/queries/search.rq` on Japan with the spreadsheet
example imported, for a table of search texts; British and American spellings folded alike
by both. concept-facts: the same rows for every topic. A damaged file makes a running server
run the queries instead (a warning in its log, the same answers and pages, no traceback).
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from napgraph.graph import canned, page_index, served_store
from napgraph.graph.folding import fold, folded_span
from napgraph.graph.paths import page_query_file
from napgraph.server.backends.rows import read_rows
from napgraph.server.pages.search import _snippet
from tests.server_fixtures import launch
from tests.test_sheets_site import jp_xs_build  # noqa: F401  (a fixture)

HTML = {"Accept": "text/html"}
SEARCH = canned.load_query(page_query_file("search"))
# Texts people look for: words, names, Japanese, spelling variants, fewer than three
# letters (no trigram to look up), characters SQLite's FTS syntax would read as operators.
TEXTS = ["due diligence", "Keidanren", "child labor", "child labour", "organisation",
         "Organization", "programme", "program", "remedy", "Sampleland", "fishers",
         "経団連", "人権", "ab", "a", "ILO", '"quoted"', "supply-chain OR x", "NEAR(a b)",
         "zzzz-not-there", "2099", "labour"]


SEARCH_VARIABLES = ox.Store().query(SEARCH.text).variables


def query_rows(store: ox.Store, q: str) -> Counter:
    solutions = canned.run(store, SEARCH, {"q": q})
    names = [variable.value for variable in solutions.variables]
    return Counter(tuple("" if row[name] is None else str(row[name]) for name in names)
                   for row in solutions)


def index_rows(index: page_index.PageIndex, q: str) -> Counter:
    return Counter(tuple(row) for row in index.find(q).rows)


@pytest.fixture(scope="module")
def served(jp_xs_build):  # noqa: F811
    """The store napgraph serves for Japan + Sampleland, and its index, both as written by
    `napgraph import` (from Japan's store and index, adding Sampleland's)."""
    info = served_store.make_build_store(jp_xs_build)
    store, _ = served_store.open_read_only(info.folder, info.version)
    index = page_index.PageIndex(page_index.index_path(info.folder), info.version)
    yield store, index
    del store


def test_an_import_adds_to_the_index_what_a_whole_rewrite_holds(served, tmp_path):
    """The index an import wrote (Japan's, plus Sampleland's answers) holds the rows of one
    written from the whole store."""
    store, index = served
    whole = tmp_path / page_index.FILE
    page_index.write_index(store, whole, "v")
    tables = ("SELECT resource, rank, property, text FROM texts",
              "SELECT resource, label, label_key, type, type_label FROM about",
              "SELECT query, x, row FROM answers", "SELECT folded FROM words",
              "SELECT topic, date, ordinal, consultation, kind, fact, labelled, row FROM facts")
    for sql in tables:
        with closing(sqlite3.connect(whole)) as a, closing(sqlite3.connect(index.path)) as b:
            assert Counter(b.execute(sql).fetchall()) == Counter(a.execute(sql).fetchall())
    assert "xs/" in str(index.find("Sampleland").rows)  # the import's own rows are there


def test_an_index_of_an_older_format_is_written_again(served, tmp_path):
    """A store whose index another napgraph wrote (an older format) gets a current one the
    next time napgraph makes the build's store (build, import, remove, bench)."""
    store, index = served
    build = tmp_path / "build"
    folder = Path(index.path).parent
    shutil.copytree(folder.parent.parent, build, symlinks=True)
    copied = build / folder.relative_to(folder.parent.parent) / page_index.FILE
    with closing(sqlite3.connect(copied)) as db, db:
        db.execute("UPDATE meta SET value = 'napgraph-pages-1' WHERE key = 'format'")
    info = served_store.make_build_store(build)
    assert page_index.PageIndex(copied, info.version).concept_facts(
        ["https://w3id.org/napgraph/id/topic/human-rights-due-diligence"], 0, 5).facts > 5


@pytest.mark.parametrize("q", TEXTS, ids=range(len(TEXTS)))
def test_index_finds_what_the_query_finds(served, q):
    store, index = served
    expected, found = query_rows(store, q), index_rows(index, q)
    if sum(expected.values()) < index.limit:
        assert found == expected
    else:  # cut by the LIMIT, maybe among rows of equal rank, label and resource: the same
        assert sort_keys(found) == sort_keys(expected)  # ORDER BY keys, row for row


# Texts FTS5 would read as syntax, or that end its strings (NUL): found as the query finds
# them, and never an error (which would stop the server reading the index).
HOSTILE = ['"', '"""', 'a"b', "AND", "OR NOT", "*", "due*", "NEAR(", "NEAR(due diligence)",
           "{text}: due", "^due", "'; --", "\x00", "\x00\x00\x00", "due\x00diligence",
           "ab\x00\x00cd"]


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_text(served, q):
    store, index = served
    assert index_rows(index, q) == query_rows(store, q)


@pytest.mark.parametrize("q", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_search_keeps_the_index(site_server, q):
    """Over HTTP, each hostile text is a search like any other, and the server still reads
    its index after it (no warning that pages run their queries)."""
    for params in ({"q": q}, {"q": q, "format": "json"}):
        reply = requests.get(site_server.root + "/search", params=params, headers=HTML,
                             timeout=60)
        assert reply.status_code == 200, reply.text[:500]
    log = site_server.log.read_text(encoding="utf-8", errors="replace")
    assert "pages run their queries" not in log
    assert "Traceback" not in log


def sort_keys(rows: Counter) -> list[tuple]:
    """The ORDER BY keys of search.rq (rank, lower-case label, resource) of each row."""
    names = [variable.value for variable in SEARCH_VARIABLES]
    rank, label, resource = (names.index(name) for name in ("rank", "label", "resource"))
    return sorted((row[rank], row[label].lower(), row[resource]) for row in rows.elements())


FACTS = canned.load_query(page_query_file("concept-facts"))


def test_concept_facts_kept_for_every_topic(served):
    """Every topic's kept concept-facts rows (those with the labels a page shows) are the
    query's rows for it, in its order, with their count of meetings and facts."""
    store, index = served
    topics = {row["x"].value for row in store.query(FACTS.text, use_default_graph_as_union=True)}
    assert len(topics) > 20
    for topic in sorted(topics):
        kept = index.concept_facts([topic], 0, 10**6)
        asked = [row for row in read_rows(ox_json(canned.run(store, FACTS, {"x": topic})))
                 if "kindLabel" in row and "topicLabel" in row]
        assert read_rows(kept.rows) == asked, topic
        assert kept.meetings == len({row["consultation"].value for row in asked}), topic
        assert kept.facts == len({(row["consultation"].value, row["fact"].value)
                                  for row in asked}), topic


def test_concept_facts_pages_are_the_meetings_in_order(served):
    """Pages of 2 meetings of every topic at once: each page's meetings follow the last
    page's, and together they are every meeting, in order of date, ordinal and IRI."""
    store, index = served
    topics = sorted({row["x"].value
                     for row in store.query(FACTS.text, use_default_graph_as_union=True)})
    whole = read_rows(index.concept_facts(topics, 0, 10**6).rows)
    paged = []
    for offset in range(0, index.concept_facts(topics, 0, 2).meetings, 2):
        meetings = list(dict.fromkeys(row["consultation"].value
                                      for row in read_rows(index.concept_facts(topics, offset,
                                                                               2).rows)))
        assert 1 <= len(meetings) <= 2
        paged += meetings
    assert len(paged) > 4
    assert paged == list(dict.fromkeys(row["consultation"].value for row in whole))


def test_home_countries_kept_for_the_catalog(served):
    """The catalogue's rows (Japan and Sampleland), kept, are the query's rows."""
    store, index = served
    catalog = "https://w3id.org/napgraph/dataset"
    query = canned.load_query(page_query_file("home-countries"))
    kept = read_rows(index.kept("home-countries", catalog))
    asked = read_rows(ox_json(canned.run(store, query, {"x": catalog})))
    assert len(kept) == 2
    assert sorted(map(str, kept)) == sorted(map(str, asked))


def ox_json(solutions) -> bytes:
    return solutions.serialize(format=ox.QueryResultsFormat.JSON)


def test_table_finds_something(served):
    """The table is not a table of misses: most texts find rows."""
    store, _ = served
    assert sum(bool(query_rows(store, q)) for q in TEXTS) >= len(TEXTS) - 5


# (text in the data, text searched, found?)
FOLDING = [("Child Labour", "child labor", True), ("child labor", "LABOUR", True),
           ("Organisations", "organization", True), ("organizing", "Organising", True),
           ("Programme of work", "program of", True), ("program", "programme", True),
           ("labo", "labour", False), ("prog", "program", False),
           ("LABOUR", "labour", True), ("Labourers", "laborer", True),
           ("İstanbul Labour Office", "labor off", True), ("ΟΔΟΣ labour", "ΟΔΟΣ", True)]


@pytest.fixture(scope="module")
def folding_store(tmp_path_factory):
    store = ox.Store()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    for number, (text, _, _) in enumerate(FOLDING):
        store.add(ox.Quad(ox.NamedNode(f"http://example.org/r{number}"), label,
                          ox.Literal(text, language="en"), ox.NamedNode("http://example.org/g")))
    path = tmp_path_factory.mktemp("fold") / page_index.FILE
    page_index.write_index(store, path, "v1")
    return store, page_index.PageIndex(path, "v1")


@pytest.mark.parametrize("number", range(len(FOLDING)))
def test_query_and_index_fold_spellings_alike(folding_store, number):
    """One rule, FOLDS, written in Python for the index and in SPARQL in search.rq."""
    store, index = folding_store
    text, q, found = FOLDING[number]
    resource = f"<http://example.org/r{number}>"
    by_query = {row[1] for row in query_rows(store, q)}
    by_index = {row[1] for row in index_rows(index, q)}
    assert (resource in by_query) is found
    assert (resource in by_index) is found


@pytest.mark.parametrize("number", range(len(FOLDING)))
def test_the_span_marked_is_the_match_search_finds(number):
    """The search page marks (folding.folded_span) what the index and the query match."""
    text, q, found = FOLDING[number]
    span = folded_span(text, q)
    assert (span is not None) is found
    if found:
        assert fold(text[slice(*span)]) == fold(q)


# Texts whose lower case is longer, or not what each letter is alone, or that look like
# markup: (text, query, what the snippet marks).
ODD_TEXTS = [
    ("dotted-capital-i-before", "İİİ Labour <b>", "labor", "Labour"),
    ("dotted-capital-i-matched", "xİy", "İY", "İy"),
    ("final-sigma", "ΟΔΟΣ labour", "οδος", "ΟΔΟΣ"),
    ("sharp-s-is-not-ss", "Straße labour", "strasse", None),
    ("ligature-before", "ﬁnance labour", "LABOUR", "labour"),
    ("full-width-is-not-folded", "ＬＡＢＯＵＲ labour", "labour", "labour"),
    ("combining-mark", "cafe\u0301 organisation", "organiz", "organis"),
    ("markup", "<mark>&amp; programme</mark>", "program", "programme"),
]


@pytest.mark.parametrize(("text", "q", "marked"), [case[1:] for case in ODD_TEXTS],
                         ids=[case[0] for case in ODD_TEXTS])
def test_a_snippet_marks_original_characters_and_loses_none(text, q, marked):
    """The search page's snippet (search._snippet) is the text cut in three, unchanged."""
    before, match, after = _snippet(text, q, 80)
    assert (match or None) == marked
    assert before + match + after == text


@pytest.mark.parametrize("damage", [b"not a database at all", b""], ids=["garbage", "empty"])
def test_damaged_index_falls_back_to_the_query(build_dir, site_server, tmp_path, damage):
    """The served store's index damaged: the server starts, logs why, and searches answer
    the same rows as a server reading the index."""
    folder = tmp_path / "build"
    shutil.copytree(build_dir, folder, symlinks=True)
    [store] = [p for p in (folder / "stores").iterdir() if (p / "store.json").is_file()]
    (store / page_index.FILE).write_bytes(damage)
    server = launch(folder, {"QUERY_RUNNERS": 1}, tmp_path / "server.log")
    try:
        for q in ("due diligence", "child labour", "Keidanren"):
            params = {"q": q, "format": "json"}
            fallback = requests.get(server.root + "/search", params=params, timeout=60)
            indexed = requests.get(site_server.root + "/search", params=params, timeout=60)
            assert fallback.status_code == indexed.status_code == 200
            assert _bindings(fallback) == _bindings(indexed) != Counter()
            for table in ("csv", "tsv"):  # the other formats: the same lines (ties: any order)
                params["format"] = table
                fallback, indexed = (requests.get(root + "/search", params=params, timeout=60)
                                     for root in (server.root, site_server.root))
                assert fallback.headers["Content-Type"] == indexed.headers["Content-Type"]
                assert sorted(fallback.text.splitlines()) == sorted(indexed.text.splitlines())
        page = requests.get(server.root + "/search", params={"q": "remedy"}, timeout=60)
        assert page.status_code == 200 and "remedy" in page.text.lower()
        for path in ("/", "/id/ungp/pillar/2", "/id/topic/human-rights-due-diligence"):
            asked = requests.get(server.root + path, headers=HTML, timeout=60)
            kept = requests.get(site_server.root + path, headers=HTML, timeout=60)
            assert asked.status_code == kept.status_code == 200
            assert asked.text == kept.text and "2018" in kept.text
    finally:
        server.stop()
    log = Path(tmp_path / "server.log").read_text(encoding="utf-8")
    assert f"{store / page_index.FILE}:" in log
    assert "pages run their queries" in log
    assert "Traceback" not in log


def _bindings(response: requests.Response) -> Counter:
    return Counter(tuple(sorted((k, tuple(sorted(v.items()))) for k, v in row.items()))
                   for row in response.json()["results"]["bindings"])
