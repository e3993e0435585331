"""The canned-query blueprint: /queries lists them, /queries/<slug> runs one.

A query's page is a form with its parameters and the answer as a table whose IRIs link to
their pages; `?format=json|xml|csv|tsv` (or Accept) gives the same answer in a SPARQL
results format. Values are bound with `bindings` (pyoxigraph substitutions), never written
into the text; a bad value is a 400 naming the parameter (graph/canned.py ParameterError).
The queries are read once at start-up: a broken file stops the server.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Flask, Response, abort, render_template, request
from werkzeug.datastructures import MultiDict

from napgraph.graph import canned

from ..backends.rows import read_rows
from ..backends.store import MediaTypes, QueryResult
from ..http import formats as fmt
from ..http.cache import Answer
from ..http.errors import BadParameter
from ..http.responses import link_header
from ..sparql.charts import result_chart
from ..sparql.result_view import add_labels, page_number, page_of
from .common import text
from .site_data import SELECT_JSON, current_site, serve_cached

bp = Blueprint("canned", __name__)
RESERVED = frozenset({"format", "page"})  # not parameters of the query


def formats_for(query: canned.CannedQuery) -> tuple[fmt.Format, ...]:
    """The formats a query's answer comes in: its page first, then its results formats."""
    return (fmt.HTML, *fmt.FORMATS_BY_FORM[query.kind])


def _queries() -> Mapping[str, canned.CannedQuery]:
    return current_site().canned


@bp.route("/queries")
def index() -> Response:
    """Every canned query with its title, description and parameters (HTML or JSON)."""
    queries = _queries()
    chosen = fmt.negotiate((fmt.HTML, fmt.JSON_DOCUMENT), request.accept_mimetypes,
                           request.args.get("format") or None, "the list of queries")
    alternates = [{"href": f"{request.path}?format=json", "media_type": "application/json"}]

    def build() -> Answer:
        if chosen is fmt.JSON_DOCUMENT:
            listing = [{"slug": q.slug, "title": q.title, "description": q.description,
                        "tags": q.tags, "url": f"{request.script_root}/queries/{q.slug}",
                        "params": [{"name": p.name, "type": p.type, "default": p.default,
                                    "help": p.help} for p in q.params]}
                       for q in queries.values()]
            return Answer(json.dumps(listing, ensure_ascii=False, indent=1).encode("utf-8"),
                          chosen.content_type, None)
        tags: dict[str, list[canned.CannedQuery]] = {}
        for query in queries.values():
            tags.setdefault((query.tags or ["other"])[0], []).append(query)
        body = render_template("queries.html", alternates=alternates,
                               groups=sorted(tags.items()))
        return Answer(body.encode("utf-8"), chosen.content_type, None,
                      (("Link", link_header(alternates)),))

    vary = ("Accept", "Accept-Encoding") if "format" not in request.args else ("Accept-Encoding",)
    return serve_cached(("queries", chosen.key), build, vary)


@bp.route("/queries/<slug>")
def query_page(slug: str) -> Response:
    """Run one canned query with the request's parameters; HTML or a results format."""
    query = _queries().get(slug)
    if query is None:
        abort(404)
    format_key = request.args.get("format") or None
    chosen = fmt.negotiate(formats_for(query), request.accept_mimetypes, format_key,
                           f"the answer of {slug}")
    values = {name: value for name, value in request.args.items() if name not in RESERVED}
    try:
        bindings = {variable.value: term
                    for variable, term in canned.bind(query, values).items()}
    except canned.ParameterError as error:
        if chosen is not fmt.HTML:
            raise BadParameter(str(error)) from None
        return _form_with_error(query, values, str(error))
    vary = ("Accept", "Accept-Encoding") if format_key is None else ("Accept-Encoding",)
    # Keyed by the values as given, not as bound: the page shows them (form, links).
    number = page_number(request.args.get("page"))
    key = ("canned", slug, chosen.key, tuple(sorted(values.items())), number)
    return serve_cached(key, lambda: _answer(query, chosen, values, bindings, number), vary)


