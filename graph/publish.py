"""Serialize a dataset to every published format and publish a build folder atomically.

Layout of a build folder:

    build/current -> releases/<version>      (a symlink, swapped atomically)
    build/releases/<version>/napgraph.nq     all named graphs, sorted lines
                              napgraph.trig  the same, grouped by graph
                              napgraph.ttl   the union of the graphs
                              napgraph.jsonld  JSON-LD with a context
                              context.jsonld   the JSON-LD context on its own
                              manifest.json    version, base, counts, checksums

The version is a digest of all the files: the same input gives the same bytes, the same
version and the same folder.
"""

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from napgraph import __version__
from napgraph.graph import iris
from napgraph.graph.vocab import PREFIXES

KEEP_RELEASES = 3
RELEASE_MODE = 0o755  # folders of releases: readable by the user that serves them


class PublishError(OSError):
    """The build folder cannot be written (permissions, a full disk): the message names it.
    Nothing was published and the last good release is still `current`."""


@dataclass(frozen=True)
class Staged:
    """A file written beforehand into a folder from `staging_folder` (so it moves into the
    release with a rename, and a crash leaves only what the next publish removes), with the
    SHA-256 of its bytes. Large imports are written this way rather than held in memory."""

    path: Path
    sha256: str


class HashingReader:
    """A binary file that hashes what is read from it and reports progress."""

    def __init__(self, handle: BinaryIO, progress: Callable[[int], None] | None = None):
        self.handle, self.progress = handle, progress
        self.digest, self.size = hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        if self.progress is not None:
            self.progress(len(chunk))
        return chunk

    def finish(self) -> None:
        """Read what the parser left (trailing white space) so the checksum covers the file."""
        while self.read(1 << 20):
            pass


class HashingWriter:
    """A binary output that writes to `handle` and hashes what it writes."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.digest = handle, hashlib.sha256()

    def write(self, chunk: bytes) -> int:
        self.digest.update(chunk)
        return self.handle.write(chunk)

    def flush(self) -> None:
        self.handle.flush()


def staging_folder(build_dir: Path) -> Path:
    """A new `.staging-{pid}-*` folder in the releases folder of `build_dir` (for Staged files
    and for publishing), after removing those that processes now gone left behind."""
    releases = build_dir / "releases"
    with _unwritable(build_dir):
        releases.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(releases)
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{os.getpid()}-", dir=releases))
        # mkdtemp makes the folder 0700; a release is served, often by another user.
        staging.chmod(RELEASE_MODE)
    return staging


@contextlib.contextmanager
def _unwritable(build_dir: Path) -> Iterator[None]:
    """Turn a failure to write into the build folder into a PublishError naming it."""
    try:
        yield
    except PublishError:
        raise
    except OSError as error:
        where = f"{error.filename}: " if error.filename not in (None, str(build_dir)) else ""
        raise PublishError(f"cannot write the build folder {build_dir}: {where}"
                           f"{error.strerror or error}") from None


def remove_stale_staging(releases: Path) -> None:
    """Remove staging folders whose process is gone (killed mid-build or mid-import); those
    of a live process, such as an import of the same country still converting, stay."""
    for folder in releases.glob(".staging-*"):
        owner = folder.name.split("-")[1]
        if not (owner.isdigit() and is_alive(int(owner))):
            shutil.rmtree(folder, ignore_errors=True)


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _sha256(content: bytes | Staged) -> str:
    return content.sha256 if isinstance(content, Staged) else hashlib.sha256(content).hexdigest()


def to_quads(graphs: dict[URIRef, Graph], base: str = iris.DEFAULT_BASE) -> list[ox.Quad]:
    """Convert rdflib graphs to sorted, de-duplicated pyoxigraph quads under `base`."""

    def term(value):
        if isinstance(value, URIRef):
            return ox.NamedNode(iris.rebase(value, base))
        if isinstance(value, Literal):
            if value.language:
                return ox.Literal(str(value), language=value.language)
            return (
                ox.Literal(str(value), datatype=ox.NamedNode(str(value.datatype)))
                if value.datatype
                else ox.Literal(str(value))
            )
        if isinstance(value, BNode):
            raise ValueError(f"blank node {value} in a published graph: mint an IRI instead")
        raise TypeError(value)

    quads = {
        ox.Quad(term(s), term(p), term(o), term(name))
        for name, graph in graphs.items()
        for s, p, o in graph
    }
    return sorted(quads, key=str)


def prefixes_for(base: str) -> dict[str, str]:
    result = dict(PREFIXES)
    result["nap"] = iris.rebase(PREFIXES["nap"], base)
    result["napid"] = iris.rebase(iris.iri("id/"), base)
    return result


def serialize_all(quads: list[ox.Quad], base: str) -> dict[str, bytes]:
    """Return {file name: bytes} for every published format."""
    prefixes = prefixes_for(base)
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=str)
    context = {"@context": prefixes}
    return {
        "napgraph.nq": ox.serialize(quads, format=ox.RdfFormat.N_QUADS),
        "napgraph.trig": ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes),
        "napgraph.ttl": ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes),
        "napgraph.jsonld": compact_jsonld(
            ox.serialize(quads, format=ox.RdfFormat.JSON_LD), prefixes
        ),
        "context.jsonld": (json.dumps(context, indent=2, sort_keys=True) + "\n").encode(),
    }


def compact_jsonld(expanded: bytes, prefixes: dict[str, str]) -> bytes:
    """Return expanded JSON-LD as a document with a prefix `@context` and compact IRIs.

    Property keys, `@id` and `@type` values that start with a declared namespace become
    `prefix:local` compact IRIs, which JSON-LD processors expand back under the context.
    """
    namespaces = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def compact(iri: str) -> str:
        for prefix, namespace in namespaces:
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and not local.startswith("//"):
                return f"{prefix}:{local}"
        return iri

    def walk(node):
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        result = {}
        for key, value in node.items():
            if key in ("@id", "@type"):
                result[key] = (
                    [compact(v) for v in value] if isinstance(value, list) else compact(value)
                )
            else:
                result[key if key.startswith("@") else compact(key)] = walk(value)
        return result

    document = {"@context": prefixes, "@graph": walk(json.loads(expanded))}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()


def publish(build_dir: Path, files: Mapping[str, bytes | Staged], manifest: dict) -> Path:
    """Write `files` and `manifest.json` to a new release and point `current` at it.

    Everything is written into a temporary folder first (Staged files are moved there); the
    `current` symlink is swapped with one rename, so readers see the old build or the new
    one, never a mix. Returns the release folder. Raises PublishError when the build folder
    cannot be written; then no release is left behind and `current` is unchanged.
    """
    manifest = {**manifest, "files": {name: _sha256(data) for name, data in sorted(files.items())}}
    releases = build_dir / "releases"
    release = releases / manifest["version"][:16]
    # The new `current` link is made first: a build folder that cannot take it fails here,
    # before a release is written that nothing would point at.
    link = build_dir / f".current-{os.getpid()}"
    with _unwritable(build_dir):
        build_dir.mkdir(parents=True, exist_ok=True)
        link.unlink(missing_ok=True)
        link.symlink_to(Path("releases") / release.name)
    created = False
    try:
        if not release.exists():
            _write_release(build_dir, files, manifest, release)
            created = True
        with _unwritable(build_dir):
            os.replace(link, build_dir / "current")
    except BaseException:
        link.unlink(missing_ok=True)
        if created:
            shutil.rmtree(release, ignore_errors=True)
        raise
    _prune(releases, keep={release.name})
    return release


def _write_release(build_dir: Path, files: Mapping[str, bytes | Staged], manifest: dict,
                   release: Path) -> None:
    """Write the files and manifest in a staging folder, then rename it to `release`."""
    staging = staging_folder(build_dir)
    try:
        with _unwritable(build_dir):
            for name, data in {**files, "manifest.json": _manifest_bytes(manifest)}.items():
                if isinstance(data, Staged):
                    os.replace(data.path, staging / name)
                else:
                    (staging / name).write_bytes(data)
            os.replace(staging, release)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


class CorruptRelease(Exception):
    """A published folder is missing files, or a file differs from its manifest's checksum."""


