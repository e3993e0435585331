"""What the linked-data site shares: the backend, the page cache, the base IRI, page queries.

Pages get their data through the `Backend` interface (backends/store.py), never from a store
of their own, so they work the same on the embedded store and on a remote SPARQL store. Their
queries are trusted `.rq` files in `pages/queries/` (the canned-query header format, checked
at start-up), run with the normal time limit, their variables bound with `bindings`. SELECT
answers come back as SPARQL JSON and are read into `Row`s (backends/rows.py) for the
templates.

Page queries are written so that a binding means the same whether it is substituted (the
embedded store) or joined as a VALUES block (a remote store): each group that filters on a
bound variable also matches it in a triple pattern, subqueries project it, and CONSTRUCT
templates mention it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
from flask import Flask, Response, current_app, request

from napgraph.graph import canned, iris, served_store
from napgraph.graph.loaded import is_country, read_manifest
from napgraph.graph.page_index import PageIndex, PageIndexError, index_path

from ..backends.rows import Row, read_rows
from ..backends.store import Backend, MediaTypes, QueryResult
from ..http import formats as fmt
from ..http.cache import Answer, ResponseCache, make_etag
from ..http.responses import not_modified, send
from ..http.settings import SettingError

EXTENSION = "napgraph.site"
PAGE_QUERIES = Path(__file__).parent / "queries"
SPACE = "space"  # /space/{cc}/… : pages of a country's IRIs under its own base
SELECT_JSON = MediaTypes(select=fmt.JSON.media_type, ask=fmt.JSON.media_type, graph=None)
NO_INDEX = object()  # Site.extras: this version has no usable page index
log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Published:
    """What the data says about itself: its base IRI, its manifest and the published files."""

    base: str
    manifest: Mapping[str, Any]
    folder: Path | None  # the build's release folder, None when serving DATA_FILES

    def dump_names(self) -> list[str]:
        """The files of the release folder, sorted (the downloads)."""
        if self.folder is None:
            return []
        return sorted(path.name for path in self.folder.iterdir() if path.is_file())


def read_published(settings: Mapping[str, Any]) -> Published:
    """Find the base IRI and the dumps: the build's manifest.json, else DATA_BASE_IRI.

    Raises SettingError when the base does not end with "/" (a path could not follow it).
    """
    folder = None
    manifest: dict[str, Any] = {}
    if not settings["DATA_FILES"]:
        candidate = (Path(settings["BUILD_DIR"]) / "current").resolve()
        if candidate.is_dir():
            folder = candidate
            try:
                manifest = read_manifest(candidate) or {}
            except (OSError, ValueError):
                manifest = {}  # embedded.locate_dataset reports an unreadable manifest
    base = manifest.get("base") or settings["DATA_BASE_IRI"]
    if not isinstance(base, str) or not base.endswith("/"):
        raise SettingError(f"the dataset base IRI {base!r} must end with '/' (DATA_BASE_IRI, "
                           "or \"base\" in the build's manifest.json)")
    return Published(base, manifest, folder)


@dataclass
class Site:
    """The per-app state of the linked-data site."""

    backend: Backend
    cache: ResponseCache
    published: Published
    queries: dict[str, canned.CannedQuery]  # the page queries (pages/queries/*.rq)
    canned: Mapping[str, canned.CannedQuery]  # the canned queries (queries/*.rq)
    settings: Mapping[str, Any]
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.published.base

    @property
    def catalog(self) -> str:
        """The IRI of the catalog of datasets (`{base}dataset`), where home pages start."""
        return iris.rebase(iris.dataset(), self.base)

    @property
    def version(self) -> str:
        return self.backend.info.version

    def run(self, name: str, media_types: MediaTypes, bindings: Mapping[str, Any]) -> QueryResult:
        """Run page query `name` with `bindings` (IRIs as str, or pyoxigraph terms).

        Raises KeyError for an unknown query and the backend's errors (QueryTimeout, ...).
        """
        return self.run_text(self.queries[name].text, media_types, bindings)

    def run_text(self, text: str, media_types: MediaTypes,
                 bindings: Mapping[str, Any]) -> QueryResult:
        """Run a trusted query (a page or canned query) over the union of all graphs, with
        the normal time and row limits; raises the backend's errors."""
        terms = {key: (ox.NamedNode(value) if isinstance(value, str) else value)
                 for key, value in bindings.items()}
        return self.backend.query(
            text, default_graph_uris=None, named_graph_uris=None, union_default=True,
            timeout=self.settings["QUERY_TIMEOUT"], base_iri=None, media_types=media_types,
            max_rows=self.settings["MAX_RESULT_ROWS"], bindings=terms or None)

    def select(self, name: str, **bindings: Any) -> list[Row]:
        """Run a SELECT page query and return its rows."""
        return read_rows(self.run(name, SELECT_JSON, bindings).body)

    def construct(self, name: str, media_type: str, **bindings: Any) -> bytes:
        """Run a CONSTRUCT page query and return its triples serialized as `media_type`."""
        media_types = MediaTypes(select=None, ask=None, graph=media_type)
        return self.run(name, media_types, bindings).body

    def kept(self, name: str, x: str) -> list[Row]:
        """Page query `name`'s rows for `x`: kept with the store (graph/page_index.py KEPT),
        else asked. Kept rows come in the query's order per release (each import's after
        the build's): a page that shows them in order sorts them."""
        kept = self.from_index(lambda index: index.kept(name, x))
        return read_rows(kept) if kept is not None else self.select(name, x=x)

    def from_index(self, read: Callable[[PageIndex], T]) -> T | None:
        """What `read` reads from the served version's page index; None when there is none,
        or when it fails (logged, and not read again: pages then run their queries)."""
        index = self.page_index()
        if index is None:
            return None
        try:
            return read(index)
        except PageIndexError as error:
            self.page_index_failed(error)
            return None

    def page_index(self) -> PageIndex | None:
        """The answers kept with the served version's store (graph/page_index.py), opened
        once per version; None when there are none (a remote store, DATA_FILES, a store
        written before them, an unreadable file: logged once): pages then run their queries."""
        key = ("page-index", self.version)
        if key not in self.extras:
            opened = self._open_page_index() or NO_INDEX
            self.extras = {k: v for k, v in self.extras.items() if k[:1] != ("page-index",)}
            self.extras[key] = opened
        found = self.extras[key]
        return None if found is NO_INDEX else found

    def page_index_failed(self, error: PageIndexError) -> None:
        """Stop reading a page index that failed (logged): pages run their queries."""
        log.warning("%s; pages run their queries meanwhile", error)
        self.extras[("page-index", self.version)] = NO_INDEX

    def _open_page_index(self) -> PageIndex | None:
        if self.settings["STORE_URL"] or self.settings["DATA_FILES"]:
            return None
        folder = served_store.store_folder(Path(self.settings["BUILD_DIR"]), self.version)
        path = index_path(folder)
        if not path.is_file():
            log.warning("%s: missing; pages run their queries instead (slower at scale; "
                        "napgraph build or import writes it)", path)
            return None
        try:
            return PageIndex(path, self.version)
        except PageIndexError as error:
            log.warning("%s; pages run their queries instead", error)
            return None

    def url_for_iri(self, iri: str) -> str:
        """The URL to link for `iri`: a local path below the base or below a country's own
        IRI space (`/space/{cc}/…`), else the IRI itself."""
        for cc, space in self.own_spaces().items():
            if iri.startswith(space) and len(iri) > len(space):
                return f"{_script_root()}/{SPACE}/{cc}/{iri[len(space):]}"
        return url_for_iri(iri, self.base, _script_root())

    def iri_for_path(self, path: str) -> str:
        """The IRI a request path names: the base followed by the path, or for
        `/space/{cc}/rest` the country's own IRI space followed by `rest`."""
        parts = path.lstrip("/").split("/", 2)
        if len(parts) == 3 and parts[0] == SPACE and parts[1] in self.own_spaces():
            return self.own_spaces()[parts[1]] + parts[2]
        return self.base + path.lstrip("/")

    def own_spaces(self) -> dict[str, str]:
        """{country code: IRI space} of each country whose dataset (`{base}dataset/{cc}`)
        publishes its IRIs outside the base (`void:uriSpace`), read once per version."""
        key = ("spaces", self.version)
        if key not in self.extras:
            found = {}
            for row in self.select("uri-spaces", x=self.catalog):
                dataset, space = row["dataset"].value, row["space"].value
                cc = dataset[len(self.base + "dataset/"):]
                if (dataset.startswith(self.base + "dataset/") and is_country(cc)
                        and space.startswith(("http://", "https://")) and space.endswith(("/", "#"))
                        and not space.startswith(self.base)):
                    found[cc] = space
            self.extras[key] = found
        return self.extras[key]


