"""What a query is (its form, whether it names a dataset) and whether its SERVICE calls are allowed.

pyoxigraph 0.5 calls any URL a `SERVICE` clause names, so every SERVICE target must be on
the allow-list. The check reads the query twice: as pyoxigraph reads it (codepoint escapes
only inside strings and IRIs) and as SPARQL 1.1 section 19.2 says to read it (every
`\\uXXXX` escape decoded first). A text that means different things in the two readings,
such as `'a\\u0027' SERVICE <...>`, is checked in both, so neither reading can smuggle a
call past the other. The engine itself resolves prefixed names and relative IRIs.

Most queries need none of that: a text with no `service` in it (in any case), no codepoint
escape and fewer brackets and prefix operators than MAX_QUERY_NESTING passes both checks
whatever its tokens are, so only its prologue is read (for the form), and the rest only when
it contains `from`. `plainly_safe` says when that holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from .sparql_lexer import (
    TRIVIA,
    Token,
    decode_codepoint_escapes,
    line_column,
    significant_tokens,
    tokenize,
)

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")

# resolve(prologue, term) -> absolute IRI, or raises ValueError; term is an IRI or a prefixed
# name exactly as written, prologue the query's BASE and PREFIX declarations.
Resolver = Callable[[str, str], str]


class ServiceRefused(Exception):
    """A SERVICE clause calls an endpoint that is not allowed; the message names it."""


class QueryTooDeep(Exception):
    """The query nests deeper than MAX_QUERY_NESTING; the message says where."""


@dataclass(frozen=True)
class QueryFacts:
    """What the lexer learnt about a query before it runs."""

    form: str | None
    has_dataset_clause: bool
    services: tuple[str, ...]


def inspect_query(text: str, allowlist: Collection[str], resolve: Resolver,
                  bound: Mapping[str, str] | None = None, max_nesting: int = 0) -> QueryFacts:
    """Return the query's form, whether it has FROM clauses, and the SERVICE IRIs it calls.

    `bound` maps variable names (without `?`) to the IRIs a trusted caller binds them to
    (a canned query's parameters): a SERVICE whose target is such a variable calls that IRI.
    Raises ServiceRefused, naming the target and its line and column, if a SERVICE target
    is an unbound variable, cannot be resolved, or is not in `allowlist`; raises QueryTooDeep
    if `max_nesting` (0: no limit) is exceeded in either reading of the query.
    """
    if plainly_safe(text, max_nesting):
        return _facts_of_safe(text)
    return inspect_query_fully(text, allowlist, resolve, bound, max_nesting)


def inspect_query_fully(text: str, allowlist: Collection[str], resolve: Resolver,
                        bound: Mapping[str, str] | None = None,
                        max_nesting: int = 0) -> QueryFacts:
    """`inspect_query` without the shortcut for plainly safe texts: every token of both
    readings checked. Same arguments, answer and errors."""
    tokens = significant_tokens(text)
    if max_nesting:
        _check_nesting(text, tokens, max_nesting)
    bound = bound or {}
    services = _check_services(text, tokens, allowlist, resolve, bound)
    decoded = decode_codepoint_escapes(text)
    if decoded != text:
        decoded_tokens = significant_tokens(decoded)
        if max_nesting:
            _check_nesting(decoded, decoded_tokens, max_nesting)
        services += _check_services(decoded, decoded_tokens, allowlist, resolve, bound)
    body = tokens[prologue_length(tokens):]
    return QueryFacts(form=_form(body[0] if body else None),
                      has_dataset_clause=_names_a_dataset(body),
                      services=tuple(dict.fromkeys(services)))


# Where a keyword is a WORD token (ASCII letters), its letters are in the text as written.
_SERVICE_WORD = re.compile("service", re.IGNORECASE | re.ASCII)
_FROM_WORD = re.compile("from", re.IGNORECASE | re.ASCII)
# Every token that adds a level of nesting (see `nesting`) is one of these characters.
_NESTING_CHARS = "({[!+-^"


def plainly_safe(text: str, max_nesting: int = 0) -> bool:
    """True when both checks of `inspect_query` certainly pass, from the text alone.

    No `\\u`/`\\U`: the two readings are the same text. No `service` in any ASCII case: no
    token is the keyword SERVICE. At most `max_nesting` (0: no limit) characters that open a
    bracket or are a prefix operator: no token can be deeper. When this says False the full
    checks decide; it never lets through a text they would refuse.
    """
    if "\\u" in text or "\\U" in text or _SERVICE_WORD.search(text):
        return False
    return not max_nesting or sum(map(text.count, _NESTING_CHARS)) <= max_nesting


def _facts_of_safe(text: str) -> QueryFacts:
    """The facts of a plainly safe text: the form from its prologue, the whole text lexed only
    if it contains `from`."""
    if _FROM_WORD.search(text):
        body = significant_tokens(text)
        body = body[prologue_length(body):]
        return QueryFacts(_form(body[0] if body else None), _names_a_dataset(body), ())
    first = _prologue_walk(token for token in tokenize(text) if token.kind not in TRIVIA)[1]
    return QueryFacts(_form(first), False, ())


def _form(first: Token | None) -> str | None:
    """The query form that the first token after the prologue names, if any."""
    form = first.text.upper() if first is not None and first.kind == "WORD" else None
    return form if form in FORMS else None


def _names_a_dataset(body: Iterable[Token]) -> bool:
    return any(token.is_keyword("FROM") for token in body)


_OPEN, _CLOSE, _UNARY = frozenset("({["), frozenset(")}]"), frozenset("!+-^")


def nesting(tokens: list[Token]) -> tuple[int, Token | None]:
    """Return how deep the query nests, and the token where it is deepest.

    pyoxigraph parses and evaluates queries recursively, so a deep enough query overflows the
    engine's stack and kills its runner. Each open bracket counts one level, and so does each
    operator of a run of prefix operators (`!!!!x`, `- - -1`, `^^^<p>`), which also nest.
    """
    depth = deepest = run = 0
    where = None
    for token in tokens:
        if token.kind != "PUNCT":
            run = 0
            continue
        if token.text in _OPEN:
            depth += 1
            run = 0
            level = depth
        elif token.text in _UNARY:
            run += 1
            level = depth + run
        else:
            run = 0
            if token.text in _CLOSE:
                depth = max(depth - 1, 0)
            continue
        if level > deepest:
            deepest, where = level, token
    return deepest, where


def _check_nesting(text: str, tokens: list[Token], limit: int) -> None:
    depth, where = nesting(tokens)
    if depth > limit and where is not None:
        line, column = line_column(text, where.start)
        raise QueryTooDeep(f"the query nests {depth} levels deep (brackets and prefix "
                           f"operators; the deepest at line {line}, column {column}); at most "
                           f"{limit} are allowed (MAX_QUERY_NESTING)")


def prologue_length(tokens: list[Token]) -> int:
    """Count the tokens of the leading BASE/PREFIX declarations."""
    return _prologue_walk(iter(tokens))[0]


def _prologue_walk(tokens: Iterator[Token]) -> tuple[int, Token | None]:
    """Read the leading BASE/PREFIX declarations off `tokens` (significant ones), no further
    than two tokens past them: (how many tokens they take, the first token after them)."""
    count, ahead = 0, []

    def peek(position: int) -> Token | None:
        while len(ahead) <= position:
            token = next(tokens, None)
            if token is None:
                return None
            ahead.append(token)
        return ahead[position]

    while (first := peek(0)) is not None:
        if first.is_keyword("BASE") and _kind(peek(1)) == "IRI":
            taken = 2
        elif (first.is_keyword("PREFIX") and _kind(peek(1)) == "PNAME"
              and peek(1).text.endswith(":") and _kind(peek(2)) == "IRI"):  # type: ignore[union-attr]
            taken = 3
        else:
            break
        count += taken
        del ahead[:taken]
    return count, first


def _kind(token: Token | None) -> str | None:
    return token.kind if token is not None else None


def _check_services(text: str, tokens: list[Token], allowlist: Collection[str],
                    resolve: Resolver, bound: Mapping[str, str]) -> list[str]:
    prologue_end = prologue_length(tokens)
    prologue = text[:tokens[prologue_end - 1].start
                    + len(tokens[prologue_end - 1].text)] if prologue_end else ""
    found = []
    for index, token in enumerate(tokens):
        if not token.is_keyword("SERVICE"):
            continue
        target_index = index + 1
        if target_index < len(tokens) and tokens[target_index].is_keyword("SILENT"):
            target_index += 1
        target = tokens[target_index] if target_index < len(tokens) else None
        where = "line {}, column {}".format(*line_column(text, token.start))
        if target is None or target.kind not in ("IRI", "PNAME", "VAR"):
            raise ServiceRefused(f"SERVICE at {where} has no endpoint IRI; "
                                 "this endpoint only calls the endpoints on its allow-list")
        if target.kind == "VAR" and target.text[1:] not in bound:
            raise ServiceRefused(f"SERVICE {target.text} at {where}: a variable endpoint is "
                                 "not allowed; name an endpoint from the allow-list")
        if target.kind == "VAR":
            iri = bound[target.text[1:]]
        else:
            try:
                iri = resolve(prologue, target.text)
            except ValueError as error:
                raise ServiceRefused(f"SERVICE {target.text} at {where}: cannot resolve the "
                                     f"endpoint IRI ({error})") from None
        if iri not in allowlist:
            listed = ", ".join(f"<{allowed}>" for allowed in sorted(allowlist)) or "none"
            raise ServiceRefused(f"SERVICE <{iri}> at {where} is not allowed: this endpoint "
                                 f"only calls the SERVICE endpoints on its allow-list "
                                 f"({listed})")
        found.append(iri)
    return found