def verify_release(folder: Path) -> dict:
    """Check every file a release's manifest lists against its SHA-256; return the manifest.

    Raises CorruptRelease naming the folder and the first problem (no manifest, unreadable
    manifest, missing file, checksum mismatch), so a server refuses to start on a damaged or
    half-written build instead of serving part of a graph.
    """
    manifest = release_manifest(folder)
    for name, expected in manifest["files"].items():
        try:
            with open(folder / name, "rb") as handle:  # in chunks: imports may be gigabytes
                actual = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError as error:
            raise CorruptRelease(f"{folder / name}: missing ({error.strerror})") from None
        if actual != expected:
            raise CorruptRelease(
                f"{folder / name}: corrupted (its SHA-256 differs from the "
                "manifest's); rebuild with `napgraph build`"
            )
    return manifest


def release_manifest(folder: Path) -> dict:
    """A release's manifest, read but not checked against its files (verify_release does).

    Raises CorruptRelease naming the folder when there is no manifest, it cannot be read, or
    it lists no checksums.
    """
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["files"].items()
    except KeyError:
        raise CorruptRelease(
            f"{path}: written by an older napgraph, without checksums; "
            "rebuild with `napgraph build`"
        ) from None
    except FileNotFoundError:
        raise CorruptRelease(f"{folder}: no manifest.json (half-written or not a build)") from None
    except (OSError, ValueError, TypeError, AttributeError) as error:
        raise CorruptRelease(f"{path}: unreadable manifest ({error})") from None
    return manifest


def _manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _prune(releases: Path, keep: set[str]) -> None:
    """Remove stale staging folders and all but the newest KEEP_RELEASES releases."""
    remove_stale_staging(releases)
    done = sorted(
        (p for p in releases.iterdir() if p.is_dir() and not p.name.startswith(".staging-")),
        key=lambda p: p.stat().st_mtime,
    )
    for old in done[:-KEEP_RELEASES]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


MANIFEST_FORMAT = b"napgraph-release-2"  # change when the manifest's contents change


def version_of(files: Mapping[str, bytes | Staged]) -> str:
    """The build's version: a digest of every published file (and of the manifest format),
    so any change makes a new release folder."""
    digest = hashlib.sha256(MANIFEST_FORMAT)
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + bytes.fromhex(_sha256(files[name])))
    return digest.hexdigest()


def generator() -> str:
    return f"napgraph {__version__}"
