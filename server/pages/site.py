"""The site blueprint: home page, search, downloads, /.well-known/void and vendor files.

The home page is the catalogue of countries: for each, its processes, consultations, dates,
actors and UNGP coverage side by side, linked to its own page (pages/country.py), and the
datasets the facts come from. Search looks for a
text in labels and descriptions (pages/search.py: the store's full-text index, or the search
query with the text bound as a parameter).
Downloads are the build's own files, by name from a list made at start-up, so no path can
leave the build folder. Front-end packages are served from node_modules by an allow-list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    render_template,
    request,
    send_file,
)

from napgraph.graph import iris, rdf_files
from napgraph.graph.loaded import GRAPH_FILE, imported_countries
from napgraph.graph.paths import ROOT

from ..backends.store import MediaTypes
from ..http import formats as fmt
from ..http.cache import Answer
from ..http.errors import BadParameter
from ..http.responses import link_header
from .common import text
from .paging import page_number, page_of
from .search import group_results, search_body, search_rows
from .site_data import current_site, serve_cached

bp = Blueprint("site", __name__)
VENDOR_DIR = ROOT / "node_modules"
# The only front-end files served, by package: what the SPARQL editor and the charts need
# (Vega-Lite compiles a chart, Vega draws it with its CSP-safe expression interpreter).
VENDOR_FILES: Mapping[str, frozenset[str]] = {
    "codemirror": frozenset({"lib/codemirror.js", "lib/codemirror.css",
                             "mode/sparql/sparql.js"}),
    "vega": frozenset({"build/vega.min.js"}),
    "vega-lite": frozenset({"build/vega-lite.min.js"}),
    "vega-interpreter": frozenset({"build/vega-interpreter.min.js"}),
}
VENDOR_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
# The build's dumps, each served as the HTTP format of its RDF format.
DOWNLOAD_FORMATS: Mapping[str, fmt.Format | None] = {
    **{ext: next(f for f in fmt.GRAPH_FORMATS
                 if f.media_type == rdf_files.FORMATS[ext].media_type)
       for ext in rdf_files.PUBLISHED},
    ".json": None,  # the manifest: plain JSON
}
MAX_SEARCH_CHARS = 200


@bp.route("/")
def home() -> Response:
    """The home page: the catalogue of countries, PAGE_SIZE countries a page (`?page=N`),
    from each country's summary (graph/summary.py), and the datasets on the same page."""
    site = current_site()
    catalog = iris.rebase(iris.dataset(), site.base)
    alternates = _catalog_alternates()
    number = page_number(request.args)

    def build() -> Answer:
        # home-countries' order: by English name (lower case), then IRI.
        every = sorted(site.kept("home-countries", catalog),
                       key=lambda row: ((text(row, "countryLabel") or "").lower(),
                                        row["country"].value))
        countries, page = page_of(every, number, site.settings["PAGE_SIZE"])
        # Each country's dataset on its page; datasets of no listed country on the first.
        shown = {row["dataset"].value for row in countries}
        listed = {row["dataset"].value for row in every}
        datasets = [d for d in site.select("home-datasets", x=catalog)
                    if d["dataset"].value in shown
                    or (number == 1 and d["dataset"].value not in listed)]
        body = _render("home.html", alternates, jsonld=_jsonld(catalog) if number == 1 else None,
                       datasets=datasets, countries=countries, page=page, catalog=catalog)
        return Answer(body, fmt.HTML.content_type, None,
                      (("Link", link_header(alternates)),))

    return serve_cached(("home", number), build, vary=("Accept-Encoding",))


def _catalog_alternates() -> list[dict[str, str]]:
    root = request.script_root
    return [{"href": f"{root}/dataset{fmt.suffix_for(f)}", "media_type": f.media_type}
            for f in fmt.RESOURCE_FORMATS if f is not fmt.HTML]


def _jsonld(iri: str) -> object:
    """The catalog's description as the home page embeds it (catalog-embedded.rq): the same
    size whatever the number of countries; /dataset's RDF documents hold it whole."""
    return json.loads(current_site().construct("catalog-embedded", fmt.JSON_LD.media_type,
                                               x=iri))


def _render(template: str, alternates: list[dict[str, str]], **values: object) -> bytes:
    return render_template(template, alternates=alternates, **values).encode("utf-8")


