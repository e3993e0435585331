"""A query runner: a child process that opens the dataset and answers SPARQL queries.

pyoxigraph 0.5 cannot stop a running query, so queries run here, in a process the web worker
can kill when its time is up (see pool.py). The web worker starts it with
`python -m napgraph.server.backends.runner FD PARENT_PID`, FD being its end of a socket pair,
and sends one start message; the runner opens the on-disk store read-only (every runner
shares it: graph/served_store.py), answers "ready" and then serves one
request at a time (messages.py). This module imports neither Flask nor the web app, so a
runner starts in well under a second.
"""

from __future__ import annotations

import ctypes
import itertools
import marshal
import os
import re
import resource
import signal
import sys
import threading
import traceback
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from napgraph.graph.served_store import StoreError, open_read_only

from .messages import QueryRequest
from .query_guard import QueryTooDeep, ServiceRefused, inspect_query
from .query_parse import update_refusal

_PR_SET_PDEATHSIG = 1
# RDF/XML writes a predicate as a QName; it needs an XML name at the end of the IRI.
_XML_LOCAL_NAME = re.compile(r"[A-Za-z_\u00c0-\ufffd][\w.\-\u00b7\u00c0-\ufffd]*$")
# Characters XML 1.0 cannot hold, not even as character references (its `Char` production).
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_MEDIA_TYPES = frozenset({"application/sparql-results+xml", "application/rdf+xml"})
# pyoxigraph parses and evaluates queries recursively, on the stack of the calling thread:
# queries run on a thread with this much stack, which MAX_QUERY_NESTING is sized against (a
# 256 MiB stack held every query up to 1 MB we tried that nests at most 20,000 levels).
# It is address space, not memory: pages are only used as the stack grows.
ENGINE_STACK_MB = 256


class Engine:
    """Answers query requests against one store; every answer is a plain tuple."""

    def __init__(self, store: ox.Store, allowlist: Iterable[str], max_nesting: int = 0) -> None:
        self.store = store
        self.allowlist = frozenset(allowlist)
        self.max_nesting = max_nesting
        self._scratch = ox.Store()  # empty: only used to let the engine resolve IRIs

    def resolve(self, prologue: str, term: str, base_iri: str | None = None) -> str:
        """Resolve an IRI or prefixed name with the query's prologue, as the engine would."""
        try:
            solutions = self._scratch.query(
                f"{prologue}\nSELECT ?iri WHERE {{ BIND({term} AS ?iri) }}", base_iri=base_iri)
            value = next(solutions)["iri"]
        except SyntaxError as error:
            raise ValueError(str(error).splitlines()[0]) from None
        return value.value

    def answer(self, request: QueryRequest) -> tuple:
        """Run one request; the reply is a plain tuple (messages.py)."""
        (query, base_iri, default_graphs, named_graphs, union_default, select_type, ask_type,
         graph_type, max_rows, bindings) = request
        # A SERVICE whose endpoint is a bound variable calls the bound IRI (canned queries).
        bound = {name: value for name, kind, value, *_ in bindings or () if kind == "iri"}
        try:
            facts = inspect_query(query, self.allowlist,
                                  lambda prologue, term: self.resolve(prologue, term, base_iri),
                                  bound, self.max_nesting)
        except ServiceRefused as refusal:
            return ("refused", str(refusal))
        except QueryTooDeep as refusal:
            return ("too-deep", str(refusal))
        chosen = {"SELECT": select_type, "ASK": ask_type, "CONSTRUCT": graph_type,
                  "DESCRIBE": graph_type}
        if facts.form is not None and chosen[facts.form] is None:
            return ("unacceptable", facts.form)
        options: dict = {"base_iri": base_iri}
        if bindings:
            options["substitutions"] = decode_bindings(bindings)
        if default_graphs is None and named_graphs is None:
            # No protocol dataset: the query's FROM clauses, else the union of all graphs.
            options["use_default_graph_as_union"] = (union_default
                                                     and not facts.has_dataset_clause)
        else:
            try:
                options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs or ()]
                options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs or ()]
            except ValueError as error:
                return ("bad-dataset", f"invalid graph IRI in default-graph-uri or "
                                       f"named-graph-uri: {error}")
        try:
            result = self.store.query(query, **options)
        except SyntaxError as error:
            refusal = update_refusal(query)
            return ("read-only", str(refusal)) if refusal else ("syntax", str(error))
        form = ("ASK" if isinstance(result, ox.QueryBoolean)
                else "SELECT" if isinstance(result, ox.QuerySolutions) else "CONSTRUCT")
        media_type = chosen[form]
        if media_type is None:
            return ("unacceptable", form)
        try:
            body, truncated = serialize_answer(result, media_type, max_rows)
        except OSError as error:
            if facts.services:
                return ("service-failed", f"{type(error).__name__}: {error}")
            raise
        except SyntaxError as error:  # raised while reading a SERVICE's results
            if facts.services:
                return ("service-failed", str(error))
            raise
        except Unserializable as error:
            return ("unserializable", str(error))
        return ("ok", form, media_type, body, truncated, bool(facts.services))


