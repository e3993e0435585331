"""What /search answers: the search query's rows, from the store's full-text index or the query.

The search query (`pages/queries/search.rq`) defines what is found. On the embedded store its
answer is read from the index written with the store (graph/page_index.py, in
`BUILD_DIR/stores/<version>/pages.sqlite`): the same rows, without reading every literal.
With no index (a remote store, DATA_FILES, a store written before indexes, or an index that
cannot be read, which is logged once) the query runs as before. Either way the answer is
serialized by the runners' writers (backends/runner.py `serialize_answer`), so an answer read from the
index has the bytes of one from the query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from napgraph.graph.folding import folded_span

from ..backends.rows import Row, read_rows
from ..backends.runner import Unserializable, serialize_answer
from ..backends.store import MediaTypes
from ..http import formats as fmt
from ..http.errors import NotAcceptable
from .common import text
from .site_data import Site
from .terms import NAP


def search_body(site: Site, q: str, media_type: str) -> bytes:
    """The search query's answer for `q` as `media_type` (a SPARQL results format); raises
    the backend's errors when the query runs."""
    found = site.from_index(lambda index: index.find(q))
    if found is not None:
        return _serialized(found.tsv(), media_type, site.settings["MAX_RESULT_ROWS"])
    media_types = MediaTypes(select=media_type, ask=None, graph=None)
    return site.run("search", media_types, {"q": ox.Literal(q)}).body


def search_rows(site: Site, q: str) -> list[Row]:
    """The search query's rows for `q`."""
    return read_rows(search_body(site, q, fmt.JSON.media_type))


def _serialized(tsv: bytes, media_type: str, max_rows: int) -> bytes:
    """Rows read as TSV written in `media_type` by the runners' writer (XML made XML 1.0 as
    theirs is); raises NotAcceptable when XML 1.0 cannot hold a character."""
    solutions = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    try:
        return serialize_answer(solutions, media_type, max_rows)[0]
    except Unserializable as error:
        raise NotAcceptable(str(error)) from None


# Search results come in three tiers: things (actors, topics, laws, consultations) first,
# then what was said (contributions, discussion points), then the parts of those.
PART_TYPES = frozenset({NAP.ContributionItem, NAP.Participation, NAP.PrincipleAlignment})
SAID_TYPES = frozenset({NAP.Contribution, NAP.Report, NAP.Presentation, NAP.Statement,
                        NAP.DiscussionPoint})


@dataclass
class SearchResult:
    iri: str
    label: str
    rank: int = 1  # 0: a label or name matched; 1: only a text
    tier: int = 0
    types: list[str] = field(default_factory=list)
    matches: list[tuple[str, str, str]] = field(default_factory=list)  # before, match, after


def group_results(rows: list[Row], context: int = 80) -> list[SearchResult]:
    """One result per resource, things before statements before parts, best matches first."""
    found: dict[str, SearchResult] = {}
    for row in rows:
        iri = row["resource"].value
        result = found.setdefault(iri, SearchResult(iri, text(row, "label") or iri))
        result.rank = min(result.rank, int(row["rank"].value))
        kind = text(row, "typeLabel")
        if kind and kind not in result.types:
            result.types.append(kind)
        type_iri = text(row, "type")
        tier = 2 if type_iri in PART_TYPES else 1 if type_iri in SAID_TYPES else 0
        result.tier = max(result.tier, tier)
        snippet = _snippet(row["text"].value, row["q"].value, context)
        if snippet not in result.matches and len(result.matches) < 3:
            result.matches.append(snippet)
    for result in found.values():
        result.types.sort()  # the engine gives types in no set order
    return sorted(found.values(), key=lambda r: (r.tier, r.rank, len(r.label), r.label.lower(),
                                                 r.iri))


def _snippet(value: str, query: str, context: int) -> tuple[str, str, str]:
    """Split `value` around the first match of `query` as search finds it (case and
    British or American spelling folded: graph/folding.py), trimmed to context."""
    span = folded_span(value, query)
    if span is None:
        return (value[: 2 * context], "", "")
    start, end = span
    before = value[max(0, start - context):start]
    after = value[end:end + context]
    return (("…" if start > context else "") + before, value[start:end],
            after + ("…" if end + context < len(value) else ""))