@bp.route("/search")
def search() -> Response:
    """Search labels and texts: `q` is bound as a parameter, never written into the query."""
    site = current_site()
    query = request.args.get("q", "").strip()
    if len(query) > MAX_SEARCH_CHARS:
        raise BadParameter(f"the search text has {len(query)} characters; at most "
                           f"{MAX_SEARCH_CHARS} are allowed")
    format_key = request.args.get("format") or None
    chosen = fmt.negotiate(fmt.TABLE_FORMATS, request.accept_mimetypes, format_key,
                           "search results")
    vary = ("Accept", "Accept-Encoding") if format_key is None else ("Accept-Encoding",)
    alternates = [{"href": f"{request.path}?{_query_string(q=query, format=f.key)}",
                   "media_type": f.media_type} for f in fmt.SELECT_FORMATS] if query else []

    def build() -> Answer:
        if chosen is not fmt.HTML:
            if not query:
                raise BadParameter("give the text to look for as q=")
            return Answer(search_body(site, query, chosen.media_type), chosen.content_type,
                          None)
        results = group_results(search_rows(site, query)) if query else []
        body = _render("search.html", alternates, search_query=query, results=results)
        return Answer(body, fmt.HTML.content_type, None, (("Link", link_header(alternates)),)
                      if alternates else ())

    return serve_cached(("search", query, chosen.key), build, vary)


def _query_string(**params: str) -> str:
    return urlencode(params)


@bp.route("/.well-known/void")
def well_known_void() -> Response:
    """The VoID description at its well-known address (RFC 8615): the catalog graphs (the
    build's and each import's), in the RDF format the client asks for (Turtle by default)."""
    site = current_site()
    format_key = request.args.get("format") or None
    chosen = fmt.negotiate(fmt.GRAPH_FORMATS, request.accept_mimetypes, format_key,
                           "the VoID description")

    def build() -> Answer:
        media_types = MediaTypes(select=None, ask=None, graph=chosen.media_type)
        result = site.run("void", media_types, {})
        return Answer(result.body, chosen.content_type, None)

    return serve_cached(("void", chosen.key), build)


@bp.route("/download/")
def downloads() -> Response:
    """The list of downloadable files of the build."""
    site = current_site()
    files = _download_files()
    alternates = _catalog_alternates()  # the catalog describes the dumps (DCAT)

    def build() -> Answer:
        body = _render("downloads.html", alternates, files=files, version=site.version,
                       manifest=site.published.manifest)
        return Answer(body, fmt.HTML.content_type, None, (("Link", link_header(alternates)),))

    return serve_cached(("downloads",), build, vary=("Accept-Encoding",))


@bp.route("/download/<name>")
def download(name: str) -> Response:
    """One file of the build, with its media type; only names from the start-up list."""
    files = {entry["name"]: entry for entry in _download_files()}
    entry = files.get(name)
    if entry is None:
        abort(404)
    return send_file(entry["path"], mimetype=entry["content_type"], conditional=True,
                     etag=True, max_age=3600)


def _download_files() -> list[dict]:
    """The build's dumps, then each imported country's graph (`{cc}.nq`) and import record
    (`{cc}-manifest.json`): listed once per dataset version, so an import shows at once."""
    site = current_site()
    key = ("downloads", site.version)
    files = site.extras.get(key)
    if files is None:
        folder = site.published.folder
        named = [(name, folder / name) for name in site.published.dump_names()]  # type: ignore[operator]
        if folder is not None and not site.settings["DATA_FILES"]:
            for cc in sorted(imported_countries(Path(site.settings["BUILD_DIR"]))):
                release = (Path(site.settings["BUILD_DIR"]) / "countries" / cc / "current").resolve()
                named += [(f"{cc}.nq", release / GRAPH_FILE),
                          (f"{cc}-manifest.json", release / "manifest.json")]
        files = [_download(name, path) for name, path in named
                 if Path(name).suffix in DOWNLOAD_FORMATS and path.is_file()]
        site.extras = {k: v for k, v in site.extras.items() if k[:1] != ("downloads",)}
        site.extras[key] = files
    return files


def _download(name: str, path: Path) -> dict:
    chosen = DOWNLOAD_FORMATS[Path(name).suffix]
    return {"name": name, "path": path, "size": path.stat().st_size,
            "media_type": chosen.media_type if chosen else "application/json",
            "content_type": chosen.content_type if chosen else "application/json"}


@bp.route("/static/vendor/<package>/<path:name>")
def vendor(package: str, name: str) -> Response:
    """A front-end file installed by npm, if it is on the allow-list."""
    if name not in VENDOR_FILES.get(package, ()):
        abort(404)
    path = VENDOR_DIR / package / name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=VENDOR_TYPES[path.suffix], conditional=True, etag=True,
                     max_age=86400)


def init_app(app: Flask) -> None:
    """Register the blueprint."""
    app.register_blueprint(bp)
