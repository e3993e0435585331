"""SELECT results for people: one page of rows at a time, IRIs shown by their labels.

The whole answer (up to MAX_RESULT_ROWS) is read, its total counted, and one page of
PAGE_SIZE rows shown. The labels of the IRIs on that page come from one more query, whose
VALUES list holds only IRIs that cannot break out of `<…>`; an IRI without a label is shown
as a prefixed name by the template (`curie`), with the full IRI on hover and as the link.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..backends.rows import Row

PAGE_SIZE = 100
# What may stand between < and > in SPARQL (IRIREF), so a result IRI is written back safely.
SAFE_IRI = re.compile(r'^[^\x00-\x20<>"{}|^`\\]+$')
LABEL_QUERY = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?iri (MIN(?name) AS ?label) WHERE {{
  VALUES ?iri {{ {iris} }}
  ?iri rdfs:label|skos:prefLabel|foaf:name ?name .
  FILTER(lang(?name) = "" || langMatches(lang(?name), "en"))
}}
GROUP BY ?iri
"""


@dataclass
class ResultPage:
    """One page of a SELECT answer: its rows, where it sits in the whole, the labels."""

    variables: Sequence[str]
    rows: list[Row]
    number: int  # 1-based
    pages: int
    total: int
    first: int  # the position of the page's first row in the whole answer, 1-based
    labels: dict[str, str] = field(default_factory=dict)


def page_number(value: str | None) -> int:
    """The page asked for (`?page=`): a positive integer, 1 when missing or not one."""
    return int(value) if value and value.isdigit() and int(value) > 0 else 1


def page_of(variables: Sequence[str], rows: Sequence[Row], number: int,
            size: int = PAGE_SIZE) -> ResultPage:
    """Page `number` of `rows` (the last page if `number` is past it)."""
    pages = max(1, -(-len(rows) // size))
    number = min(number, pages)
    start = (number - 1) * size
    return ResultPage(variables, list(rows[start:start + size]), number, pages, len(rows),
                      start + 1)


def label_query(rows: Sequence[Row]) -> str | None:
    """The query for the labels of the IRIs in `rows`; None when there is no IRI to label."""
    iris = sorted({value.value for row in rows for value in row.values()
                   if value.is_iri and SAFE_IRI.match(value.value)})
    if not iris:
        return None
    return LABEL_QUERY.format(iris=" ".join(f"<{iri}>" for iri in iris))


def add_labels(page: ResultPage, run: Callable[[str], bytes]) -> ResultPage:
    """Fill `page.labels` ({IRI: label}) by running the label query through `run`, which
    returns SPARQL JSON results; raises what `run` raises."""
    query = label_query(page.rows)
    if query is not None:
        document = json.loads(run(query))
        page.labels = {b["iri"]["value"]: b["label"]["value"]
                       for b in document["results"]["bindings"] if "label" in b}
    return page
