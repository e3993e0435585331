"""How search compares texts: lower case, British spellings folded to American ones.

The rule is FOLDS. The page index (page_index.py) stores every text folded and finds the
folded query in it; search.rq spells the same rule in SPARQL (REPLACE) for a remote store
(tests/test_page_index.py checks both fold a table of words alike); the search page marks
where in the text the folded query was found (`folded_span`).
"""

from __future__ import annotations

# British spellings folded to American ones, in this order, so "labour" finds "labor" and
# the other way round. Each American spelling is no longer than its British one.
FOLDS = (("labour", "labor"), ("organis", "organiz"), ("programme", "program"))


def fold(text: str) -> str:
    """Lower-case `text` and fold British spellings to American ones (FOLDS).

    >>> fold("Child Labour and Organisations")
    'child labor and organizations'
    """
    folded = text.lower()
    for british, american in FOLDS:
        folded = folded.replace(british, american)
    return folded


def folded_span(text: str, query: str) -> tuple[int, int] | None:
    """Where in `text` the first match of `query` is, compared as search compares them
    (both folded): the start and end of the original characters it covers; None when the
    query is empty or not found.

    >>> text = "Forced labour and the Labor Standards Act"
    >>> [text[slice(*folded_span(text, q))] for q in ("LABOR", "labour stand")]
    ['labour', 'Labor Stand']
    """
    needle = fold(query)
    folded, starts, ends = _fold_with_origins(text)
    at = folded.find(needle) if needle else -1
    if at < 0:
        return None
    return starts[at], ends[at + len(needle) - 1]


def _fold_with_origins(text: str) -> tuple[str, list[int], list[int]]:
    """`text` folded character by character, with the span of original characters each
    folded character comes from (a fold keeps the start of its first letters and gives its
    last letter the end of the whole British spelling)."""
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        width = len(char.lower())  # 'İ' lower-cases to two characters
        starts += [index] * width
        ends += [index + 1] * width
    # The whole text lower-cased, as `fold` does: a final 'Σ' becomes 'ς', not the 'σ' it
    # is alone (the only rule that looks at neighbours; it keeps the length, so each
    # character still lines up with its origin).
    folded = text.lower()
    for british, american in FOLDS:
        pieces: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        last = 0
        at = folded.find(british)
        while at >= 0:
            stop = at + len(british)
            pieces += [folded[last:at], american]
            new_starts += starts[last:at] + starts[at:at + len(american)]
            new_ends += ends[last:at] + ends[at:at + len(american) - 1] + [ends[stop - 1]]
            last = stop
            at = folded.find(british, last)
        pieces.append(folded[last:])
        folded = "".join(pieces)
        starts, ends = new_starts + starts[last:], new_ends + ends[last:]
    return folded, starts, ends
