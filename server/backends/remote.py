"""A backend that forwards queries to a remote SPARQL 1.1 store (`napgraph serve --store URL`).

The store (Oxigraph server, Fuseki, Virtuoso, GraphDB, QLever, Neptune...) holds the data and
runs the queries; napgraph keeps its own rules in front of it, so an endpoint behaves the same
whichever backend it has:

- nothing but a query leaves napgraph: every query is parsed with pyoxigraph's SPARQL
  parser first (query_parse.py), and an update (INSERT, CLEAR, LOAD... sent as a query) is
  refused with the 403 of the embedded endpoint; the SERVICE allow-list (and
  MAX_QUERY_NESTING) is checked before that (query_guard.py);
- a query gets QUERY_TIMEOUT in all, connection and answer included (store_client.py);
- answers are read with pyoxigraph, cut at MAX_RESULT_ROWS and written by the same writer
  as the embedded runners (runner.serialize), in the format the client negotiated;
- napgraph serves its own graphs only (STORE_GRAPHS: by default those under the dataset
  base's `graph/`): a store's system graphs (Virtuoso's virtrdf#, DAV/...) are left out of
  the listing (so of the service description and the dataset version) and out of every
  query's dataset: while the store holds any graph out of scope, each query names the
  graphs in scope with default-graph-uri and named-graph-uri;
- otherwise the default graph is the union of the named graphs: either the store is configured so
  (STORE_UNION "store", checked each time the graphs are read) or every query names all
  graphs with default-graph-uri and named-graph-uri (STORE_UNION "protocol");
- the query's FROM / FROM NAMED are sent as default-graph-uri / named-graph-uri, the same
  dataset by the protocol, and taken out of the text (Oxigraph's union option would
  override FROM, not them; Virtuoso lets FROM override them);
- relative IRIs resolve against the endpoint URL, as in the embedded store, and `bindings`
  (canned queries' parameters) become a VALUES block opening the WHERE group: the query text
  is prepared in remote_query.py.

The dataset version (ETags) is a digest of the store's named graphs and their sizes, read at
start-up and again, in the background, every STORE_REFRESH seconds.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from ..http.errors import (
    BadProtocolRequest,
    DatasetError,
    NotAcceptable,
    QuerySyntaxError,
    QueryTooComplex,
    ReadOnly,
    ServiceNotAllowed,
    StoreBadAnswer,
    StoreUnavailable,
)
from .query_guard import QueryTooDeep, ServiceRefused, inspect_query
from .query_parse import UpdateRefused, parse_query
from .remote_query import (
    dataset_clauses,
    graphs_named_out_of_scope,
    order_clause,
    prepare_query,
    variable_name,
    without_dataset_clauses,
)
from .runner import Engine, Unserializable, serialize, solutions_of
from .store import DatasetInfo, MediaTypes, QueryResult, Term, UnacceptableForm
from .store_client import RDF_FORMATS, RESULTS_FORMATS, StoreClient

log = logging.getLogger(__name__)

LIST_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
# One triple of a named graph, to ask whether the default graph holds it too.
SAMPLE_TRIPLE = ("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                 "FILTER(isIRI(?s) && !isBlank(?o)) } LIMIT 1")
NOT_UNION = ("the SPARQL store's default graph is not the union of its named graphs: start "
             "Oxigraph with --union-default-graph, configure other stores likewise (see "
             "docs/scaling.md), or set STORE_UNION to \"protocol\"")
# Names no graph: the protocol dataset for "none of napgraph's graphs" (see _scoped).
EMPTY_GRAPH = "urn:napgraph:no-graph"
UNLISTED = DatasetInfo(version="unlisted", graphs=(), quads=0)
RETRY_LISTING = 1.0  # seconds between attempts while the graphs could not be read yet
_SORTER = ox.Store()  # empty: sorts a store's rows given in a VALUES block


class RemoteBackend:
    """Runs queries on a remote SPARQL store over HTTP; see the module docstring."""

    def __init__(self, url: str, *, service_allowlist: Sequence[str], union: str,
                 graph_scope: Sequence[str] = (), refresh: float, connect_timeout: float, listing_timeout: float,
                 connections: int, max_nesting: int = 0, read_now: bool = True) -> None:
        """Prepare the connection and (with `read_now`) read the store's graphs.

        Raises DatasetError for a URL that is not http(s). A store that cannot be read now is
        read again later, when the first query comes.
        """
        try:
            self.client = StoreClient(url, connect_timeout=connect_timeout,
                                      connections=connections)
        except ValueError as error:
            raise DatasetError(f"STORE_URL: {error}") from None
        self.allowlist = frozenset(service_allowlist)
        # The IRI prefixes of napgraph's own graphs: the only ones listed and queried.
        self.scope = tuple(graph_scope)
        self._foreign = True  # whether the store holds graphs out of scope (until listed)
        self.max_nesting = max_nesting
        self.union = union
        self.refresh_interval = refresh
        self.listing_timeout = listing_timeout
        self._engine = Engine(ox.Store(), self.allowlist)  # resolves SERVICE IRIs, runs nothing
        self._info = UNLISTED
        self._listed = False
        # Set when the store is found misconfigured; every query is then refused with it.
        self.problem: str | None = None
        self._lock = threading.Lock()
        self._refreshing = False
        self._next_refresh = 0.0
        if read_now:
            self._refresh_and_log()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], *,
                      read_now: bool = True) -> RemoteBackend:
        """Build the backend from STORE_URL and the STORE_* settings; see __init__."""
        return cls(settings["STORE_URL"], service_allowlist=settings["SERVICE_ALLOWLIST"],
                   union=settings["STORE_UNION"], graph_scope=graph_scope(settings),
                   refresh=settings["STORE_REFRESH"],
                   connect_timeout=settings["STORE_CONNECT_TIMEOUT"],
                   listing_timeout=settings["QUERY_TIMEOUT"],
                   connections=settings["WORKER_THREADS"] + 1,
                   max_nesting=settings["MAX_QUERY_NESTING"], read_now=read_now)

    @property
    def info(self) -> DatasetInfo:
        """The store's named graphs and sizes as last read, and the version derived from them.

        Every request reads it (for its ETag, even one answered from the cache), so this is
        where a background refresh starts once STORE_REFRESH has passed.
        """
        self._refresh_if_due()
        return self._info

    def refresh(self) -> DatasetInfo:
        """Read the store's named graphs and sizes now; raise StoreUnavailable/StoreBadAnswer.

        In STORE_UNION "store" mode, also check that the default graph holds a triple of a
        named graph; when it does not, every query is refused with NOT_UNION until it does.
        """
        deadline = time.monotonic() + self.listing_timeout
        rows = self._select(LIST_GRAPHS, deadline)
        try:
            listed = [(row["g"].value, int(row["n"].value)) for row in rows
                      if isinstance(row["g"], ox.NamedNode)]
        except (KeyError, TypeError, ValueError) as error:
            raise StoreBadAnswer(f"the SPARQL store listed its graphs oddly: {error}") from None
        graphs = tuple(sorted(graph for graph in listed if self.in_scope(graph[0])))
        self._foreign = len(graphs) < len(listed)
        problem = None
        if self.union == "store" and graphs:
            sample = self._select(SAMPLE_TRIPLE, deadline)
            if sample and not self._ask(" ".join(str(term) for term in sample[0]), deadline):
                problem = NOT_UNION
        digest = hashlib.blake2b(repr(graphs).encode("utf-8"), digest_size=8).hexdigest()
        info = DatasetInfo(version=f"store-{digest}", graphs=graphs,
                           quads=sum(count for _, count in graphs))
        self._info, self._listed, self.problem = info, True, problem
        return info

    def query(self, query_text: str, *, default_graph_uris: Sequence[str] | None,
              named_graph_uris: Sequence[str] | None, union_default: bool, timeout: float,
              base_iri: str | None, media_types: MediaTypes, max_rows: int,
              bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Check the query, send it to the store and serialize its answer; see Backend.query.

        Raises ServiceNotAllowed, QueryTooComplex, UnacceptableForm, NotAcceptable,
        BadProtocolRequest, QuerySyntaxError (the store's 400), StoreUnavailable and
        StoreBadAnswer.
        """
        deadline = time.monotonic() + timeout
        self._refresh_if_due()
        if self.problem:
            raise StoreBadAnswer(self.problem)
        bound = {variable_name(name): term.value for name, term in (bindings or {}).items()
                 if isinstance(term, ox.NamedNode)}
        resolve = functools.partial(self._engine.resolve, base_iri=base_iri)
        try:
            facts = inspect_query(query_text, self.allowlist, resolve, bound, self.max_nesting)
        except ServiceRefused as refusal:
            raise ServiceNotAllowed(str(refusal)) from None
        except QueryTooDeep as refusal:
            raise QueryTooComplex(str(refusal)) from None
        # FROM clauses travel as protocol parameters (below), never in the text.
        sent = without_dataset_clauses(query_text) if facts.has_dataset_clause else query_text
        if self.scope:
            sent = graphs_named_out_of_scope(sent, resolve, self.in_scope, EMPTY_GRAPH)
        text = prepare_query(sent, base_iri, bindings)
        query_form = _parse_locally(query_text, text, base_iri)
        chosen = {"SELECT": media_types.select, "ASK": media_types.ask,
                  "CONSTRUCT": media_types.graph, "DESCRIBE": media_types.graph}
        if chosen[query_form] is None:
            raise UnacceptableForm(query_form)
        form = [("query", text)]
        if default_graph_uris is not None or named_graph_uris is not None:
            form += self._scoped(default_graph_uris or (), named_graph_uris or ())
        elif facts.has_dataset_clause:
            # Sent as protocol parameters, which mean the same dataset: Oxigraph's union
            # default graph option (server flag or parameter) overrides FROM, but not them.
            form += self._scoped(*dataset_clauses(query_text, resolve))
        elif union_default and (self.union == "protocol" or self._foreign):
            if not self._listed:
                raise StoreUnavailable("the SPARQL store's graphs could not be listed yet; "
                                       "try again shortly")
            names = [name for name, _ in self._info.graphs]
            form += self._scoped(names, names)
        answer = self.client.post(form, query_form, deadline=deadline, limit=timeout)
        complete = False
        try:
            result, kind = _parse(answer.media_type, answer.body, query_form)
            if kind == "SELECT":
                result = _in_napgraphs_order(result, sent, base_iri)
            media_type = chosen[kind]
            if media_type is None:
                raise UnacceptableForm(kind)
            body, truncated = serialize(result, media_type, max_rows)
            complete = not truncated
        except SyntaxError as error:
            raise _unparsable(answer.media_type, error) from None
        except Unserializable as error:
            raise NotAcceptable(str(error)) from None
        finally:
            answer.close(complete=complete)
        return QueryResult(kind, media_type, body, truncated, cacheable=not facts.services)

    def in_scope(self, graph: str) -> bool:
        """Whether a named graph is napgraph's own (STORE_GRAPHS), not one of the store's."""
        return not self.scope or graph.startswith(self.scope)

    def _scoped(self, default: Sequence[str], named: Sequence[str]) -> list[tuple[str, str]]:
        """The protocol dataset parameters, keeping only graphs in scope.

        A graph out of scope is left out, as if the store did not hold it (the embedded
        store would not). A list left empty names EMPTY_GRAPH, since no default-graph-uri
        at all would give the store's own default graph, its system graphs included.
        Raises BadProtocolRequest for an invalid IRI.
        """
        _check_iris((*default, *named))
        if not self.scope:
            return _dataset(default, named)
        # EMPTY_GRAPH is always among the named graphs: `GRAPH <out of scope>` names it.
        return _dataset([iri for iri in default if self.in_scope(iri)] or [EMPTY_GRAPH],
                        [*(iri for iri in named if self.in_scope(iri)), EMPTY_GRAPH])

    def close(self) -> None:
        """Close the connections to the store."""
        self.client.close()

    def _refresh_if_due(self) -> None:
        """Start a background refresh of `info` when STORE_REFRESH has passed."""
        if self._listed and self.refresh_interval == 0:
            return
        now = time.monotonic()
        with self._lock:
            if self._refreshing or now < self._next_refresh:
                return
            self._refreshing = True
            wait = self.refresh_interval if self._listed else RETRY_LISTING
            self._next_refresh = now + (wait or RETRY_LISTING)
        threading.Thread(target=self._refresh_in_background, name="napgraph-store-refresh",
                         daemon=True).start()

    def _refresh_in_background(self) -> None:
        try:
            self._refresh_and_log()
        finally:
            with self._lock:
                self._refreshing = False

    def _refresh_and_log(self) -> None:
        try:
            self.refresh()
        except (StoreUnavailable, StoreBadAnswer) as error:
            log.warning("cannot read the graphs of the SPARQL store %s: %s", self.client.url,
                        error.message)
        if self.problem:
            log.error("SPARQL store %s: %s", self.client.url, self.problem)

    def _select(self, query: str, deadline: float) -> list[ox.QuerySolution]:
        """Run a SELECT of napgraph's own on the store; return its rows."""
        return self._own_query(query, "SELECT", deadline)

    def _ask(self, pattern: str, deadline: float) -> bool:
        return self._own_query(f"ASK {{ {pattern} }}", "ASK", deadline)

    def _own_query(self, query: str, form: str, deadline: float) -> Any:
        """Run a SELECT or ASK of napgraph's own; return its rows or its boolean.

        Raises StoreUnavailable or StoreBadAnswer (also for an answer of another form).
        """
        answer = self.client.post([("query", query)], form, deadline=deadline,
                                  limit=self.listing_timeout)
        complete = False
        try:
            result, kind = _parse(answer.media_type, answer.body, form)
            if kind != form:
                raise StoreBadAnswer(f"the SPARQL store answered a {form} query with {kind} "
                                     "results")
            value = bool(result) if form == "ASK" else list(result)
            complete = True
            return value
        except SyntaxError as error:
            raise _unparsable(answer.media_type, error) from None
        finally:
            answer.close(complete=complete)


