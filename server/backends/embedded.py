"""The embedded store: the served dataset loaded in pyoxigraph runner processes (pool.py).

Served from a build folder, the backend follows it while it runs: a watcher thread looks at
where the build's and every import's `current` link point (graph/loaded.py `release_links`)
every RELOAD_CHECK seconds. When they change (`napgraph build`, `import`, `remove`), it
verifies the new releases, starts a *new* pool on them and, once every runner of it has
loaded the whole dataset, swaps it in with one assignment, then retires the old pool when
its runners are idle. A query runs on one pool or the other, so it sees a whole country or
none of it; a release that fails to verify or load is logged and the old pool stays.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

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


class EmbeddedBackend:
    """Queries an in-memory pyoxigraph dataset held by a pool of runner processes."""

    def __init__(self, files: Sequence[str], version: str, *, runners: int,
                 service_allowlist: Sequence[str], memory_mb: int,
                 max_nesting: int = 0, preempt_after: float = 0.0) -> None:
        self._spec = RunnerSpec(tuple(files), tuple(service_allowlist), memory_mb, max_nesting)
        self._size = runners
        self._preempt_after = preempt_after
        self.pool, self.info = self._open(self._spec, version)
        self._closed = threading.Event()

    def _open(self, spec: RunnerSpec, version: str) -> tuple[RunnerPool, DatasetInfo]:
        pool = RunnerPool(spec, size=self._size, preempt_after=self._preempt_after)
        try:
            loaded = pool.start()
        except BaseException:
            pool.close()
            raise
        return pool, DatasetInfo(version=version, graphs=loaded.graphs, quads=loaded.quads)

    def follow(self, build_dir: Path, interval: float = RELOAD_CHECK) -> None:
        """Watch `build_dir` from a daemon thread and serve each new build, import or
        removal within about `interval` seconds (see the module's docstring)."""
        from napgraph.graph.loaded import release_links

        def watch() -> None:
            seen = release_links(build_dir)
            while not self._closed.wait(interval):
                now = release_links(build_dir)
                if now != seen:
                    seen = now
                    self._reload(build_dir)

        threading.Thread(target=watch, name="napgraph-release-watcher", daemon=True).start()

    def _reload(self, build_dir: Path) -> None:
        try:
            files, version = locate_dataset({"DATA_FILES": [], "BUILD_DIR": str(build_dir)})
            if version == self.info.version:
                return
            spec = dataclasses.replace(self._spec, files=tuple(files))
            pool, info = self._open(spec, version)
        except (DatasetError, OSError) as error:
            log.error("keeping dataset %s: the new release cannot be served: %s",
                      self.info.version[:16], error)
            return
        old, (self.pool, self.info) = self.pool, (pool, info)  # queries now go to the new pool
        log.warning("now serving dataset %s (%d graphs, %d quads)", info.version[:16],
                    len(info.graphs), info.quads)
        deadline = time.monotonic() + RETIRE_WAIT
        while old.status()["idle"] < old.status()["alive"] and time.monotonic() < deadline:
            time.sleep(0.2)
        old.close()

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> EmbeddedBackend:
        """Build the backend from DATA_FILES, or else from BUILD_DIR; raise DatasetError."""
        files, version = locate_dataset(settings)
        backend = cls(files, version, runners=settings["QUERY_RUNNERS"],
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
        reply = self.pool.run(request, timeout)
        status = reply[0]
        if status == "ok":
            _, form, media_type, body, truncated, uses_service = reply
            return QueryResult(form, media_type, body, truncated, cacheable=not uses_service)
        if status == "internal":
            raise RuntimeError(f"query runner failed:\n{reply[1]}")
        raise _REPLY_ERRORS[status](reply[1])

    def health(self) -> dict[str, Any]:
        """The runners' state for /health: "down" when none is alive to run a query."""
        runners = self.pool.status()
        state = ("down" if runners["alive"] == 0
                 else "ok" if runners["alive"] == runners["size"] else "degraded")
        return {"status": state, "runners": runners}

    def close(self) -> None:
        """Stop the runners and the watcher."""
        if hasattr(self, "_closed"):
            self._closed.set()
        self.pool.close()


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


def locate_dataset(settings: Mapping[str, Any]) -> tuple[list[str], str]:
    """Return the files to load and the dataset version; raise DatasetError if missing.

    DATA_FILES wins; its version is a digest of the files' bytes. Otherwise the build folder's
    current release and every imported country are served, each verified against its
    manifest's checksums first (graph/loaded.py `served_dataset`): a damaged or half-written
    build stops start-up with a message instead of serving part of a graph.
    """
    if settings["DATA_FILES"]:
        digest = hashlib.sha256()
        for name in settings["DATA_FILES"]:
            try:
                digest.update(Path(name).read_bytes())
            except OSError as error:
                raise DatasetError(f"DATA_FILES: cannot read {name}: {error.strerror}") from None
        return list(settings["DATA_FILES"]), "sha256-" + digest.hexdigest()[:16]
    from napgraph.graph.loaded import served_dataset
    from napgraph.graph.publish import CorruptRelease

    try:
        files, version = served_dataset(Path(settings["BUILD_DIR"]))
    except CorruptRelease as error:
        raise DatasetError(f"no usable dataset: {error} (or set DATA_FILES)") from None
    return [str(path) for path in files], version
