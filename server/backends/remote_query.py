"""The text a remote store receives for a query: its base and its bindings written in, and its
FROM clauses read out (to be sent as protocol parameters). See remote.py.

Everything here works on the tokens of sparql_lexer.py, so strings, IRIs and comments are
never mistaken for keywords, and values are written from their N-Triples form, never
spliced from text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import pyoxigraph as ox

from .query_guard import FORMS, Resolver
from .query_parse import UpdateRefused, parse_query, projected_variables
from .sparql_lexer import Token, significant_tokens
from .store import Term

_ABSOLUTE_IRI = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]*:")
_ANY_BASE = "http://napgraph.invalid/"  # to parse a text whatever its relative IRIs


def variable_name(variable: str | ox.Variable) -> str:
    """A variable's name without `?`, from a pyoxigraph Variable or a string."""
    return variable.value if isinstance(variable, ox.Variable) else variable.lstrip("?$")


def prepare_query(text: str, base_iri: str | None,
                  bindings: Mapping[str, Term] | None = None) -> str:
    """The query text as sent to a store: with its base and its bindings written in.

    - `BASE <base_iri>` goes in front (same line) when the query has a relative IRI, so the
      store resolves it as the embedded endpoint does; the query's own BASE still wins.
    - Each bound variable gets its value in a VALUES block opening the WHERE group (so
      FILTER, HAVING and GROUP BY see it, as with pyoxigraph substitutions), or at the end of
      the query when there is no such group (`CONSTRUCT WHERE`, `DESCRIBE <x>`) or the
      group assigns the variable (`BIND(… AS ?x)`, which may not follow a VALUES of ?x, and
      then keeps the rows where it equals the value, as pyoxigraph does); and
      in each subquery that projects it, opening the subquery's WHERE group too, as
      pyoxigraph substitutes it there (a subquery is evaluated on its own: its LIMIT cuts
      before an outer VALUES joins).
    - A SERVICE whose endpoint is a bound variable gets the IRI in place of the variable.

    Values are written in their N-Triples form (`str(term)`), never spliced from text, so a
    value is one RDF term. Raises TypeError for a value that is not an IRI or a literal
    (a VALUES block cannot hold a blank node).

    >>> prepare_query("SELECT ?x WHERE { ?x ?p ?o }", None, {"o": ox.Literal("a")})
    'SELECT ?x WHERE { VALUES (?o) { ("a") } ?x ?p ?o }'
    """
    tokens = significant_tokens(text)
    edits: list[tuple[int, int, str]] = []
    if bindings:
        values = {variable_name(name): term for name, term in bindings.items()}
        for name, term in values.items():
            if not isinstance(term, ox.NamedNode | ox.Literal):
                raise TypeError(f"binding {name!r}: {term!r} cannot be sent to a SPARQL store "
                                "(only IRIs and literals can)")
        for index, token in enumerate(tokens):
            if not token.is_keyword("SERVICE"):
                continue
            following = [t for t in tokens[index + 1:index + 3] if not t.is_keyword("SILENT")]
            target = following[0] if following else token
            term = values.get(target.text[1:]) if target.kind == "VAR" else None
            if isinstance(term, ox.NamedNode):
                edits.append((target.start, target.start + len(target.text), str(term)))
        block = _values_block(sorted(values), values)
        brace = _where_brace(tokens)
        if brace is None or not _parses(f"{text[:brace + 1]} {block}{text[brace + 1:]}"):
            edits.append((len(text), len(text), f"\n{block}"))
        else:
            edits.append((brace + 1, brace + 1, f" {block}"))
        edits += [(offset, offset, f" {inner}")
                  for offset, inner in _subquery_blocks(text, tokens, values)]
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    if base_iri and _usable_base(base_iri) and any(
            token.kind == "IRI" and not _ABSOLUTE_IRI.match(token.text) for token in tokens):
        text = f"BASE <{base_iri}> {text}"
    return text


def dataset_clauses(text: str, resolve: Resolver) -> tuple[list[str], list[str]]:
    """The IRIs of the query's FROM and of its FROM NAMED clauses, resolved as the engine
    would; both empty when one cannot be resolved (the store will then refuse the query)."""
    tokens = significant_tokens(text)
    start = _form_index(tokens)
    if start is None:
        return [], []
    prologue = text[:tokens[start].start]
    default: list[str] = []
    named: list[str] = []
    for index, token in enumerate(tokens[start:-1], start):
        if not token.is_keyword("FROM"):
            continue
        is_named = tokens[index + 1].is_keyword("NAMED")
        target = tokens[index + 2] if is_named and index + 2 < len(tokens) else tokens[index + 1]
        try:
            (named if is_named else default).append(resolve(prologue, target.text))
        except ValueError:
            return [], []
    return default, named


