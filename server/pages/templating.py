"""Jinja helpers shared by every page: links for IRIs, dates, role codes, vendor URLs.

Autoescaping stays on (Flask's default for .html templates) and no helper returns markup:
templates build every element themselves, so data is always escaped.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from flask import Flask, request, url_for

from ..sparql.result_view import SAFE_IRI
from .site_data import current_site
from .terms import PREFIXES

# Longest namespace first, so `nap:` is not shadowed by a shorter prefix of its IRI.
_NAMESPACES = sorted(((ns, prefix) for prefix, ns in PREFIXES.items()),
                     key=lambda pair: -len(pair[0]))


def iri_url(iri: str) -> str:
    """The URL to link for an IRI (site_data.url_for_iri with the running site's base)."""
    return current_site().url_for_iri(iri)


@dataclass(frozen=True)
class Onward:
    """Where a page's bounded list of what points to a resource goes on."""

    url: str
    rows: int  # how many of them that page can list: all, or MAX_RESULT_ROWS
    whole: bool  # whether that is all of them


def pointing_here(iri: str, prop: str, total: int) -> Onward | None:
    """The SPARQL query page (`format=html`) listing the `total` resources that point to
    `iri` with property `prop`, by IRI, each once (a statement made in two graphs is one),
    100 rows a page (sparql/result_view.py PAGE_SIZE) with their labels. Its answer is cut
    at MAX_RESULT_ROWS like any query's, so past that it lists only the first ones (`whole`
    is False). None when an IRI could not be written in a query."""
    if not (SAFE_IRI.match(iri) and SAFE_IRI.match(prop)):
        return None
    query = (f"SELECT DISTINCT ?resource WHERE {{ ?resource <{prop}> <{iri}> }} "
             "ORDER BY ?resource")
    limit = current_site().settings["MAX_RESULT_ROWS"]
    rows = min(total, limit) if limit else total
    return Onward(url_for("sparql.sparql", query=query, format="html"), rows, rows == total)


_INTEGER = re.compile(r"[+-]?[0-9]+")

# A page belongs to a country's dataset when its path is under the country's IRIs.
_COUNTRY_PATH = re.compile(r"/(?:id/country/|id/|dataset/|space/)([a-z]{2}|s\d{4})(?:[/.#]|$)")


def attribution() -> dict[str, str] | None:
    """Where the facts of the page come from: the title, source, publisher and licence of
    the dataset of the country whose IRI space the page is in (`/id/{cc}/…`,
    `/id/country/{cc}`, `/dataset/{cc}`), as the dataset describes itself; None elsewhere."""
    match = _COUNTRY_PATH.match(request.path[len(request.script_root):] if request.script_root
                                and request.path.startswith(request.script_root)
                                else request.path)
    if match is None:
        return None
    site = current_site()
    dataset = f"{site.base}dataset/{match.group(1)}"
    row = next(iter(site.select("attribution", x=dataset)), None)
    if row is None:
        return None
    return {name: row[name].value for name in ("title", "license", "source", "sourceTitle",
                                               "publisher", "publisherLabel") if name in row}


def _iso_date(value: object) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


def long_date(value: object) -> str:
    """'2018-03-08' as '8 March 2018'; anything that is not an ISO date is left as it is."""
    day = _iso_date(value)
    return f"{day.day} {day:%B %Y}" if day else str(value)


def short_date(value: object) -> str:
    """'2018-03-08' as '8 Mar'; anything that is not an ISO date is left as it is."""
    day = _iso_date(value)
    return f"{day.day} {day:%b}" if day else str(value)


def number(value: object) -> str:
    """A count as pages show every count, with thousands separators: 36811 -> '36,811'
    (an integer, the lexical form of one from a query's row, or a float rounded to a whole
    number); anything else is left as it is.

    >>> number(36811), number("1200"), number(1536 / 1024 * 1000), number(7), number("n/a")
    ('36,811', '1,200', '1,500', '7', 'n/a')
    """
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}"
    text = str(value)
    if not _INTEGER.fullmatch(text):
        return text
    try:
        return f"{int(text):,}"
    except ValueError:  # past Python's 4,300 digits: no count, left as written
        return text


def upper_first(value: object) -> str:
    """The text with its first letter in upper case and the rest as written ('smes' stays)."""
    text = str(value)
    return text[:1].upper() + text[1:]


def role_code(notation: object) -> str:
    """A short code for a role from its notation: 'relevant-ministry' -> 'RM'."""
    return "".join(part[:1].upper() for part in str(notation).split("-") if part) or "?"


def local_name(iri: object) -> str:
    """The last segment or fragment of an IRI: '…/ontology#Consultation' -> 'Consultation'."""
    text = str(iri).rstrip("/#")
    for separator in ("#", "/"):
        if separator in text:
            text = text.rsplit(separator, 1)[1]
            break
    return text


def term_words(iri: object) -> str:
    """An IRI's local name as words, for a term without a label: 'wasAttributedTo' ->
    'was attributed to', 'startDate' -> 'start date', 'ISBN' stays 'ISBN'."""
    name = local_name(iri).replace("_", " ")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).lower() if not name.isupper() else name


def property_label(label: object, iri: object) -> str:
    """What to call a property: its label, unless that is only its local name in camel case
    (reused terms are labelled 'wasAttributedTo'), then the words of the name."""
    if not label or str(label) == local_name(iri):
        return term_words(iri)
    return str(label)


def curie(iri: object) -> str:
    """A prefixed name for an IRI in a known namespace ('nap:Consultation'), else the IRI."""
    text = str(iri)
    for namespace, prefix in _NAMESPACES:
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return text


def init_app(app: Flask) -> None:
    """Install the helpers as Jinja globals and filters, and the site's base IRI."""
    app.jinja_env.globals.update(iri_url=iri_url, role_code=role_code, local_name=local_name,
                                 curie=curie, term_words=term_words,
                                 property_label=property_label, attribution=attribution,
                                 pointing_here=pointing_here)

    @app.context_processor
    def _site_base() -> dict[str, str]:
        return {"site_base": current_site().base}

    app.jinja_env.filters.update(long_date=long_date, short_date=short_date,
                                 upper_first=upper_first, number=number)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