# The schemes pages link to; others (javascript:, data:, vbscript:, file:) stay text.
LINKABLE_SCHEMES = ("http://", "https://", "mailto:", "urn:", "doi:")


def url_for_iri(iri: str, base: str, script_root: str = "") -> str:
    """Map an IRI under `base` to a local path (keeping any #fragment); others stay absolute.

    >>> url_for_iri("https://w3id.org/napgraph/id/jp/org/mofa", "https://w3id.org/napgraph/")
    '/id/jp/org/mofa'
    >>> url_for_iri("https://w3id.org/napgraph/ontology#Consultation",
    ...             "https://w3id.org/napgraph/")
    '/ontology#Consultation'
    >>> url_for_iri("http://www.wikidata.org/entity/Q17", "https://w3id.org/napgraph/")
    'http://www.wikidata.org/entity/Q17'

    An imported graph may hold any IRI: one whose scheme could run when clicked
    (`javascript:`, `data:`, `vbscript:`) is not linked ("#").

    >>> url_for_iri("javascript:alert(1)", "https://w3id.org/napgraph/")
    '#'
    """
    if iri.startswith(base):
        return f"{script_root}/{iri[len(base):]}"
    if not iri.lower().startswith(LINKABLE_SCHEMES):
        return "#"
    return iri


