"""The SPARQL query page for browsers, and `format=html` answers shown as a table.

The page is a form (a textarea, which CodeMirror enhances when scripts run) that POSTs to
/sparql; the canned queries are its examples, each a link that loads it (`?example=slug`)
and, with scripts, fills the editor in place. With `format=html` the endpoint answers with
this page: the query in the editor, the results (cut at MAX_RESULT_ROWS) as a table of
result_view.PAGE_SIZE (100) rows a page (with the total) whose IRIs show their labels and link to their pages, a chart of a numeric column,
links to the same query in every format, and a shareable URL. The protocol itself is
untouched: without `format=html` clients get the negotiated SPARQL formats as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, render_template, request

from ..backends.rows import read_rows
from ..backends.store import MediaTypes, QueryResult
from ..http import formats as fmt
from ..http.cache import Answer, make_etag
from ..http.errors import NapgraphError, status_of
from ..http.responses import link_header, not_modified, send
from .charts import result_chart
from .protocol import Endpoint, Operation
from .result_view import add_labels, page_number, page_of

HTML_MEDIA = MediaTypes(select=fmt.JSON.media_type, ask=fmt.JSON.media_type,
                        graph=fmt.TURTLE.media_type)
DEFAULT_QUERY = """PREFIX nap: <https://w3id.org/napgraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>

SELECT ?consultation ?date ?label
WHERE {
  ?consultation a nap:Consultation ;
      schema:startDate ?date ;
      rdfs:label ?label .
}
ORDER BY ?date
"""


def _examples(state: Endpoint) -> list[dict[str, str]]:
    return [{"slug": q.slug, "title": q.title, "text": q.text} for q in state.examples.values()]


def editor(state: Endpoint, alternates: Sequence[Mapping[str, str]]) -> bytes:
    """The query page without results; `?example=slug` puts that canned query in it."""
    examples = _examples(state)
    wanted = request.args.get("example")
    text = next((e["text"] for e in examples if e["slug"] == wanted), DEFAULT_QUERY)
    return _page(state, alternates, text, examples, result=None, error=None).encode("utf-8")


def results(state: Endpoint, operation: Operation) -> Response:
    """Answer `format=html`: run the query and show the page with its results.

    A query the endpoint refuses (syntax, SERVICE, time limit) is shown on the same page
    with the message, under the error's own status.
    """
    base_iri = state.settings["BASE_IRI"] or request.base_url
    number = page_number(request.values.get("page"))
    key = ("sparql-html", base_iri, operation.query, operation.default_graphs,
           operation.named_graphs, number)
    etag = make_etag(state.backend.info.version, key)
    vary = ("Accept-Encoding",)
    unchanged = not_modified(request, etag, vary)
    if unchanged is not None:
        return unchanged
    cached = state.cache.get(key)
    if cached is not None:
        return send(request, cached, vary)
    examples = _examples(state)
    alternates = _downloads(operation)
    try:
        result = state.run(operation, base_iri, HTML_MEDIA)
    except NapgraphError as error:
        status, headers = status_of(error)
        body = _page(state, alternates, operation.query, examples, None, error.message)
        response = Response(body, status=status, mimetype="text/html", headers=headers)
        response.vary.update(vary)
        return response
    shown = _result(result, number, lambda text: _run_text(state, text))
    alternates = _downloads(operation, fmt.FORMATS_BY_FORM[result.form])
    body = _page(state, alternates, operation.query, examples, shown, None,
                 share=_share_url(operation), dataset={
                     "default": operation.default_graphs or (),
                     "named": operation.named_graphs or ()}).encode("utf-8")
    answer = Answer(body, fmt.HTML.content_type, etag if result.cacheable else None,
                    (("Link", link_header(alternates)),))
    if result.cacheable:
        state.cache.put(key, answer)
    return send(request, answer, vary)


def _run_text(state: Endpoint, text: str) -> bytes:
    """Run a query of the page itself (the labels of the results) with the endpoint's limits."""
    return state.backend.query(
        text, default_graph_uris=None, named_graph_uris=None, union_default=True,
        timeout=state.settings["QUERY_TIMEOUT"], base_iri=None, media_types=HTML_MEDIA,
        max_rows=state.settings["MAX_RESULT_ROWS"]).body


def _result(result: QueryResult, number: int, run: Callable[[str], bytes]) -> dict[str, Any]:
    if result.form == "CONSTRUCT":
        return {"form": result.form, "turtle": result.body.decode("utf-8"),
                "truncated": result.truncated}
    document = json.loads(result.body)
    if "boolean" in document:
        return {"form": "ASK", "boolean": document["boolean"], "truncated": False}
    variables, rows = document["head"]["vars"], read_rows(result.body)
    return {"form": "SELECT", "variables": variables,
            "page": add_labels(page_of(variables, rows, number), run),
            "chart": result_chart(variables, rows), "truncated": result.truncated}


def _downloads(operation: Operation, formats: Sequence[fmt.Format] = (*fmt.SELECT_FORMATS,
                                                                  *fmt.GRAPH_FORMATS),
               ) -> list[dict[str, str]]:
    """The same query in each results format (`formats`), as GET links."""
    params = [("query", operation.query)]
    params += [("default-graph-uri", g) for g in operation.default_graphs or ()]
    params += [("named-graph-uri", g) for g in operation.named_graphs or ()]
    return [{"href": f"{request.path}?{urlencode([*params, ('format', f.key)])}",
             "media_type": f.media_type, "label": f.key.upper(), "key": f.key}
            for f in formats]


def _share_url(operation: Operation) -> str | None:
    params = [("query", operation.query), ("format", "html")]
    query_string = urlencode(params)
    limit = current_app.config["MAX_QUERY_STRING_BYTES"]
    if len(query_string.encode("utf-8")) > limit:
        return None
    return f"{request.url_root.rstrip('/')}{request.path}?{query_string}"


def _page(state: Endpoint, alternates: Sequence[Mapping[str, str]], text: str,
          examples: list[dict[str, str]], result: dict[str, Any] | None, error: str | None,
          share: str | None = None, dataset: Mapping[str, Sequence[str]] | None = None) -> str:
    return render_template(
        "sparql.html", info=state.backend.info, alternates=alternates,
        endpoint=request.path, query_text=text, examples=examples, result=result,
        error=error, share=share, dataset=dataset or {"default": (), "named": ()},
        formats=(*fmt.SELECT_FORMATS, *fmt.GRAPH_FORMATS),
        limits={"timeout": state.settings["QUERY_TIMEOUT"],
                "rows": state.settings["MAX_RESULT_ROWS"]})
