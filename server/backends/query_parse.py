"""Parse a query with pyoxigraph's SPARQL parser before it runs anywhere; refuse updates.

In front of a remote store (`napgraph serve --store`), this is what keeps the endpoint
read-only: a store that accepts writes (as `napgraph push` needs) may also run an update
sent as `query=` (Virtuoso does), so nothing is sent that pyoxigraph does not read as a
query. pyoxigraph 0.5 has no parse-only function, so the query is prepared on an empty
in-memory store: SELECT, CONSTRUCT and DESCRIBE are evaluated lazily (preparing parses them
and runs nothing), but ASK is evaluated at once, so an ASK query is parsed with its form
keyword written as a SELECT (the same grammar follows both keywords).

A text that does not parse as a query and opens with an update operation (INSERT, CLEAR,
LOAD...) is refused as ReadOnly, the 403 of `update=`; any other is the parser's SyntaxError.
"""

from __future__ import annotations

import pyoxigraph as ox

from .query_guard import prologue_length
from .sparql_lexer import Token, line_column, significant_tokens

READ_ONLY = "this endpoint is read-only: SPARQL updates are not accepted"
UPDATE_OPERATIONS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD",
                               "MOVE", "COPY", "WITH"})
# The variable an ASK query projects while it is parsed as a SELECT (see _ask_as_select).
_PROBE = "napgraph_ask_probe"

_SCRATCH = ox.Store()  # empty and never written: preparing a query on it reads nothing


class UpdateRefused(Exception):
    """The text is a SPARQL update (or opens like one); the message says which operation."""


def parse_query(text: str, base_iri: str | None = None) -> str:
    """Parse `text` as a SPARQL 1.1 query; return its form (SELECT, ASK, CONSTRUCT, DESCRIBE).

    Raises UpdateRefused for an update operation, SyntaxError (pyoxigraph's, with line and
    column) for any other text that is not a query. Runs nothing and calls no SERVICE.
    Check nesting (query_guard.inspect_query) first: the parser is recursive.

    >>> parse_query("ASK { ?s ?p ?o }")
    'ASK'
    """
    tokens = significant_tokens(text)
    start = prologue_length(tokens)
    first = tokens[start] if start < len(tokens) else None
    parsed_text = text
    if first is not None and first.is_keyword("ASK"):
        parsed_text = _ask_as_select(text, first, tokens)
    try:
        result = _SCRATCH.query(parsed_text, base_iri=base_iri)
    except SyntaxError as error:
        if parsed_text is not text:  # the message's line and column must be the client's
            error = _syntax_error(text, base_iri) or error
        refusal = update_refusal(text)
        raise (refusal or error) from None
    if parsed_text is not text:
        return "ASK"
    if isinstance(result, ox.QuerySolutions):
        return "SELECT"
    return "DESCRIBE" if first is not None and first.is_keyword("DESCRIBE") else "CONSTRUCT"


def projected_variables(text: str, base_iri: str | None = None) -> list[str]:
    """The names of the variables a SELECT query projects, as pyoxigraph reads them (for
    `SELECT *`, every variable in scope in its WHERE group: not one only a FILTER, an
    EXISTS or an inner subquery's pattern uses); raises SyntaxError for a text that is not
    a SELECT query. Prepared on the empty store: runs nothing and calls no SERVICE.

    >>> projected_variables("SELECT * { ?s ?p ?o FILTER(?x) { SELECT ?s { ?s ?q ?y } } }")
    ['o', 'p', 's']
    """
    result = _SCRATCH.query(text, base_iri=base_iri)
    if not isinstance(result, ox.QuerySolutions):
        raise SyntaxError("not a SELECT query")
    return sorted(variable.value for variable in result.variables)


def update_refusal(text: str) -> UpdateRefused | None:
    """The refusal for a text that opens with an update operation, else None.

    Only for a text the query parser refused: it tells an update from a mistyped query.
    """
    tokens = significant_tokens(text)
    start = prologue_length(tokens)
    first = tokens[start] if start < len(tokens) else None
    if first is not None and _is_operation(first):
        line, column = line_column(text, first.start)
        return UpdateRefused(f"{READ_ONLY} ({first.text.upper()} at line {line}, column "
                             f"{column} starts an update)")
    # `ASK {} ; CLEAR ALL`: a query, then an update (a text that is no query before its ';',
    # such as SQL, stays the parser's error).
    for separator, following in zip(tokens, tokens[1:], strict=False):
        if separator.kind == "PUNCT" and separator.text == ";" and _is_operation(following):
            try:
                parse_query(text[:separator.start])
            except (SyntaxError, UpdateRefused):
                continue
            line, column = line_column(text, following.start)
            return UpdateRefused(f"{READ_ONLY} ({following.text.upper()} at line {line}, "
                                 f"column {column} is an update after a ';')")
    return None


def _is_operation(token: Token) -> bool:
    return token.kind == "WORD" and token.text.upper() in UPDATE_OPERATIONS


def _syntax_error(text: str, base_iri: str | None) -> SyntaxError | None:
    """The parser's error for the original text of an ASK query whose SELECT did not parse.

    The grammar after both keywords is the same, so this fails while parsing, before the
    ASK could be evaluated.
    """
    try:
        _SCRATCH.query(text, base_iri=base_iri)
    except SyntaxError as error:
        return error
    return None


def _ask_as_select(text: str, keyword: Token, tokens: list[Token]) -> str:
    """The text with its ASK keyword replaced by a SELECT of one constant.

    SELECT and ASK are followed by the same grammar (dataset clauses, a WHERE group,
    solution modifiers, VALUES), and a constant projection is valid with or without GROUP BY,
    so the SELECT parses exactly when the ASK does. The projected variable is one the query
    does not use, so it cannot clash with the query's own.
    """
    used = {token.text[1:] for token in tokens if token.kind == "VAR"}
    name = _PROBE
    while name in used:
        name += "_"
    end = keyword.start + len(keyword.text)
    return f"{text[:keyword.start]}SELECT (1 AS ?{name}){text[end:]}"
