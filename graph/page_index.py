"""Answers of page queries kept with each release's store: the search index, concept facts.

Two page queries read too much to answer a request in time at 10^6 quads, so their answers
are written once, beside the store (`stores/<version>/pages.sqlite`), when the store is.

**Search.**
`/search` looked for a text with a SPARQL CONTAINS over every literal of the union (about 2 s
at 10^6 quads). What it finds is still defined in one place, the page query
`server/pages/queries/search.rq` (which properties, which resources, label matches first,
labels and types): the index is that query's answer for the empty text, every row it can
give, written in SQLite with an FTS5 trigram index of each text folded by `fold` (folding.py).
A search then keeps the rows whose folded text contains
the folded search text, in the query's order, up to its LIMIT: the same rows, read in
milliseconds. A remote store (`napgraph serve --store`) has no index: the page runs the query.

Tables: `texts` (one row per resource, property and text, with the query's rank), `words`
(FTS5, rowid = texts.id: the folded text), `about` (each resource's label, type and type
label rows, as the query's OPTIONALs give them).

**Kept answers** (KEPT): a page query's answer for every resource at once (the query run
with `x` unbound), in `answers` by query and `x`, each row as a SPARQL JSON binding.
The home page's catalogue (`home-countries`, one row per country from its summary) took
250 ms at 10^6 quads, most of it counting each country's principles.

**Concept facts** (`facts`): `concept-facts`' answer for every topic, each row with the
columns a concept's page sorts, groups and counts by. A pillar gathers 16 topics: 4,000
facts at 10^6 quads (a dozen lookups each in the union of graphs: over 1 s asked), 40,000 at
10^7 (2.3 s to read and sort them all, kept as JSON); the page shows one page of meetings,
so SQLite counts them and reads only that page's rows (`concept_facts`).

`meta` holds the format, the dataset version, and each query's variables (and search's LIMIT).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from napgraph.graph import canned
from napgraph.graph.folding import fold
from napgraph.graph.paths import page_query_file
from napgraph.graph.rdf_files import LOADABLE, format_of

FILE = "pages.sqlite"
FORMAT = "napgraph-pages-2"  # change when the tables change
KEPT = ("home-countries",)  # page queries whose answer for every `x` is kept in `answers`
FACTS = "concept-facts"  # the page query whose answer for every topic is kept in `facts`
SHARED_GRAPHS = ("/graph/ontology", "/graph/schemes")  # what an import's answers lean on
_TAIL = re.compile(r"\bORDER\s+BY\b[^{}]*?\bLIMIT\s+(\d+)\s*$", re.IGNORECASE)
_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
_STRING = "http://www.w3.org/2001/XMLSchema#string"


_FIND = ("SELECT t.resource, t.rank, t.property, t.text, a.label, a.type, a.type_label "
         "FROM texts t JOIN about a ON a.resource = t.resource WHERE t.id IN "
         "(SELECT rowid FROM words WHERE {}instr(folded, ?) > 0) "
         "ORDER BY t.rank, a.label_key, t.resource LIMIT ?")  # search.rq's ORDER BY
_FIND_INDEXED = _FIND.format("folded MATCH ? AND ")
_FIND_SCANNED = _FIND.format("")


class PageIndexError(Exception):
    """An index file that cannot be read or holds another dataset; the message names it."""


def index_query() -> tuple[str, int]:
    """The search query without its ORDER BY and LIMIT (every row), and that LIMIT; raises
    ValueError if search.rq does not end with ORDER BY … LIMIT n."""
    text = canned.load_query(page_query_file("search")).text
    tail = _TAIL.search(text)
    if tail is None:
        raise ValueError(f"{page_query_file('search')}: must end with ORDER BY … LIMIT n")
    return text[:tail.start()], int(tail.group(1))


def write_index(store: ox.Store, path: Path, version: str, base: Path | None = None,
                added: Iterable[str] = ()) -> int:
    """Write the answers kept for `store` (search's for every text, KEPT's for every `x`) to
    `path` (written beside and renamed, so a reader sees a whole file or none); return the
    number of texts added.

    With `base`, the file of a store of all but the `added` files (the store before an
    import), the file starts as a copy of it and only the added files' answers are added:
    an import adds one country's own resources (graph/import_scope.py), so no answer of
    another changes. They are asked of a small store of the added files and the shared
    graphs they lean on (the ontology's class labels, the schemes' topic labels). Raises
    OSError and SyntaxError naming an added file that cannot be read.
    """
    query, limit = index_query()
    source = store if base is None else _added_store(store, added)
    solutions = source.query(query, substitutions={ox.Variable("q"): ox.Literal("")},
                             use_default_graph_as_union=True)
    names = [variable.value for variable in solutions.variables]
    handle, temporary = tempfile.mkstemp(prefix=".pages-", dir=path.parent)
    os.close(handle)
    try:
        if base is not None:
            shutil.copyfile(base, temporary)
        with closing(sqlite3.connect(temporary)) as db, db:
            if base is None:
                _create(db, names, limit, version)
            else:
                db.execute("UPDATE meta SET value = ? WHERE key = 'version'", (version,))
            count = _fill(db, solutions, skip_known=base is not None)
            for name in KEPT:
                _keep(db, source, name, base is None)
            _keep_facts(db, source, base is None)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return count


def _create(db: sqlite3.Connection, names: list[str], limit: int, version: str) -> None:
    db.executescript("""
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE texts(id INTEGER PRIMARY KEY, resource TEXT NOT NULL,
            rank INTEGER NOT NULL, property TEXT NOT NULL, text TEXT NOT NULL,
            UNIQUE(resource, property, text));
        CREATE VIRTUAL TABLE words USING fts5(folded, tokenize='trigram');
        CREATE TABLE about(resource TEXT NOT NULL, label TEXT NOT NULL, label_key TEXT,
            type TEXT NOT NULL, type_label TEXT NOT NULL,
            UNIQUE(resource, label, type, type_label));
        CREATE TABLE answers(query TEXT NOT NULL, x TEXT NOT NULL, row TEXT NOT NULL);
        CREATE TABLE facts(topic TEXT NOT NULL, date TEXT NOT NULL, ordinal INTEGER NOT NULL,
            consultation TEXT NOT NULL, kind TEXT NOT NULL, fact TEXT NOT NULL,
            labelled INTEGER NOT NULL, row TEXT NOT NULL);
    """)
    db.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("format", FORMAT), ("version", version), ("variables", json.dumps(names)),
        ("limit", str(limit))])


def _added_store(store: ox.Store, added: Iterable[str]) -> ox.Store:
    """A store in memory of the `added` files and `store`'s shared graphs (ontology and
    schemes: a rebased build names them under its own base)."""
    small = ox.Store()
    for name in added:
        path = Path(name)
        try:
            small.bulk_load(path=str(path), format=format_of(path, LOADABLE))
        except OSError as error:
            raise OSError(f"{path}: {error.strerror or error}") from None
        except SyntaxError as error:
            raise SyntaxError(f"{path}: {error}") from None
    for graph in store.named_graphs():
        if isinstance(graph, ox.NamedNode) and graph.value.endswith(SHARED_GRAPHS):
            small.extend(store.quads_for_pattern(None, None, None, graph))
    return small


def _fill(db: sqlite3.Connection, solutions: ox.QuerySolutions, skip_known: bool = False
          ) -> int:
    """Add the search query's rows; with `skip_known`, not those of resources already in
    (the shared graphs' resources, also in a small store of added files)."""
    count = 0
    known: dict[str, bool] = {}
    for row in solutions:
        resource, text = row["resource"].value, row["text"]
        if skip_known:
            if resource not in known:
                known[resource] = db.execute("SELECT 1 FROM texts WHERE resource = ? LIMIT 1",
                                             (resource,)).fetchone() is not None
            if known[resource]:
                continue
        added = db.execute(
            "INSERT OR IGNORE INTO texts(resource, rank, property, text) VALUES (?, ?, ?, ?)",
            (resource, int(row["rank"].value), str(row["property"]), str(text)))
        if added.rowcount == 1:  # a new text (its other rows differ in label or type)
            count += 1
            db.execute("INSERT INTO words(rowid, folded) VALUES (?, ?)",
                       (added.lastrowid, fold(text.value)))
        label = row["label"]
        db.execute("INSERT OR IGNORE INTO about VALUES (?, ?, ?, ?, ?)", (
            resource, _term(label), label.value.lower() if label is not None else None,
            _term(row["type"]), _term(row["typeLabel"])))
    db.execute("CREATE INDEX IF NOT EXISTS about_resource ON about(resource)")
    return count


def _keep(db: sqlite3.Connection, store: ox.Store, name: str, new: bool) -> None:
    """Keep page query `name`'s answer for every `x`: its rows, in its order, by `x` (added
    to a copied file's: an added country's facts come after, for the same `x`)."""
    db.executemany("INSERT INTO answers VALUES (?, ?, ?)", (
        (name, row["x"].value, binding) for row, binding in _answer(db, store, name, new)))
    db.execute("CREATE INDEX IF NOT EXISTS answers_x ON answers(query, x)")


def _keep_facts(db: sqlite3.Connection, store: ox.Store, new: bool) -> None:
    """Keep concept-facts' answer for every topic in `facts` (added to a copied file's), each
    row with its sort columns and whether it has the labels a page needs (kind and topic)."""
    db.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (
        (row["x"].value, row["date"].value, int(row["ordinal"].value),
         row["consultation"].value, row["kind"].value, row["fact"].value,
         row["kindLabel"] is not None and row["topicLabel"] is not None, binding)
        for row, binding in _answer(db, store, FACTS, new)))
    db.execute("CREATE INDEX IF NOT EXISTS facts_order "
               "ON facts(topic, date, ordinal, consultation, kind, fact)")