def _answer(query: canned.CannedQuery, chosen: fmt.Format, values: Mapping[str, str],
            bindings: Mapping[str, object], number: int = 1) -> Answer:
    site = current_site()
    alternates = _alternates(query, values)
    if chosen is not fmt.HTML:
        media = MediaTypes(select=chosen.media_type, ask=chosen.media_type,
                           graph=chosen.media_type)
        result = _run(query, media, bindings)
        headers = ((("X-SPARQL-MaxRows", str(site.settings["MAX_RESULT_ROWS"])),)
                   if result.truncated else ())
        return Answer(result.body, chosen.content_type, None, headers)
    if query.kind in ("SELECT", "ASK"):
        result = _run(query, MediaTypes(select=fmt.JSON.media_type, ask=fmt.JSON.media_type,
                                        graph=None), bindings)
        document = json.loads(result.body)
        variables = document.get("head", {}).get("vars", [])
        rows = read_rows(result.body) if "results" in document else []
        page = add_labels(page_of(variables, rows, number),
                          lambda text: site.run_text(text, SELECT_JSON, {}).body)
        table = {"variables": variables, "page": page, "chart": result_chart(variables, rows),
                 "boolean": document.get("boolean"), "truncated": result.truncated}
    else:
        result = _run(query, MediaTypes(select=None, ask=None, graph=fmt.TURTLE.media_type),
                      bindings)
        table = {"turtle": result.body.decode("utf-8"), "truncated": result.truncated}
    body = render_template("query.html", query=query, values=values, table=table,
                           alternates=alternates, error=None, choices=_choices(query, values),
                           max_rows=site.settings["MAX_RESULT_ROWS"])
    return Answer(body.encode("utf-8"), fmt.HTML.content_type, None,
                  (("Link", link_header(alternates)),))


def _run(query: canned.CannedQuery, media: MediaTypes,
         bindings: Mapping[str, object]) -> QueryResult:
    return current_site().run_text(query.text, media, bindings)


def _alternates(query: canned.CannedQuery, values: Mapping[str, str]) -> list[dict[str, str]]:
    params = MultiDict(values)
    alternates = []
    for chosen in formats_for(query)[1:]:
        params["format"] = chosen.key
        alternates.append({"href": f"{request.path}?{_encode(params)}",
                           "media_type": chosen.media_type, "label": chosen.key.upper()})
    return alternates


def _choices(query: canned.CannedQuery, values: Mapping[str, str]
             ) -> dict[str, list[tuple[str, str]]]:
    """For each IRI parameter, the resources like its value (else its default) to pick
    from: [(IRI, label)], those of the value's own country for a consultation or an actor.

    A parameter whose default has no such kind (an endpoint, say) gets none: a text box.
    """
    site = current_site()
    found = {}
    for param in query.params:
        if param.type == "iri":
            rows = site.select("param-choices", x=_iri_or(values.get(param.name), param.default))
            if len(rows) > 1:
                found[param.name] = [(row["choice"].value, text(row, "label")
                                      or row["choice"].value) for row in rows]
    return found


def _iri_or(value: str | None, default: str) -> str:
    """`value` if it is an IRI, else `default` (a form shown with an error may hold anything)."""
    try:
        return ox.NamedNode(value).value if value else default
    except ValueError:
        return default


def _encode(params: MultiDict) -> str:
    return urlencode(list(params.items(multi=True)))


def _form_with_error(query: canned.CannedQuery, values: Mapping[str, str],
                     message: str) -> Response:
    body = render_template("query.html", query=query, values=values, table=None,
                           alternates=[], error=message, max_rows=0,
                           choices=_choices(query, values))
    response = Response(body, status=400, mimetype="text/html")
    response.vary.add("Accept")
    return response


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