def decode_bindings(encoded: Iterable[tuple]) -> dict[ox.Variable, ox.NamedNode | ox.Literal
                                                        | ox.BlankNode]:
    """Turn embedded.encode_bindings tuples back into pyoxigraph `substitutions`."""
    substitutions: dict = {}
    for name, kind, value, language, datatype in encoded:
        if kind == "iri":
            term = ox.NamedNode(value)
        elif kind == "bnode":
            term = ox.BlankNode(value)
        elif language:
            term = ox.Literal(value, language=language)
        else:
            term = ox.Literal(value, datatype=ox.NamedNode(datatype))
        substitutions[ox.Variable(name)] = term
    return substitutions


class Unserializable(Exception):
    pass


def serialize(result: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples, media_type: str,
               max_rows: int) -> tuple[bytes, bool]:
    if isinstance(result, ox.QueryBoolean):
        return result.serialize(format=ox.QueryResultsFormat.from_media_type(media_type)), False
    if isinstance(result, ox.QuerySolutions):
        results_format = ox.QueryResultsFormat.from_media_type(media_type)
        if not max_rows:
            return result.serialize(format=results_format), False
        tsv, truncated = capped_tsv(result, max_rows)
        if results_format == ox.QueryResultsFormat.TSV:
            return tsv, truncated
        return ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV).serialize(
            format=results_format), truncated
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    triples = list(itertools.islice(result, max_rows + 1)) if max_rows else list(result)
    truncated = bool(max_rows) and len(triples) > max_rows
    kept = triples[:max_rows] if max_rows else triples
    if rdf_format == ox.RdfFormat.RDF_XML:
        for triple in kept:
            if not _XML_LOCAL_NAME.search(triple.predicate.value):
                raise Unserializable(f"predicate <{triple.predicate.value}> has no XML local "
                                      "name, so these triples cannot be written as RDF/XML; "
                                      "ask for Turtle, N-Triples or JSON-LD")
    return ox.serialize(kept, format=rdf_format), truncated


def serialize_answer(result: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples,
                     media_type: str, max_rows: int) -> tuple[bytes, bool]:
    """`serialize`, with an XML answer made XML 1.0 (`_xml_1_0`): what the runners send, and
    what the pages' search writes from its index. Raises Unserializable."""
    body, truncated = serialize(result, media_type, max_rows)
    if media_type in _XML_MEDIA_TYPES:
        body = _xml_1_0(body)
    return body, truncated


def _xml_1_0(body: bytes) -> bytes:
    """Return an XML answer as well-formed XML 1.0, or raise Unserializable.

    pyoxigraph writes the characters of literals as they are. XML 1.0 cannot hold most
    control characters at all, not even as references, so such an answer is refused (406,
    naming the formats that can hold it); a raw carriage return would be read back as a line
    feed, so it is written as a character reference.
    """
    found = _NOT_XML_CHAR.search(body.decode("utf-8", "surrogatepass"))
    if found is not None:
        raise Unserializable(f"the answer holds the character U+{ord(found.group()):04X}, which "
                              "XML 1.0 cannot represent; ask for JSON, CSV, TSV, Turtle, "
                              "N-Triples or JSON-LD")
    return body.replace(b"\r", b"&#13;")