def _parse_locally(query_text: str, sent_text: str, base_iri: str | None) -> str:
    """Parse the client's query and the text to be sent with pyoxigraph; return the form.

    The client's text gives the error messages (its own lines and columns); the text sent
    (with BASE and VALUES written in) is parsed too, so nothing but a query leaves napgraph.
    Raises ReadOnly for an update, QuerySyntaxError for any other text that is not a query.
    """
    try:
        query_form = parse_query(query_text, base_iri)
        if sent_text != query_text and parse_query(sent_text, base_iri) != query_form:
            raise SyntaxError("the query changed its form when its bindings were written in")
    except UpdateRefused as refusal:
        raise ReadOnly(str(refusal)) from None
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from None
    return query_form


def _unparsable(media_type: str, error: SyntaxError) -> StoreBadAnswer:
    return StoreBadAnswer(f"the SPARQL store's answer ({media_type}) does not parse: {error}")

def graph_scope(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The IRI prefixes of the graphs served from a store: STORE_GRAPHS, by default the
    dataset base's `graph/` (DATA_BASE_IRI); `*` alone: every graph the store holds."""
    prefixes = settings["STORE_GRAPHS"] or [settings["DATA_BASE_IRI"] + "graph/"]
    return () if prefixes == ["*"] else tuple(prefixes)


def _check_iris(iris: Sequence[str]) -> None:
    """Raise BadProtocolRequest for an invalid graph IRI."""
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as error:
            raise BadProtocolRequest(f"invalid graph IRI in default-graph-uri or "
                                     f"named-graph-uri: {error}") from None


def _dataset(default: Sequence[str], named: Sequence[str]) -> list[tuple[str, str]]:
    """The protocol's dataset parameters."""
    return ([("default-graph-uri", iri) for iri in default]
            + [("named-graph-uri", iri) for iri in named])


def _parse(media_type: str, body: Any, form: str | None) -> tuple[Any, str]:
    """Read the store's answer by its media type; return (result, SELECT/ASK/CONSTRUCT).

    Raises StoreBadAnswer when the media type is neither SPARQL results nor RDF, SyntaxError
    (from pyoxigraph) when the body does not parse.
    """
    if media_type == "application/json":  # either kind of JSON; the query form decides
        media_type = ("application/ld+json" if form in ("CONSTRUCT", "DESCRIBE")
                      else "application/sparql-results+json")
    if media_type in RESULTS_FORMATS:
        result = ox.parse_query_results(body, RESULTS_FORMATS[media_type])
        if form == "ASK" and isinstance(result, ox.QuerySolutions):
            return _ask_from_rows(result), "ASK"
        return result, "ASK" if isinstance(result, ox.QueryBoolean) else "SELECT"
    if media_type in RDF_FORMATS:
        quads = ox.parse(body, RDF_FORMATS[media_type])
        return (quad.triple for quad in quads), "CONSTRUCT"
    raise StoreBadAnswer(f"the SPARQL store answered with {media_type or 'no media type'!r}, "
                         "which is neither SPARQL results nor RDF")


def _in_napgraphs_order(rows: ox.QuerySolutions, query_text: str,
                        base_iri: str | None) -> ox.QuerySolutions:
    """The rows sorted by the query's ORDER BY as pyoxigraph sorts them, so pages and canned
    answers do not depend on a store's collation (Virtuoso 7.2 orders `LCASE(STR(?label))`
    otherwise). The rows are given to pyoxigraph in a VALUES block, in the store's order
    (the sort is stable), with the query's prologue for its prefixes. Rows that cannot be
    written so (blank nodes), or conditions on more than the rows (order_clause), are left
    in the store's order.
    """
    names = [variable.value for variable in rows.variables]
    clause = order_clause(query_text, names)
    if clause is None:
        return rows
    prologue, conditions = clause
    solutions = list(rows)
    if not names or any(isinstance(term, ox.BlankNode | ox.Triple)
                        for row in solutions for term in row):
        return solutions_of(rows.variables, solutions)
    values = " ".join("(" + " ".join("UNDEF" if term is None else str(term) for term in row)
                      + ")" for row in solutions)
    head = " ".join(f"?{name}" for name in names)
    try:
        return _SORTER.query(f"{prologue}\nSELECT {head} WHERE {{ VALUES ({head}) "
                             f"{{ {values} }} }} ORDER BY {conditions}", base_iri=base_iri)
    except SyntaxError:  # a condition pyoxigraph reads otherwise than the store
        return solutions_of(rows.variables, solutions)


def _ask_from_rows(rows: ox.QuerySolutions) -> ox.QueryBoolean:
    """The boolean of an ASK that a store answered as one row of one variable.

    Virtuoso 7.2 does (`__ASK_RETVAL` = 1 or 0, whatever the Accept header). Raises
    StoreBadAnswer for rows that are not of that shape.
    """
    solutions = list(rows)
    names = [variable.value for variable in rows.variables]
    if len(names) != 1 or len(solutions) > 1:
        raise StoreBadAnswer("the SPARQL store answered an ASK query with SELECT results")
    value = solutions[0][0] if solutions else None
    truth = isinstance(value, ox.Literal) and value.value not in ("0", "false")
    return ox.parse_query_results(json.dumps({"head": {}, "boolean": truth}).encode(),
                                  ox.QueryResultsFormat.JSON)
