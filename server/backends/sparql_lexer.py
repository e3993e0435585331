"""A small SPARQL 1.1 tokenizer: enough to tell keywords from strings, IRIs and comments.

The terminals follow the SPARQL 1.1 grammar (section 19.8) as pyoxigraph 0.5 reads them:
strings and IRIs may hold `\\uXXXX` escapes, comments run to the end of the line, and
whitespace is only space, tab, CR and LF. A character that starts no terminal becomes a
one-character PUNCT token, so text the lexer cannot place is read as code, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
                  "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf"
                  "\ufdf0-\ufffd\U00010000-\U000effff")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"""\\[tbnrf\\"']"""
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
             f"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?")
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"

# Order matters: the first alternative that matches at a position wins. Prefixed names
# come between these two groups; see `tokenize`.
_BEFORE_PNAME = (
    ("WS", r"[ \t\r\n]+"),
    ("COMMENT", r"#[^\r\n]*"),
    ("IRI", rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>"),
    ("LANGTAG", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?"),
    ("VAR", f"[?$]{_VARNAME}"),
    ("BNODE", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
)
_AFTER_PNAME = (
    ("WORD", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("NUMBER", r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?"),
    ("PUNCT", r"\^\^|&&|\|\||<=|>=|!=|(?s:.)"),
)


def _master(terminals: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    pattern = "|".join(f"(?P<T{i}>{regex})" for i, (_, regex) in enumerate(terminals))
    return re.compile(pattern), {f"T{i}": kind for i, (kind, _) in enumerate(terminals)}


_BEFORE, _BEFORE_KINDS = _master(_BEFORE_PNAME)
_STRINGS = {  # opening quote -> pattern; long strings are tried first
    "'''": re.compile(rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"),
    '"""': re.compile(rf'"""(?:(?:"|"")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*"""'),
    "'": re.compile(rf"'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'"),
    '"': re.compile(rf'"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"'),
}
_AFTER, _AFTER_KINDS = _master(_AFTER_PNAME)
_PNAME = re.compile(f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?")
_PN_START = re.compile(f"[{_PN_CHARS_BASE}]")
# A prefix may contain dots, so the run of name characters that could end in ':' is found
# once and reused for every position inside it: this keeps text like "a.a.a.a..." linear.
_NAME_RUN = re.compile(f"[{_PN_CHARS}.]*+")
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

TRIVIA = frozenset({"WS", "COMMENT"})


@dataclass(frozen=True, slots=True)
class Token:
    """A terminal of the query text: its kind, its exact text and where it starts."""

    kind: str
    text: str
    start: int

    def is_keyword(self, word: str) -> bool:
        """True if the token is the keyword `word` (ASCII case-insensitive, as SPARQL)."""
        return self.kind == "WORD" and self.text.upper() == word


def tokenize(text: str) -> Iterator[Token]:
    """Yield every token of `text`, whitespace and comments included.

    >>> [t.kind for t in tokenize("<a#b> 'x#y' # z")]
    ['IRI', 'WS', 'STRING', 'WS', 'COMMENT']
    """
    position = 0
    run_end = -1
    # After a string fails to close, its kind of quote reads as punctuation up to the end of
    # the line (short strings) or of the text (long ones): such a query is invalid anyway,
    # reading more of it as code is the safe side, and it keeps unclosed quotes linear.
    quote_off_until = dict.fromkeys(_STRINGS, -1)
    while position < len(text):
        match = _BEFORE.match(text, position)
        kinds = _BEFORE_KINDS
        if match is None and text[position] in "'\"":
            match = _string(text, position, quote_off_until)
            kinds = {None: "STRING"}
        if match is None:
            # A prefix runs from a name-start character to the ':' right after its run
            # and cannot end with '.', so inside one run the answer is the same everywhere.
            is_pname = text[position] == ":"
            if not is_pname and _PN_START.match(text, position):
                if position >= run_end:
                    run_end = _NAME_RUN.match(text, position).end()
                is_pname = text[run_end:run_end + 1] == ":" and text[run_end - 1] != "."
            if is_pname:
                match = _PNAME.match(text, position)
                kinds = {None: "PNAME"}
        if match is None:
            match = _AFTER.match(text, position)
            kinds = _AFTER_KINDS
        assert match is not None  # PUNCT matches any character
        yield Token(kinds[match.lastgroup], match.group(), position)
        position = match.end()


def _string(text: str, position: int, off_until: dict[str, int]) -> re.Match[str] | None:
    for opening, pattern in _STRINGS.items():
        if not text.startswith(opening, position) or position < off_until[opening]:
            continue
        match = pattern.match(text, position)
        if match is not None:
            return match
        if len(opening) == 3:
            off_until[opening] = len(text)
        else:
            ends = [end for end in (text.find("\n", position), text.find("\r", position))
                    if end >= 0]
            off_until[opening] = min(ends, default=len(text))
    return None


def significant_tokens(text: str) -> list[Token]:
    """Return the tokens of `text` other than whitespace and comments."""
    return [token for token in tokenize(text) if token.kind not in TRIVIA]


def decode_codepoint_escapes(text: str) -> str:
    """Replace every `\\uXXXX` and `\\UXXXXXXXX` escape in `text` by its character.

    SPARQL 1.1 (section 19.2) says these escapes are decoded before parsing, anywhere in the
    query; escapes that name no Unicode scalar value are left as they are.

    >>> decode_codepoint_escapes(r"SE\\u0052VICE")
    'SERVICE'
    """

    def replace(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF:
            return match.group()
        return chr(code)

    return _CODEPOINT_ESCAPE.sub(replace, text)


def line_column(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
