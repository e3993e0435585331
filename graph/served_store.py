"""The served dataset as one on-disk pyoxigraph (RocksDB) store, written once and shared.

Every query runner used to parse every served file into its own in-memory store: as many
copies of the data as runners, and a long wait at each start. Instead the served files are
bulk-loaded once into a store folder, and every runner opens it with
`pyoxigraph.Store.read_only` (RocksDB's read-only mode takes no lock, so any number of
processes may open one folder at once; the operating system's page cache holds its pages
once for all of them).

Layout, beside the releases of a build folder:

    build/stores/<version[:16]>/data/        the RocksDB folder
                                store.json   version, named graph sizes, quad count
                                pages.sqlite  answers kept for pages: search's index,
                                             concept facts (page_index.py)

A store is written into a `.staging-*` folder and renamed into place, so a reader sees a
whole store or none; two writers of the same version are harmless (the second rename loses
and its copy is removed). `napgraph build`, `import` and `remove` make the store of what
they published; `napgraph serve` makes it once for an older build folder.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from napgraph.graph import page_index
from napgraph.graph.rdf_files import LOADABLE, format_of

log = logging.getLogger(__name__)
STORES = "stores"
DATA = "data"
META = "store.json"
STORE_FORMAT = "napgraph-store-1"  # change when the folder's layout or metadata change
KEEP_STORES = 3


class StoreError(Exception):
    """A store folder is missing, damaged or holds another dataset: the message, one line,
    names the folder and says what to do."""


@dataclass(frozen=True)
class StoreInfo:
    """A written store: where it is, the dataset version it holds, its named graphs with
    their triple counts (sorted by name), its quad count (read once, when written) and the
    files it was loaded from."""

    folder: Path
    version: str
    graphs: tuple[tuple[str, int], ...]
    quads: int
    files: tuple[str, ...] = ()
    stamps: tuple[tuple[int, int], ...] = ()  # (size, mtime in ns) of each file, when loaded

    def files_unchanged(self, files: Iterable[Path | str]) -> bool:
        """Whether `files` are the files this store was loaded from, with the same sizes and
        modification times: then they need not be checksummed again to be trusted."""
        names = tuple(str(name) for name in files)
        return names == self.files and _stamps(names) == self.stamps


def store_folder(build_dir: Path, version: str) -> Path:
    """The folder of the store of dataset `version` in `build_dir`."""
    return build_dir / STORES / version[:16]


def read_info(folder: Path, version: str | None) -> StoreInfo:
    """Read a store's metadata and check it holds dataset `version` (None: any).

    Raises StoreError naming the folder when the metadata is missing or unreadable, was
    written by another napgraph, names another dataset, or the data folder is missing.
    """
    path = folder / META
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        written = (meta["format"], meta["version"],
                   tuple((name, int(count)) for name, count in meta["graphs"]),
                   int(meta["quads"]), tuple(meta["files"]),
                   tuple(tuple(stamp) for stamp in meta["stamps"]))
    except FileNotFoundError:
        raise StoreError(f"{folder}: not a napgraph store (no {META}); "
                         f"remove the folder and it is made again") from None
    except (OSError, ValueError, TypeError, KeyError) as error:
        raise StoreError(f"{path}: unreadable store metadata ({type(error).__name__}: "
                         f"{error}); remove {folder} and it is made again") from None
    store_format, held, graphs, quads, files, stamps = written
    if store_format != STORE_FORMAT:
        raise StoreError(f"{folder}: a store of format {store_format!r}, not "
                         f"{STORE_FORMAT!r}; remove the folder and it is made again")
    if version is not None and held != version:
        raise StoreError(f"{folder}: holds dataset {held[:16]}, not the served "
                         f"{version[:16]}; remove the folder and it is made again")
    if not (folder / DATA).is_dir():
        raise StoreError(f"{folder}: no {DATA} folder; remove the folder and it is made again")
    return StoreInfo(folder, held, graphs, quads, files, stamps)


def open_read_only(folder: Path, version: str) -> tuple[ox.Store, StoreInfo]:
    """Open the store in `folder` read-only and return it with its metadata.

    Raises StoreError (one line, naming the folder) when its metadata is wrong (read_info)
    or RocksDB cannot open or read its data.
    """
    info = read_info(folder, version)
    try:
        store = ox.Store.read_only(str(folder / DATA))
        store.query("ASK { ?s ?p ?o }")  # reads a block of data: a damaged file shows here
    except (OSError, RuntimeError) as error:  # RocksDB reports corruption as RuntimeError
        reason = " ".join(str(error).split())
        raise StoreError(f"{folder}: damaged store ({reason}); remove the folder and it "
                         f"is made again") from None
    return store, info


def write_store(files: Iterable[Path | str], version: str, folder: Path,
                base: StoreInfo | None = None, pages: bool = False) -> StoreInfo:
    """Bulk-load `files` into a new store at `folder` and return its metadata; an existing
    store of the same version is kept (another writer made it first). With `pages`, the
    pages' kept answers are written beside it (page_index.py): only a build folder's stores
    have them, as the site reads them only there (a store of DATA_FILES would write them
    at every start for nothing).

    With `base`, a store of some of the same files, the new store starts as a copy of it
    (its immutable table files hard-linked) and only the other files are loaded: one import
    adds one country without parsing every other again. Every store is compacted once
    written (`_load`), which rewrites a copy's linked files: it then shares none with its
    base. The store is written in a staging folder beside `folder` and renamed into place.
    Raises ValueError for an unknown file extension, OSError naming a file that cannot be
    read or written, and SyntaxError with the file, line and column of invalid RDF; then
    nothing is left behind.
    """
    files = [str(name) for name in files]
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=folder.parent))
    try:
        if base is None:
            graphs, quads = _load(files, staging / DATA, None)
            if pages:
                _write_page_index(staging, version)
        else:
            _linked_copy(base.folder / DATA, staging / DATA)
            added = [name for name in files if name not in base.files]
            graphs, quads = _load(added, staging / DATA, dict(base.graphs))
            if pages:
                _write_page_index(staging, version, base, added)
        meta = {"format": STORE_FORMAT, "version": version, "quads": quads,
                "graphs": [list(pair) for pair in graphs], "files": files,
                "stamps": [list(stamp) for stamp in _stamps(files)]}
        (staging / META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp makes it 0700; the server may run as another user
        try:
            os.rename(staging, folder)
        except OSError:
            if not (folder / META).is_file():
                raise
            log.info("%s was written meanwhile by another process; keeping it", folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return read_info(folder, version)


def _write_page_index(folder: Path, version: str, base: StoreInfo | None = None,
                      added: list[str] | None = None) -> None:
    """Write the pages' kept answers (graph/page_index.py) of the store in `folder`: the
    `base` store's plus the `added` files' answers when its file is whole and current."""
    store = ox.Store.read_only(str(folder / DATA))
    path = page_index.index_path(folder)
    try:
        if base is not None and _readable(page_index.index_path(base.folder), base.version):
            page_index.write_index(store, path, version, page_index.index_path(base.folder),
                                   added or [])
        else:
            page_index.write_index(store, path, version)
    finally:
        del store


def _readable(path: Path, version: str) -> bool:
    """Whether `path` is a page index of dataset `version` in the current format."""
    try:
        page_index.PageIndex(path, version)
    except page_index.PageIndexError:
        return False
    return True


def _stamps(files: Iterable[str]) -> tuple[tuple[int, int], ...] | None:
    """(size, mtime in ns) of each file; None if one cannot be read."""
    try:
        return tuple((stat.st_size, stat.st_mtime_ns) for stat in map(os.stat, files))
    except OSError:
        return None


def _linked_copy(source: Path, target: Path) -> None:
    """Copy a closed RocksDB folder: its table files (.sst, never changed once written) as
    hard links, the rest (manifest, options, write-ahead log) as copies."""
    target.mkdir()
    for path in source.iterdir():
        if path.name.startswith("LOG"):  # RocksDB's own diagnostics
            continue
        if path.suffix == ".sst":
            os.link(path, target / path.name)
        else:
            shutil.copy2(path, target / path.name)


def _load(files: list[str], data: Path, known: dict[str, int] | None
          ) -> tuple[tuple[tuple[str, int], ...], int]:
    """Load the files into the store at `data` (new, or a copy of one whose graph sizes are
    `known`); return its graph sizes and quad count. Only graphs the files touch are
    counted again."""
    store = ox.Store(str(data))
    touched: set[str] = set()
    for name in files:
        path = Path(name)
        rdf_format = format_of(path, LOADABLE)
        if rdf_format is None:
            raise ValueError(f"{path}: unknown RDF file extension {path.suffix!r}; use one of "
                             f"{', '.join(LOADABLE)}")
        try:
            store.bulk_load(path=str(path), format=rdf_format)
            if known is not None:
                touched |= _graph_names(path, rdf_format)
        except OSError as error:
            raise OSError(f"{path}: {error.strerror or error}") from None
        except SyntaxError as error:
            raise SyntaxError(f"{path}: {error}") from None
    store.flush()
    # Compact now, so readers find few, sorted files. An import's copy too: each bulk load
    # adds its own table files over the base's, and a store grown so by 100 imports answered
    # middle queries 1.5-3 times slower than the same data compacted (bench/README.md). The
    # compaction rewrites the base's files, so the copy no longer shares them (disk: each
    # kept store is whole); it costs ~1.3 s at 10^6 quads.
    store.optimize()
    if known is None:
        counts = store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        sizes = {row["g"].value: int(row["n"].value) for row in counts
                 if isinstance(row["g"], ox.NamedNode)}
    else:
        sizes = dict(known)
        for graph in touched:
            sizes[graph] = _count(store, f"GRAPH <{graph}> {{ ?s ?p ?o }}")
    quads = sum(sizes.values()) + _count(store, "?s ?p ?o")  # named graphs + the default one
    del store  # closes RocksDB: a read-only opener must not find a writer
    return tuple(sorted(sizes.items())), quads


def _graph_names(path: Path, rdf_format: ox.RdfFormat) -> set[str]:
    """The named graphs a file writes to (the file is read again: added files are small)."""
    return {quad.graph_name.value for quad in ox.parse(path=str(path), format=rdf_format)
            if isinstance(quad.graph_name, ox.NamedNode)}


def _count(store: ox.Store, pattern: str) -> int:
    return int(next(store.query(f"SELECT (COUNT(*) AS ?n) {{ {pattern} }}"))["n"].value)


def make_build_store(build_dir: Path) -> StoreInfo:
    """Make (once) the store of what `build_dir` serves now, and prune old stores.

    Called by `napgraph build`, `import` and `remove` after they publish. It starts from the
    store of the most files that are all still served (an import: the store before it) and
    loads only the others; a removal or replacement loads everything again. Raises
    CorruptRelease when the served releases do not verify, and the errors of write_store.
    """
    from napgraph.graph.loaded import served_dataset

    files, version = served_dataset(build_dir, trusted=unchanged_files(build_dir / STORES))
    folder = store_folder(build_dir, version)
    if (folder / META).is_file():
        info = read_info(folder, version)
        # A store written before its page index, or before the index's current format.
        if not _readable(page_index.index_path(folder), version):
            log.info("writing the pages' kept answers of %s", folder)
            _write_page_index(folder, version)
    else:
        info = write_build_store(build_dir, files, version)
    prune(build_dir / STORES, keep=folder.name)
    return info


def write_build_store(build_dir: Path, files: list[Path], version: str) -> StoreInfo:
    """Write the store of `files` (dataset `version`) in `build_dir`, starting from the
    store of the most of them (see make_build_store); raises the errors of write_store."""
    log.info("writing the store of dataset %s in %s", version[:16], build_dir / STORES)
    return write_store(files, version, store_folder(build_dir, version),
                       base=_best_base(build_dir / STORES, files), pages=True)


def unchanged_files(stores: Path) -> set[str]:
    """The files that a store in `stores` was loaded from (verified against their manifests'
    checksums then) and that still have the size and modification time they had: what need
    not be checksummed again (the rule `napgraph serve` follows at start)."""
    unchanged = set()
    for folder in stores.iterdir() if stores.is_dir() else ():
        try:
            info = read_info(folder, None)
        except StoreError:
            continue
        for name, stamp in zip(info.files, info.stamps, strict=False):
            if _stamps([name]) == (tuple(stamp),):
                unchanged.add(name)
    return unchanged


def _best_base(stores: Path, files: list[Path]) -> StoreInfo | None:
    """The store, among those in `stores`, loaded from the most files of `files` and no
    other (None if there is none)."""
    wanted = {str(path) for path in files}
    found = []
    for folder in stores.iterdir() if stores.is_dir() else ():
        try:
            info = read_info(folder, None)
        except StoreError:
            continue
        if info.files and set(info.files) <= wanted:
            found.append(info)
    return max(found, key=lambda info: len(info.files), default=None)


def prune(stores: Path, keep: str) -> None:
    """Remove staging folders of processes that are gone and all but the newest KEEP_STORES
    stores; the store named `keep` (the one `current` serves) always stays."""
    from napgraph.graph.publish import remove_stale_staging

    remove_stale_staging(stores)
    done = sorted((p for p in stores.iterdir() if p.is_dir() and not p.name.startswith(".")),
                  key=lambda p: p.stat().st_mtime)
    for old in done[:-KEEP_STORES]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)


def being_written(build_dir: Path) -> bool:
    """Whether a live process is writing a store in `build_dir` now (a staging folder)."""
    from napgraph.graph.publish import is_alive

    for staging in (build_dir / STORES).glob(".staging-*"):
        owner = staging.name.split("-")[1]
        if owner.isdigit() and is_alive(int(owner)):
            return True
    return False
