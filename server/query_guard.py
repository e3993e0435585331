"""What a query is (its form, whether it names a dataset) and whether its SERVICE calls are allowed.

pyoxigraph 0.5 calls any URL a `SERVICE` clause names, so every SERVICE target must be on
the allow-list. The check reads the query twice: as pyoxigraph reads it (codepoint escapes
only inside strings and IRIs) and as SPARQL 1.1 section 19.2 says to read it (every
`\\uXXXX` escape decoded first). A text that means different things in the two readings,
such as `'a\\u0027' SERVICE <...>`, is checked in both, so neither reading can smuggle a
call past the other. The engine itself resolves prefixed names and relative IRIs.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from .sparql_lexer import (
    Token,
    decode_codepoint_escapes,
    line_column,
    significant_tokens,
)

FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")

# resolve(prologue, term) -> absolute IRI, or raises ValueError; term is an IRI or a prefixed
# name exactly as written, prologue the query's BASE and PREFIX declarations.
Resolver = Callable[[str, str], str]


class ServiceRefused(Exception):
    """A SERVICE clause calls an endpoint that is not allowed; the message names it."""


@dataclass(frozen=True)
class QueryFacts:
    """What the lexer learnt about a query before it runs."""

    form: str | None
    has_dataset_clause: bool
    services: tuple[str, ...]


def inspect_query(text: str, allowlist: Collection[str], resolve: Resolver) -> QueryFacts:
    """Return the query's form, whether it has FROM clauses, and the SERVICE IRIs it calls.

    Raises ServiceRefused, naming the target and its line and column, if a SERVICE target
    is a variable, cannot be resolved, or is not in `allowlist`.
    """
    tokens = significant_tokens(text)
    services = _check_services(text, tokens, allowlist, resolve)
    decoded = decode_codepoint_escapes(text)
    if decoded != text:
        services += _check_services(decoded, significant_tokens(decoded), allowlist, resolve)
    body = tokens[_prologue_length(tokens):]
    form = body[0].text.upper() if body and body[0].kind == "WORD" else None
    return QueryFacts(
        form=form if form in FORMS else None,
        has_dataset_clause=any(token.is_keyword("FROM") for token in body),
        services=tuple(dict.fromkeys(services)),
    )


def _prologue_length(tokens: list[Token]) -> int:
    """Count the tokens of the leading BASE/PREFIX declarations."""
    index = 0
    while index < len(tokens):
        if (tokens[index].is_keyword("BASE") and index + 1 < len(tokens)
                and tokens[index + 1].kind == "IRI"):
            index += 2
        elif (tokens[index].is_keyword("PREFIX") and index + 2 < len(tokens)
              and tokens[index + 1].kind == "PNAME" and tokens[index + 1].text.endswith(":")
              and tokens[index + 2].kind == "IRI"):
            index += 3
        else:
            break
    return index


def _check_services(text: str, tokens: list[Token], allowlist: Collection[str],
                    resolve: Resolver) -> list[str]:
    prologue_length = _prologue_length(tokens)
    prologue = text[:tokens[prologue_length - 1].start
                    + len(tokens[prologue_length - 1].text)] if prologue_length else ""
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
        if target.kind == "VAR":
            raise ServiceRefused(f"SERVICE {target.text} at {where}: a variable endpoint is "
                                 "not allowed; name an endpoint from the allow-list")
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
