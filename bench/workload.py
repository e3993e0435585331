"""The fixed SPARQL workload: every canned query with its default parameters, plus lookups,
aggregates, text filters, DESCRIBE and ASK.

Every query is sent as plain text to every server, so a canned query's parameters are
written into it as a `VALUES` row at the start of its outermost group. pyoxigraph's
`substitutions` (what napgraph itself uses) only exist in-process, and Oxigraph's and
rdflib-endpoint's HTTP endpoints know nothing like them; `check_inlined` proves, on a store,
that the inlined text gives the same rows as the substituted query.

Queries that call `SERVICE` are left out: a bench sends traffic to this machine only, and
Oxigraph and rdflib-endpoint would call any endpoint a query names.

All ad hoc queries name resources of Japan's graph, which every scale holds, and read the
default graph as the union of the named graphs, as napgraph does (Oxigraph is started with
`--union-default-graph`, rdflib-endpoint serves a `Dataset(default_union=True)`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from napgraph.graph.canned import CannedQuery, bind, load_queries

ID = "https://w3id.org/napgraph/id/"
CONSULTATION = ID + "jp/consultation/2018-01"
ACTOR = ID + "jp/org/mofa"
PREFIXES = """PREFIX nap: <https://w3id.org/napgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
SELECT_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples"

# name: (category, text). Names are short, stable keys of the results JSON and tables.
AD_HOC = {
    "lookup-consultation": ("lookup", f"SELECT ?p ?o WHERE {{ <{CONSULTATION}> ?p ?o }}"),
    "lookup-actor": ("lookup", f"SELECT ?p ?o WHERE {{ <{ACTOR}> ?p ?o }}"),
    "lookup-actor-incoming": ("lookup", f"SELECT ?s ?p WHERE {{ ?s ?p <{ACTOR}> }}"),
    "agg-classes": ("aggregate", "SELECT ?class (COUNT(?s) AS ?n) "
                    "WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) ?class"),
    "agg-graphs": ("aggregate", "SELECT ?g (COUNT(*) AS ?n) "
                   "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"),
    "agg-roles": ("aggregate", PREFIXES + "SELECT ?role (COUNT(DISTINCT ?actor) AS ?actors) "
                  "WHERE { ?p prov:hadRole ?role ; prov:agent ?actor } GROUP BY ?role "
                  "ORDER BY ?role"),
    "text-contains": ("text", PREFIXES + "SELECT ?s ?label WHERE { ?s rdfs:label ?label "
                      'FILTER(CONTAINS(LCASE(STR(?label)), "human rights")) }'),
    "text-regex": ("text", PREFIXES + "SELECT ?s ?label WHERE { ?s rdfs:label ?label "
                   'FILTER(REGEX(STR(?label), "^ministry of", "i")) }'),
    "describe-consultation": ("describe", f"DESCRIBE <{CONSULTATION}>"),
    "describe-actor": ("describe", f"DESCRIBE <{ACTOR}>"),
    "ask-type": ("ask", f"ASK {{ <{ACTOR}> a ?type }}"),
    "ask-label": ("ask", PREFIXES + 'ASK { ?s rdfs:label "Ministry of Foreign Affairs"@en }'),
}


@dataclass(frozen=True)
class Query:
    """One query of the workload: its name, category, SPARQL text and result form."""

    name: str
    category: str
    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    tags: tuple[str, ...] = ()

    @property
    def accept(self) -> str:
        """The Accept header sent with it: SPARQL JSON results, or N-Triples for graphs."""
        return GRAPH_ACCEPT if self.form in ("CONSTRUCT", "DESCRIBE") else SELECT_ACCEPT


def workload(folder: Path | None = None, only: Iterable[str] | None = None) -> list[Query]:
    """The whole workload, canned queries first; `only` keeps the named ones (or categories)."""
    queries = [canned_query(q) for q in load_queries(folder).values()]
    queries = [q for q in queries if not uses_service(q.text)]
    queries += [Query(name, category, text, _form(text))
                for name, (category, text) in AD_HOC.items()]
    if only:
        wanted = set(only)
        queries = [q for q in queries if q.name in wanted or q.category in wanted]
    return queries


def canned_query(query: CannedQuery) -> Query:
    """A canned query as a workload query, its default parameters inlined."""
    return Query(query.slug, "canned", inline_defaults(query), query.kind, tuple(query.tags))


def uses_service(text: str) -> bool:
    """Whether a query (without its comment lines) may call SERVICE; errs on the safe side."""
    body = "\n".join(line.split("#", 1)[0] if "<" not in line else line
                     for line in text.splitlines() if not line.lstrip().startswith("#"))
    return re.search(r"\bSERVICE\b", body, re.IGNORECASE) is not None


def inline_defaults(query: CannedQuery) -> str:
    """The query's text with its header removed and its default parameters inlined.

    The defaults go in as one `VALUES (?a ?b) { (x y) }` row at the start of the outermost
    group, so filters and aggregates of that group see them bound, as with substitution.
    Raises ValueError if the query has no outermost group to put them in.
    """
    text = "\n".join(line for line in query.text.splitlines()
                     if not line.lstrip().startswith("#"))
    terms = bind(query, {})
    if not terms:
        return text
    start = _outer_group(text)
    names = " ".join(f"?{variable.value}" for variable in terms)
    values = " ".join(str(term) for term in terms.values())
    return f"{text[:start + 1]}\n  VALUES ({names}) {{ ({values}) }}{text[start + 1:]}"


def check_inlined(store: ox.Store, query: CannedQuery) -> tuple[int, int]:
    """Row counts of the query run with substitutions and as inlined text, on `store`."""
    substituted = store.query(query.text, use_default_graph_as_union=True,
                              substitutions=bind(query, {}))
    inlined = store.query(inline_defaults(query), use_default_graph_as_union=True)
    return _size(substituted), _size(inlined)


def count_answer(body: bytes, content_type: str) -> int:
    """The number of rows (SELECT), triples (CONSTRUCT/DESCRIBE) or 1/0 (ASK) of an answer.

    Raises ValueError for a body it cannot read.
    """
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in ("application/sparql-results+json", "application/json"):
        data = json.loads(body)
        if "boolean" in data:
            return int(bool(data["boolean"]))
        return len(data["results"]["bindings"])
    if media_type in ("application/sparql-results+xml", "application/xml", "text/xml"):
        text = body.decode("utf-8")
        if "<boolean>" in text:  # rdflib-endpoint answers ASK in XML unless asked otherwise
            return int("<boolean>true</boolean>" in text)
        if "<sparql" in text:
            return text.count("<result>") + text.count("<result ")
        media_type = "application/rdf+xml"  # rdflib-endpoint labels DESCRIBE graphs so
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise ValueError(f"cannot count an answer of type {content_type!r}")
    return sum(1 for _ in ox.parse(body, rdf_format))


def _outer_group(text: str) -> int:
    """Index of the `{` opening the outermost group (after WHERE, or the first one)."""
    where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
    index = where.end() - 1 if where else text.find("{")
    if index < 0:
        raise ValueError("the query has no group pattern")
    return index


def _form(text: str) -> str:
    for line in text.splitlines():
        word = line.strip().split(" ", 1)[0].upper()
        if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return word
    raise ValueError(f"cannot tell the form of {text[:60]!r}")


def _size(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> int:
    if isinstance(result, ox.QueryBoolean):
        return int(bool(result))
    return sum(1 for _ in result)