def _answer(db: sqlite3.Connection, store: ox.Store, name: str, new: bool
            ) -> Iterator[tuple[ox.QuerySolution, str]]:
    """Page query `name`'s rows with `x` bound, run with `x` unbound, each with its SPARQL
    JSON binding; in a `new` file, its variables are written in `meta` first."""
    solutions = store.query(canned.load_query(page_query_file(name)).text,
                            use_default_graph_as_union=True)
    names = [variable.value for variable in solutions.variables]
    if new:
        db.execute("INSERT INTO meta VALUES (?, ?)", (f"variables:{name}", json.dumps(names)))
    for row in solutions:
        if row["x"] is not None:
            yield row, json.dumps({key: _json_term(row[key]) for key in names
                                   if row[key] is not None}, ensure_ascii=False)


def _json_term(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> dict[str, str]:
    """`term` as a SPARQL 1.1 JSON results binding."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    found = {"type": "literal", "value": term.value}
    if term.language:
        found["xml:lang"] = term.language
    elif term.datatype.value != _STRING:
        found["datatype"] = term.datatype.value
    return found


def _term(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str:
    # A TSV results cell: N-Triples syntax, "" when unbound (not NULL: UNIQUE ignores NULLs).
    return "" if term is None else str(term)


@dataclass(frozen=True)
class Found:
    """A search's answer: the query's variables and its rows, each cell a term in N-Triples
    syntax ("" when unbound), as a SPARQL TSV results file holds them."""

    variables: list[str]
    rows: list[list[str]]

    def tsv(self) -> bytes:
        """The answer as SPARQL TSV results (pyoxigraph reads them back as solutions)."""
        lines = ["\t".join(f"?{name}" for name in self.variables)]
        lines += ["\t".join(row) for row in self.rows]
        return ("\n".join(lines) + "\n").encode("utf-8")


@dataclass(frozen=True)
class FactsPage:
    """One page of a concept's facts: how many meetings and facts in all, and the page's
    rows as SPARQL 1.1 JSON results."""

    meetings: int
    facts: int
    rows: bytes


class PageIndex:
    """A written index, opened read-only: one connection per thread that reads it (SQLite
    connections are not shared between threads), kept, not opened per request."""

    def __init__(self, path: Path, version: str) -> None:
        """Check the file at `path` is an index of dataset `version`; raises
        PageIndexError naming the file when it is not, or cannot be read."""
        self.path = path
        self._local = threading.local()
        with closing(self._connect()) as db:
            meta = dict(self._read(db, "SELECT key, value FROM meta"))
            if meta.get("format") != FORMAT or meta.get("version") != version:
                raise PageIndexError(
                    f"{path}: an index of format {meta.get('format')!r} and dataset "
                    f"{str(meta.get('version'))[:16]}, not {FORMAT!r} and {version[:16]}; "
                    f"remove it and run napgraph build (or import) again")
            self._read(db, "SELECT count(*) FROM words WHERE folded MATCH 'abc'")
        self.variables: list[str] = json.loads(meta["variables"])
        self.limit = int(meta["limit"])

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection to the file, opened on its first read."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def _connect(self) -> sqlite3.Connection:
        try:
            return sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
        except sqlite3.Error as error:
            raise PageIndexError(f"{self.path}: cannot open the search index ({error})"
                                   ) from None

    def _read(self, db: sqlite3.Connection, sql: str, params: tuple = ()) -> list[tuple]:
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise PageIndexError(f"{self.path}: damaged search index ({error}); remove "
                                   f"it and run napgraph build (or import) again") from None

    def find(self, q: str) -> Found:
        """The search query's answer for the text `q`: its rows, in its order, up to its
        LIMIT. Raises PageIndexError if the file cannot be read."""
        needle = fold(q)
        # The trigram index finds the texts holding every 3-letter piece of the text (a
        # shorter text is looked for in every text); instr keeps those holding it whole, as
        # CONTAINS does. Each piece is an FTS5 string, quoted: no text is read as syntax.
        phrases = _phrases(needle)
        if phrases:
            sql, params = _FIND_INDEXED, (phrases, needle)
        else:
            sql, params = _FIND_SCANNED, (needle,)
        found = self._read(self._connection(), sql, (*params, self.limit))
        q_term = str(ox.Literal(q))
        cells = {"q": lambda row: q_term, "resource": lambda row: f"<{row[0]}>",
                 "rank": lambda row: f'"{row[1]}"^^<{_INTEGER}>',
                 "property": lambda row: row[2], "text": lambda row: row[3],
                 "label": lambda row: row[4], "type": lambda row: row[5],
                 "typeLabel": lambda row: row[6]}
        return Found(self.variables, [[cells[name](row) for name in self.variables]
                                      for row in found])

    def kept(self, name: str, x: str) -> bytes:
        """Page query `name`'s rows with `x` bound to the IRI `x` (KEPT), as SPARQL 1.1 JSON
        results: in the query's order, each import's after the build's (pages sort them);
        raises PageIndexError if the file cannot be read."""
        db = self._connection()
        head = self._variables(db, name)
        rows = self._read(db, "SELECT row FROM answers WHERE query = ? AND x = ? "
                          "ORDER BY rowid", (name, x))
        return _results(head, rows)

    def _variables(self, db: sqlite3.Connection, name: str) -> str:
        """The variables of kept page query `name`, as a JSON list."""
        names = self._read(db, "SELECT value FROM meta WHERE key = ?", (f"variables:{name}",))
        if not names:
            raise PageIndexError(f"{self.path}: holds no answers of {name}")
        return names[0][0]

    def concept_facts(self, topics: list[str], offset: int, limit: int) -> FactsPage:
        """The labelled concept-facts rows of any of `topics`, for the meetings (consultations)
        `offset` to `offset + limit` in order of date, ordinal and IRI; raises PageIndexError
        if the file cannot be read."""
        among = f"topic IN ({','.join('?' * len(topics))}) AND labelled"
        db = self._connection()
        head = self._variables(db, FACTS)
        (meetings, facts), = self._read(db, (
            "SELECT count(DISTINCT consultation), count(*) FROM (SELECT DISTINCT "
            f"consultation, fact FROM facts WHERE {among})"), tuple(topics))
        shown = [name for (name,) in self._read(db, (
            f"SELECT consultation FROM facts WHERE {among} GROUP BY consultation "
            "ORDER BY min(date), min(ordinal), consultation LIMIT ? OFFSET ?"),
            (*topics, limit, offset))]
        rows = self._read(db, (
            f"SELECT row FROM facts WHERE {among} AND consultation IN "
            f"({','.join('?' * len(shown))}) "
            "ORDER BY date, ordinal, consultation, kind, fact, topic"), (*topics, *shown))
        return FactsPage(meetings, facts, _results(head, rows))


def _phrases(needle: str) -> str:
    """An FTS5 query for the texts holding every piece of `needle` of 3 letters or more, or
    "" if none has 3. The pieces are split at NUL, which ends an FTS5 string; each is
    quoted, so `"`, AND, `*` or NEAR( in a search are text.

    >>> _phrases('a "b" AND c*')
    '"a ""b"" AND c*"'
    >>> _phrases("ab" + chr(0) + "cde")
    '"cde"'
    """
    return " ".join('"' + piece.replace('"', '""') + '"'
                    for piece in needle.split("\x00") if len(piece) >= 3)


def _results(head: str, rows: list[tuple]) -> bytes:
    """SPARQL 1.1 JSON results of the variables `head` (a JSON list) and `rows`, each a
    1-tuple of a JSON binding."""
    bindings = ",".join(row for (row,) in rows)
    return f'{{"head":{{"vars":{head}}},"results":{{"bindings":[{bindings}]}}}}'.encode()


def index_path(store_folder: Path) -> Path:
    """Where the index of the store in `store_folder` is."""
    return store_folder / FILE