def without_dataset_clauses(text: str) -> str:
    """The query text with its FROM and FROM NAMED clauses taken out.

    They are sent as protocol parameters instead (dataset_clauses), which the protocol says
    override them; Virtuoso lets the query's FROM win, so a FROM left in the text could
    name a graph outside napgraph's scope.

    >>> without_dataset_clauses("SELECT * FROM <g> FROM NAMED <h> { ?s ?p ?o }")
    'SELECT *   { ?s ?p ?o }'
    """
    tokens = significant_tokens(text)
    start = _form_index(tokens)
    if start is None:
        return text
    cuts = []
    for index, token in enumerate(tokens[start:-1], start):
        if not token.is_keyword("FROM"):
            continue
        target = index + 2 if tokens[index + 1].is_keyword("NAMED") else index + 1
        if target < len(tokens):
            cuts.append((token.start, tokens[target].start + len(tokens[target].text)))
    for begin, end in reversed(cuts):
        text = text[:begin] + text[end:]
    return text


def graphs_named_out_of_scope(text: str, resolve: Resolver, in_scope: Callable[[str], bool],
                              empty_graph: str) -> str:
    """The query text with each `GRAPH <iri>` (or prefixed name) whose IRI is out of scope
    naming `empty_graph` instead.

    Virtuoso 7.2 answers `ASK { GRAPH <iri> { … } }` true (and COUNT(*) 1) for a graph that
    is not among the request's named graphs; the empty graph, which is, answers as none.
    A name that cannot be resolved is left for the store to refuse.
    """
    tokens = significant_tokens(text)
    start = _form_index(tokens)
    if start is None:
        return text
    prologue = text[:tokens[start].start]
    edits = []
    for index, token in enumerate(tokens[:-1]):
        target = tokens[index + 1]
        if not token.is_keyword("GRAPH") or target.kind not in ("IRI", "PNAME"):
            continue
        try:
            iri = resolve(prologue, target.text)
        except ValueError:
            continue
        if not in_scope(iri):
            edits.append((target.start, target.start + len(target.text)))
    for begin, end in reversed(edits):
        text = f"{text[:begin]}<{empty_graph}>{text[end:]}"
    return text


_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})
_AFTER_ORDER = ("LIMIT", "OFFSET", "VALUES")


def order_clause(text: str, projected: Sequence[str]) -> tuple[str, str] | None:
    """The query's prologue and its top-level ORDER BY conditions, if they can be evaluated
    on the answer's rows alone: every variable they name is `projected`, and they use no
    aggregate. None otherwise (or when the query has no ORDER BY).

    >>> order_clause("PREFIX x: <u:> SELECT ?a { ?a ?b ?c } ORDER BY LCASE(?a) LIMIT 3", ["a"])
    ('PREFIX x: <u:>', 'LCASE(?a)')
    """
    tokens = significant_tokens(text)
    start = _form_index(tokens)
    if start is None:
        return None
    depth, begin = 0, None
    for index, token in enumerate(tokens):
        if token.kind == "PUNCT" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
        elif (depth == 0 and token.is_keyword("ORDER") and index + 1 < len(tokens)
              and tokens[index + 1].is_keyword("BY")):
            begin = index + 2
    if begin is None or begin >= len(tokens):
        return None
    end = next((i for i in range(begin, len(tokens))
                if any(tokens[i].is_keyword(word) for word in _AFTER_ORDER)), len(tokens))
    clause = tokens[begin:end]
    names = set(projected)
    if not clause or any(t.kind == "VAR" and t.text[1:] not in names for t in clause) or any(
            t.kind == "WORD" and t.text.upper() in _AGGREGATES for t in clause):
        return None
    stop = clause[-1].start + len(clause[-1].text)
    return text[:tokens[start].start].strip(), text[clause[0].start:stop]


def _form_index(tokens: list[Token]) -> int | None:
    """The index of the query form keyword (SELECT, CONSTRUCT, DESCRIBE, ASK)."""
    return next((i for i, t in enumerate(tokens)
                 if t.kind == "WORD" and t.text.upper() in FORMS), None)