def capped_tsv(result: ox.QuerySolutions, max_rows: int) -> tuple[bytes, bool]:
    """The first `max_rows` rows of `result` as SPARQL TSV, and whether more matched.

    pyoxigraph writes TSV one row per line (a newline in a literal is written `\\n`), so
    its writer is stopped after the line of row `max_rows`: no row is read as a Python
    object, and the rows kept go to the wanted format by pyoxigraph's TSV parser and writer.
    """
    lines = _Lines(max_rows + 1)  # the head, then the rows
    try:
        result.serialize(lines, ox.QueryResultsFormat.TSV)
    except _Enough:
        return lines.text(), True
    return lines.text(), False


class _Enough(Exception):
    """Raised by _Lines to stop a writer: a line past the limit has started."""


class _Lines:
    """A binary output that keeps the first `limit` lines written to it."""

    def __init__(self, limit: int) -> None:
        self.left = limit
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        if not data:
            return 0
        lines = data.count(b"\n")
        if lines < self.left or (lines == self.left and data.endswith(b"\n")):
            self.left -= lines
            self.parts.append(bytes(data))
            return len(data)
        end = -1
        for _ in range(self.left):
            end = data.index(b"\n", end + 1)
        self.parts.append(bytes(data[:end + 1]))
        self.left = 0
        raise _Enough

    def flush(self) -> None:
        pass

    def text(self) -> bytes:
        return b"".join(self.parts)


def solutions_of(variables: Iterable[ox.Variable],
                 rows: Iterable[ox.QuerySolution]) -> ox.QuerySolutions:
    """Rows already read, as QuerySolutions again (what pyoxigraph's writers take; the
    remote backend's rows).

    pyoxigraph serializes only whole result iterators, so the rows are written as TSV (whose
    cells are N-Triples terms) and re-read: the format writers stay pyoxigraph's.
    """
    tsv = "\t".join(str(variable) for variable in variables) + "\n" + "".join(
        "\t".join(_tsv_term(term) for term in row) + "\n" for row in rows)
    return ox.parse_query_results(tsv.encode(), ox.QueryResultsFormat.TSV)


def _tsv_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):
        return (f"<<( {_tsv_term(term.subject)} {_tsv_term(term.predicate)} "
                f"{_tsv_term(term.object)} )>>")
    return str(term)


def _die_with_parent(parent_pid: int) -> None:
    # Linux: be killed when the thread that started us ends, so a runaway query cannot
    # outlive its web worker. The pool starts runners from one long-lived thread.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:
        sys.exit(0)


def main(argv: list[str] | None = None) -> int:
    """Run a runner on the socket whose descriptor is argv[0]; return the exit status."""
    fd_text, parent_text = (argv if argv is not None else sys.argv[1:])[:2]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server; it stops us
    _die_with_parent(int(parent_text))
    conn = Connection(int(fd_text))
    start = marshal.loads(conn.recv_bytes())
    try:
        store, info = open_read_only(Path(start["store"]), start["version"])
    except StoreError as error:
        conn.send_bytes(marshal.dumps(("failed", str(error))))
        return 1
    sizes = [list(pair) for pair in info.graphs]
    engine = Engine(store, start["allowlist"], start.get("max_nesting", 0))
    ready = threading.Event()
    threading.stack_size(ENGINE_STACK_MB * 1024 * 1024)
    serving = threading.Thread(target=_serve, args=(conn, engine, ready, sizes, info.quads),
                               name="napgraph-engine")
    serving.start()
    if start["memory_mb"]:
        # The engine thread's stack is already mapped: the limit is what queries may add.
        limit = (start["memory_mb"] + ENGINE_STACK_MB) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    ready.set()
    serving.join()
    return 0


def _serve(conn: Connection, engine: Engine, ready: threading.Event,
           sizes: list[tuple[str, int]], quads: int) -> None:
    """Answer requests until the web worker closes the socket (on the engine thread)."""
    ready.wait()
    conn.send_bytes(marshal.dumps(("ready", sizes, quads)))
    while True:
        try:
            data = conn.recv_bytes()
        except EOFError:
            return
        try:
            reply = engine.answer(QueryRequest.decode(data))
        except Exception:  # reported to the web worker, which logs it and answers 500
            reply = ("internal", traceback.format_exc())
        conn.send_bytes(marshal.dumps(reply))


if __name__ == "__main__":
    sys.exit(main())
