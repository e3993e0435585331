"""The embedded store: the served dataset in one on-disk pyoxigraph store, opened read-only
by every runner process of the pool (pool.py, graph/served_store.py).

Served from a build folder, the store is the one `napgraph build`/`import`/`remove` wrote
beside the releases (made once here for an older build folder, or in a private temporary
folder when the build folder cannot be written). DATA_FILES are bulk-loaded into a private
temporary store. A private store is removed when the backend closes.

The backend follows the build folder while it runs: a watcher thread looks at where the
build's and every import's `current` link point (graph/loaded.py `release_links`) every
RELOAD_CHECK seconds. When they change, it verifies the new releases, opens their store in
a *new* pool and, once every runner of it is ready, swaps it in with one assignment, then
retires the old pool when its runners are idle. A query runs on one pool or the other, so
it sees a whole country or none of it; a release that fails to verify or open is logged and
the old pool stays.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from napgraph.graph import served_store
from napgraph.graph.served_store import StoreError, StoreInfo

from ..http.errors import (
    BadProtocolRequest,
    DatasetError,
    NotAcceptable,
    QuerySyntaxError,
    QueryTooComplex,
    ReadOnly,
    ServiceCallFailed,
    ServiceNotAllowed,
)
from .messages import QueryRequest
from .pool import RunnerPool, RunnerSpec
from .store import DatasetInfo, MediaTypes, QueryResult, Term, UnacceptableForm

log = logging.getLogger(__name__)
RELOAD_CHECK = 2.0  # seconds between looks at the build folder's release links
RETIRE_WAIT = 120.0  # at most this long for the old pool's queries to finish before closing
PRIVATE_PREFIX = "napgraph-store-"  # temporary folders of stores of DATA_FILES
# The config key of the folder of a store of DATA_FILES already written (by `napgraph serve`,
# once for all its workers: server/serving.py); not a user setting.
DATA_FILES_STORE = "DATA_FILES_STORE"


@dataclasses.dataclass(frozen=True)
class ServedData:
    """The store a backend serves, and the private folder to remove with it (None: the
    store belongs to the build folder)."""

    store: StoreInfo
    private: Path | None = None

    def discard(self) -> None:
        """Remove the private folder, if any."""
        if self.private is not None:
            shutil.rmtree(self.private, ignore_errors=True)


class EmbeddedBackend:
    """Queries an on-disk pyoxigraph store through a pool of runner processes."""

    def __init__(self, data: ServedData, *, runners: int, service_allowlist: Sequence[str],
                 memory_mb: int, max_nesting: int = 0, preempt_after: float = 0.0) -> None:
        self._spec = RunnerSpec("", "", tuple(service_allowlist), memory_mb, max_nesting)
        self._size = runners
        self._preempt_after = preempt_after
        self._closed = threading.Event()
        try:
            self.pool, self.info = self._open(data)
        except BaseException:
            data.discard()
            raise
        self.data = data

    def _open(self, data: ServedData) -> tuple[RunnerPool, DatasetInfo]:
        store = data.store
        spec = dataclasses.replace(self._spec, store=str(store.folder), version=store.version)
        pool = RunnerPool(spec, size=self._size, preempt_after=self._preempt_after)
        try:
            pool.start()
        except BaseException:
            pool.close()
            raise
        return pool, DatasetInfo(version=store.version, graphs=store.graphs, quads=store.quads)

    def follow(self, build_dir: Path, interval: float = RELOAD_CHECK) -> None:
        """Watch `build_dir` from a daemon thread and serve each new build, import or
        removal within about two `interval`s (see the module's docstring)."""
        from napgraph.graph.loaded import release_links

        def watch() -> None:
            seen = last = release_links(build_dir)
            while not self._closed.wait(interval):
                now = release_links(build_dir)
                # `napgraph build`/`import`/`remove` write the new store just after they
                # publish: wait until the links have kept still for one look and no store
                # is being written, rather than write a second copy.
                settled = now == last and not served_store.being_written(build_dir)
                last = now
                if now != seen and settled:
                    seen = now
                    self._reload(build_dir)

        threading.Thread(target=watch, name="napgraph-release-watcher", daemon=True).start()

    def _reload(self, build_dir: Path) -> None:
        try:
            data = served_data({"DATA_FILES": [], "BUILD_DIR": str(build_dir)},
                               unless=self.info.version)
            if data is None:
                return
        except (DatasetError, OSError) as error:
            log.error("keeping dataset %s: the new release cannot be served: %s",
                      self.info.version[:16], error)
            return
        try:
            pool, info = self._open(data)
        except (DatasetError, OSError) as error:
            data.discard()
            log.error("keeping dataset %s: the new release cannot be served: %s",
                      self.info.version[:16], error)
            return
        old = self.pool, self.data
        self.pool, self.info, self.data = pool, info, data  # queries now go to the new pool
        log.warning("now serving dataset %s (%d graphs, %d quads)", info.version[:16],
                    len(info.graphs), info.quads)
        deadline = time.monotonic() + RETIRE_WAIT
        while old[0].status()["idle"] < old[0].status()["alive"] and time.monotonic() < deadline:
            time.sleep(0.2)
        old[0].close()
        old[1].discard()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> EmbeddedBackend:
        """Build the backend from DATA_FILES, or else from BUILD_DIR; raise DatasetError."""
        data = served_data(settings)
        assert data is not None
        backend = cls(data, runners=settings["QUERY_RUNNERS"],
                      service_allowlist=settings["SERVICE_ALLOWLIST"],
                      memory_mb=settings["RUNNER_MEMORY_MB"],
                      max_nesting=settings["MAX_QUERY_NESTING"],
                      preempt_after=settings["QUERY_PREEMPT_AFTER"])
        if not settings["DATA_FILES"]:
            backend.follow(Path(settings["BUILD_DIR"]))
        return backend

    def query(self, query_text: str, *, default_graph_uris: Sequence[str] | None,
              named_graph_uris: Sequence[str] | None, union_default: bool, timeout: float,
              base_iri: str | None, media_types: MediaTypes, max_rows: int,
              bindings: Mapping[str, Term] | None = None) -> QueryResult:
        """Run the query on a runner; see Backend.query."""
        request = QueryRequest(
            query_text, base_iri,
            None if default_graph_uris is None else tuple(default_graph_uris),
            None if named_graph_uris is None else tuple(named_graph_uris),
            union_default, media_types.select, media_types.ask, media_types.graph, max_rows,
            encode_bindings(bindings))
        return _result_of(self.pool.run(request, timeout))

    async def query_on_loop(self, query_text: str, *, timeout: float, base_iri: str | None,
                            media_types: MediaTypes, max_rows: int) -> QueryResult | None:
        """Run a query without a protocol dataset (the union as default graph) from an
        asyncio event loop, if a runner is idle now (pool.py `run_on_loop`); None if none
        is. Answers and raises as `query` does."""
        request = QueryRequest(query_text, base_iri, None, None, True, media_types.select,
                               media_types.ask, media_types.graph, max_rows)
        reply = await self.pool.run_on_loop(request, timeout)
        return None if reply is None else _result_of(reply)

    def health(self) -> dict[str, Any]:

        """The runners' state for /health: "down" when none is alive to run a query."""
        runners = self.pool.status()
        state = ("down" if runners["alive"] == 0
                 else "ok" if runners["alive"] == runners["size"] else "degraded")
        return {"status": state, "runners": runners}

    def close(self) -> None:
        """Stop the runners and the watcher, and remove a private store."""
        self._closed.set()
        self.pool.close()
        self.data.discard()


_REPLY_ERRORS = {
    "syntax": QuerySyntaxError,
    "read-only": ReadOnly,
    "too-deep": QueryTooComplex,
    "refused": ServiceNotAllowed,
    "unacceptable": UnacceptableForm,
    "unserializable": NotAcceptable,
    "service-failed": lambda message: ServiceCallFailed(f"SERVICE call failed: {message}"),
    "bad-dataset": BadProtocolRequest,
}


def _result_of(reply: tuple) -> QueryResult:
    """A runner's reply as a result, or raised as the error it reports."""
    status = reply[0]
    if status == "ok":
        _, form, media_type, body, truncated, uses_service = reply
        return QueryResult(form, media_type, body, truncated, cacheable=not uses_service)
    if status == "internal":
        raise RuntimeError(f"query runner failed:\n{reply[1]}")
    raise _REPLY_ERRORS[status](reply[1])


def encode_bindings(bindings: Mapping[str, Term] | None) -> tuple | None:
    """Encode bindings as plain tuples for the runner's marshal channel (runner.decode_bindings).

    Each is (name, kind, value, language, datatype IRI), kind "iri", "literal" or "bnode".
    Raises TypeError for a value that is not a pyoxigraph NamedNode, Literal or BlankNode.
    """
    if not bindings:
        return None
    encoded = []
    for name, term in sorted(bindings.items()):
        if isinstance(term, ox.NamedNode):
            encoded.append((name, "iri", term.value, None, None))
        elif isinstance(term, ox.Literal):
            encoded.append((name, "literal", term.value, term.language, term.datatype.value))
        elif isinstance(term, ox.BlankNode):
            encoded.append((name, "bnode", term.value, None, None))
        else:
            raise TypeError(f"binding {name!r}: {term!r} is not an RDF term")
    return tuple(encoded)


def served_data(settings: Mapping[str, Any], *, unless: str | None = None,
                private: bool = True) -> ServedData | None:
    """The store to serve for DATA_FILES, or else for BUILD_DIR; raise DatasetError.

    DATA_FILES are bulk-loaded into a private temporary store; their version is a digest of
    their bytes. Under `napgraph serve`, whose parent process wrote that store once for all
    its workers (write_data_files_store), its folder is the config key DATA_FILES_STORE and
    the store is opened, not written again, nor removed with the backend. Otherwise the
    build folder's current release and every imported country are
    served from the store beside the releases, written here once if the build folder has
    none (or, when it cannot be written and `private` is true, in a private temporary
    folder). Their files are verified against their manifests' checksums (graph/loaded.py
    `served_dataset`: a damaged or half-written build stops start-up instead of serving part
    of a graph) before a store is written, and again whenever one has changed size or
    modification time since its store was written (checksumming 10^7 quads takes seconds). Returns None
    when the served version is `unless` (nothing to change) or a private store would be
    needed and `private` is false.
    """
    if settings["DATA_FILES"]:
        files = list(settings["DATA_FILES"])
        if settings.get(DATA_FILES_STORE):
            return ServedData(_shared_store(Path(settings[DATA_FILES_STORE]), files))
        return _private_store(files, data_files_version(files))
    build_dir = Path(settings["BUILD_DIR"])
    files, version = _served_release(build_dir, verify=False)
    if version == unless:
        return None
    folder = served_store.store_folder(build_dir, version)
    if folder.exists():
        try:
            info = served_store.read_info(folder, version)
        except StoreError as error:
            raise DatasetError(str(error)) from None
        if not info.files_unchanged(files):  # touched since: are they still whole?
            _served_release(build_dir, verify=True)
        return ServedData(info)
    files, version = _served_release(build_dir, verify=True)
    if not _writable(folder.parent):
        log.warning("the build folder %s cannot be written: the store of dataset %s goes "
                    "to a private temporary folder", build_dir, version[:16])
        return _private_store(files, version) if private else None
    log.warning("the build folder has no store of dataset %s: writing it once, in %s",
                version[:16], folder)
    try:
        return ServedData(served_store.write_build_store(build_dir, files, version))
    except (OSError, SyntaxError, ValueError) as error:
        raise DatasetError(f"cannot write the store {folder}: {error}") from None


def check_dataset(settings: Mapping[str, Any]) -> None:
    """Check once, before the server's workers start, that the dataset can be served: the
    DATA_FILES can be read, or the build's store exists (written now if missing) and opens.

    Raises DatasetError with a one-line message naming the file or folder.
    """
    if settings["DATA_FILES"]:
        data_files_version(settings["DATA_FILES"])
        return
    data = served_data(settings, private=False)
    if data is None:
        return
    try:
        served_store.open_read_only(data.store.folder, data.store.version)
    except StoreError as error:
        raise DatasetError(str(error)) from None


def data_files_version(files: Sequence[str]) -> str:
    """The version of DATA_FILES: a digest of their bytes; raise DatasetError naming a file
    that cannot be read."""
    digest = hashlib.sha256()
    for name in files:
        try:
            digest.update(Path(name).read_bytes())
        except OSError as error:
            raise DatasetError(f"DATA_FILES: cannot read {name}: {error.strerror}") from None
    return "sha256-" + digest.hexdigest()[:16]


def _served_release(build_dir: Path, verify: bool) -> tuple[list[Path], str]:
    from napgraph.graph.loaded import served_dataset
    from napgraph.graph.publish import CorruptRelease

    try:
        return served_dataset(build_dir, verify)
    except CorruptRelease as error:
        raise DatasetError(f"no usable dataset: {error} (or set DATA_FILES)") from None


def write_data_files_store(files: Sequence[Path | str], folder: Path) -> StoreInfo:
    """Bulk-load DATA_FILES into a new store at `folder` (which must not exist yet) and
    return its metadata. Raises DatasetError naming a file that cannot be read or holds
    invalid RDF; then nothing is left at `folder`."""
    try:
        return served_store.write_store(files, data_files_version(files), folder)
    except (OSError, SyntaxError, ValueError) as error:
        raise DatasetError(f"cannot load the data: {error}") from None


def _shared_store(folder: Path, files: Sequence[str]) -> StoreInfo:
    """The store of DATA_FILES that `napgraph serve` wrote before its workers started;
    raise DatasetError if it is damaged or was loaded from other files."""
    try:
        info = served_store.read_info(folder, None)
    except StoreError as error:
        raise DatasetError(str(error)) from None
    if info.files != tuple(str(name) for name in files):
        raise DatasetError(f"{folder}: a store of {', '.join(info.files)}, not of DATA_FILES "
                           f"{', '.join(map(str, files))}")
    return info


def _private_store(files: Sequence[Path | str], version: str) -> ServedData:
    """A store of `files` in a new temporary folder, removed with the backend."""
    folder = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX))
    try:
        info = served_store.write_store(files, version, folder / "store")
    except (OSError, SyntaxError, ValueError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise DatasetError(f"cannot load the data: {error}") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return ServedData(info, private=folder)


def _writable(stores: Path) -> bool:
    try:
        stores.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(stores, os.W_OK)