def _script_root() -> str:
    try:
        return request.script_root
    except RuntimeError:  # outside a request (tests, start-up)
        return ""


def load_page_queries(folder: Path = PAGE_QUERIES) -> dict[str, canned.CannedQuery]:
    """Read and check the page queries; raises CannedQueryError naming the file and line."""
    return canned.load_queries(folder)


def open_site(settings: Mapping[str, Any], backend: Backend, cache: ResponseCache,
              canned_queries: Mapping[str, canned.CannedQuery]) -> Site:
    """The site state: what the data publishes, the page queries, and what the app shares.

    Raises SettingError for a bad base IRI and CannedQueryError for a broken page query.
    """
    return Site(backend, cache, read_published(settings), load_page_queries(), canned_queries,
                settings)


def install(app: Flask, site: Site) -> None:
    """Make `site` the state that `current_site()` returns in `app`'s requests."""
    app.extensions[EXTENSION] = site


def current_site() -> Site:
    """The site state of the running app."""
    return current_app.extensions[EXTENSION]


def serve_cached(key: Hashable, build: Callable[[], Answer],
                 vary: Iterable[str] = ("Accept", "Accept-Encoding"),
                 status: int = 200) -> Response:
    """Answer from the page cache, building and caching the answer on a miss.

    The key is completed with the dataset version, so a page is cached per (path, format,
    version). The ETag is known before anything runs: a matching If-None-Match is a 304.
    """
    site = current_site()
    full_key = ("page", site.version, key)
    vary = tuple(vary)
    etag = make_etag(site.version, full_key)
    unchanged = not_modified(request, etag, vary)
    if unchanged is not None:
        return unchanged
    answer = site.cache.get(full_key)
    if answer is None:
        built = build()
        answer = Answer(built.body, built.content_type, etag, built.headers)
        site.cache.put(full_key, answer)
    return send(request, answer, vary, status)
