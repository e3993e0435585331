"""What napgraph serves: the current build and every import, as N-Quads files and as a
list of named graphs with their sizes and sources.

The build is `build/current/napgraph.nq`; each import is `build/countries/{cc}/current/graph.nq`
(graph/imports.py). An imported country that the build also holds replaces the build's graphs
of that country: the build's file is then replaced by a copy without them, made once per
build version in `build/countries/.derived/` and reused.
"""

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from napgraph.graph import iris
from napgraph.graph.publish import CorruptRelease, release_manifest, verify_release
from napgraph.graph.synthetic import is_synthetic

COUNTRY_CODE = re.compile(r"[a-z]{2}")
GRAPH_FILE = "graph.nq"
CATALOG_FILE = "catalog.nq"  # the catalog's description of an import (graph/describe.py)
DERIVED = ".derived"
BUILD_FILE = "napgraph.nq"
SERVED_FILES = (BUILD_FILE, GRAPH_FILE, CATALOG_FILE)  # the files of a release loaded to serve it


@dataclass
class LoadedGraph:
    """A named graph that napgraph serves, where it comes from, and its size."""

    name: str
    triples: int
    source: str
    replaced: bool = False  # a build graph that an import of its country replaces


def is_country(code: str) -> bool:
    """Whether `code` names a country: two lower-case letters or a synthetic code."""
    return COUNTRY_CODE.fullmatch(code) is not None or is_synthetic(code)


def built_countries(build: dict) -> set[str]:
    """The countries whose graphs a build manifest lists."""
    prefix = build["base"] + "graph/"
    names = (g[len(prefix) :].split("/", 1)[0] for g in build["graphs"] if g.startswith(prefix))
    return {n for n in names if is_country(n)}


def imported_countries(build_dir: Path) -> dict[str, dict]:
    """{country: import manifest} of every import in `build_dir`."""
    result = {}
    for current in sorted((build_dir / "countries").glob("*/current")):
        manifest = read_manifest(current)
        if manifest is not None and current.parent.name == manifest.get("country"):
            result[current.parent.name] = manifest
    return result


def loaded_graph_files(build_dir: Path) -> list[Path]:
    """The N-Quads files whose union napgraph serves: the current build, then each import
    (resolved paths into their releases, so a later swap does not change what is read).

    Where an import replaces a country of the build, the build's file is replaced by a copy
    without that country's graphs, made once per build (`countries/.derived/`).
    """
    build, imported = read_manifest(build_dir / "current"), imported_countries(build_dir)
    files = []
    if build is not None:
        replaced = sorted(set(imported) & built_countries(build)) if imported else []
        dump = (build_dir / "current" / BUILD_FILE).resolve()
        files.append(_without(build_dir, build, dump, replaced) if replaced else dump)
    for cc in sorted(imported):
        release = (build_dir / "countries" / cc / "current").resolve()
        files += [release / name for name in (GRAPH_FILE, CATALOG_FILE)
                  if (release / name).is_file()]
    return files


def served_dataset(build_dir: Path, verify: bool = True,
                   trusted: Collection[str] = ()) -> tuple[list[Path], str]:
    """Verify every release napgraph would serve and return its files and one version.

    Raises CorruptRelease when the build is missing, half-written or damaged, or an import
    is: the server must refuse to start rather than serve part of a graph. The version
    combines the build's and the imports' versions, so an import changes every ETag. With
    `verify` false only the manifests are read, not every file's checksum (the files of a
    store already written were verified when it was written: graph/served_store.py). A
    release whose served files are all in `trusted` (paths of files verified before and
    unchanged since: served_store.unchanged_files) is not checksummed again either, so an
    import checksums its own release, not every one before it.
    """
    current = build_dir / "current"
    if not current.exists():
        raise CorruptRelease(f"{current / 'napgraph.nq'} does not exist (run `napgraph build`)")

    def check(release: Path) -> dict:
        manifest = release_manifest(release)
        served = [str(release / name) for name in manifest["files"] if name in SERVED_FILES]
        if not verify or (served and set(served) <= set(trusted)):
            return manifest
        return verify_release(release)

    versions = [check(current.resolve())["version"]]
    for cc in sorted(imported_countries(build_dir)):
        versions.append(check((build_dir / "countries" / cc / "current").resolve())["version"])
    version = (
        versions[0]
        if len(versions) == 1
        else hashlib.sha256(" ".join(versions).encode()).hexdigest()
    )
    return loaded_graph_files(build_dir), version


def list_graphs(build_dir: Path) -> list[LoadedGraph]:
    """Every named graph of the current build and of each import, with counts and sources."""
    build, imported = read_manifest(build_dir / "current"), imported_countries(build_dir)
    rows = []
    if build is not None:
        replaced = set(imported) & built_countries(build)
        source = build.get("source", {}).get("file", "?")
        origin = f"build {build['version'][:16]} of {source}"
        for name, count in sorted(build["graphs"].items()):
            gone = any(belongs(name, cc, build["base"]) for cc in replaced)
            rows.append(LoadedGraph(name, count, origin, gone))
    for manifest in imported.values():
        source = manifest["source"]
        origin = f"import of {source['location']} ({source['format']}, {manifest['imported']})"
        graphs = {**manifest["graphs"], **manifest.get("catalog", {})}
        rows += [LoadedGraph(n, c, origin) for n, c in graphs.items()]
    return rows


def release_links(build_dir: Path) -> tuple[tuple[str, str], ...]:
    """Where the build's and every import's `current` link point right now: what changes,
    and only then, when a build, import, replacement or removal is published (cheap enough
    to look at every few seconds)."""
    links = [build_dir / "current", *sorted((build_dir / "countries").glob("*/current"))]
    found = []
    for link in links:
        try:
            found.append((str(link), os.readlink(link)))
        except OSError:  # not there (yet), or not a link
            continue
    return tuple(found)


def belongs(graph: str, country: str, base: str) -> bool:
    """Whether the graph IRI `graph` is one of `country`'s (`{base}graph/{cc}` or below)."""
    own = iris.rebase(iris.graph(country), base)
    return graph == own or graph.startswith(own + "/")


def read_manifest(folder: Path) -> dict | None:
    """The `manifest.json` of a build or import folder, or None when there is none."""
    path = folder / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _without(build_dir: Path, build: dict, dump: Path, countries: list[str]) -> Path:
    """The build's N-Quads without the graphs of `countries`, made once and kept."""
    folder = build_dir / "countries" / DERIVED
    path = folder / f"napgraph-{build['version'][:16]}-without-{'-'.join(countries)}.nq"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    drop = {g for g in build["graphs"] if any(belongs(g, cc, build["base"]) for cc in countries)}
    quads = (
        q
        for q in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS)
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in drop)
    )
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".staging-", delete=False) as output:
        ox.serialize(quads, output, ox.RdfFormat.N_QUADS)
    os.chmod(output.name, 0o644)  # readable like the build's own files
    os.replace(output.name, path)
    for stale in folder.iterdir():
        if stale != path:
            stale.unlink()
    return path