def _where_brace(tokens: list[Token]) -> int | None:
    """The offset of the `{` that opens the query's WHERE group, or None if it has none."""
    start = _form_index(tokens)
    if start is None:
        return None
    index = start + 1
    if tokens[start].is_keyword("CONSTRUCT"):
        if index < len(tokens) and tokens[index].is_keyword("WHERE"):
            return None  # CONSTRUCT WHERE { triples }: the group is also the template
        if index < len(tokens) and tokens[index].text == "{":  # skip the template
            depth = 0
            for offset, token in enumerate(tokens[index:]):
                if token.kind == "PUNCT" and token.text in ("{", "}"):
                    depth += 1 if token.text == "{" else -1
                    if depth == 0:
                        index += offset + 1
                        break
    brace = _group_brace(tokens, index)
    return tokens[brace].start if brace is not None else None


def _group_brace(tokens: list[Token], index: int) -> int | None:
    """The index of the first `{` from `index` on outside parentheses (a projection's
    `(EXISTS { … } AS ?e)` holds none that counts), or None."""
    parentheses = 0
    for offset, token in enumerate(tokens[index:], index):
        if token.kind != "PUNCT":
            continue
        if token.text == "(":
            parentheses += 1
        elif token.text == ")":
            parentheses -= 1
        elif token.text == "{" and parentheses == 0:
            return offset
    return None


def _subquery_blocks(text: str, tokens: list[Token],
                     values: Mapping[str, Term]) -> list[tuple[int, str]]:
    """(offset, VALUES block) for each subquery that projects a bound variable: the block
    opens its WHERE group, as pyoxigraph substitutes a projected variable there too. A
    subquery is evaluated on its own, so a block only at the top would reach it after its
    LIMIT has cut (`{ SELECT DISTINCT ?x ?o WHERE { ?o ?p ?x } LIMIT 500 }`).

    What a subquery projects is what pyoxigraph reads (`SELECT *` included). A variable
    the subquery assigns before its answer is grouped (`BIND(… AS ?x)`, `SELECT (?o AS ?x)`)
    cannot have a block there (the subquery would not parse): it gets none, and the block at
    the top joins the subquery's answer instead (so under the subquery's own LIMIT the store
    compares after the cut, where pyoxigraph compares before it).
    """
    start = _form_index(tokens)
    if start is None:
        return []
    prologue = text[:tokens[start].start]
    blocks = []
    for index in range(start + 1, len(tokens)):
        if not tokens[index].is_keyword("SELECT"):
            continue
        brace = _group_brace(tokens, index + 1)
        if brace is None:
            continue
        end = _enclosing_end(tokens, brace)
        head = prologue + text[tokens[index].start:tokens[brace].start + 1]
        body = text[tokens[brace].start + 1:tokens[end].start if end < len(tokens) else None]
        try:
            projected = projected_variables(head + body, _ANY_BASE)
        except SyntaxError:
            continue  # the whole text is parsed before it is sent; its error is reported
        names = [name for name in projected if name in values
                 and _parses(f"{head} {_values_block([name], values)}{body}")]
        if names:
            blocks.append((tokens[brace].start + 1, _values_block(names, values)))
    return blocks


def _parses(text: str) -> bool:
    """Whether pyoxigraph reads `text` as a query (relative IRIs resolved against any base)."""
    try:
        parse_query(text, _ANY_BASE)
    except (SyntaxError, UpdateRefused):
        return False
    return True


def _enclosing_end(tokens: list[Token], index: int) -> int:
    """The index of the `}` that closes the group around the token at `index` (a
    subquery's group: its end), or len(tokens)."""
    depth = 0
    for offset, token in enumerate(tokens[index:], index):
        if token.kind == "PUNCT" and token.text == "{":
            depth += 1
        elif token.kind == "PUNCT" and token.text == "}":
            if depth == 0:
                return offset
            depth -= 1
    return len(tokens)


def _values_block(names: Sequence[str], values: Mapping[str, Term]) -> str:
    return ("VALUES (" + " ".join(f"?{name}" for name in names) + ") { ("
            + " ".join(str(values[name]) for name in names) + ") }")


def _usable_base(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return not any(char in iri for char in "<>\"{}|^`\\ ")
