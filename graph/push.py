"""`napgraph push`: load what napgraph serves into a remote SPARQL store, graph by graph.

The data is what the embedded server would load (loaded.served_dataset: the current build,
then every import, each verified against its manifest's checksums first, so a damaged build
is never pushed). It goes to the store with the SPARQL 1.1 Graph Store HTTP
Protocol, one request per named graph:

    PUT {gsp}?graph={graph IRI}      Content-Type: application/n-triples

The Graph Store endpoint is --gsp, or else found from the store's Server header: Oxigraph's
/store, Virtuoso's /sparql-graph-crud (-auth with credentials); another store needs --gsp.
Credentials in the URL (user:password@) go with Basic or, when the store asks for it, Digest
authentication.

A PUT replaces the graph, so pushing again leaves the store as one push does: the push is
idempotent. Triples of the default graph, if any, go with `PUT {gsp}?default`. Graphs the
store holds that the build does not are left alone (remove them with the store's tools).
Each file is read once and split into one N-Triples file per graph, which is then streamed
to the store: memory stays flat whatever the size of the data (10^7 quads included).
"""

import base64
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from napgraph import __version__
from napgraph.graph.loaded import served_dataset
from napgraph.graph.publish import CorruptRelease

TRIPLES = "application/n-triples"
USER_AGENT = f"napgraph/{__version__}"
NO_GRAPH = "urn:napgraph:no-graph"  # a graph no store holds: the target of the auth probe


class PushError(Exception):
    """A push failed: the message names the request (method and URL) and the store's answer."""


@dataclass
class PushedGraph:
    """One graph sent to the store: its name (None: the default graph) and the answer."""

    name: str | None
    triples: int
    status: int
    reason: str
    seconds: float

    def line(self) -> str:
        name = self.name or "(default graph)"
        return (f"  {name:<60} {self.triples:>9}  {self.status} {self.reason}"
                f"  {self.seconds:.2f} s")


@dataclass
class PushReport:
    """What a push did."""

    endpoint: str
    version: str
    graphs: list[PushedGraph]
    seconds: float

    def summary(self) -> str:
        triples = sum(graph.triples for graph in self.graphs)
        return (f"pushed {len(self.graphs)} graphs ({triples} triples) to {self.endpoint} "
                f"in {self.seconds:.2f} s (dataset version {self.version[:16]})")


# The Graph Store endpoint of each store napgraph knows, by the product in its Server header,
# relative to the store's root: (anonymous, with credentials). Any other store needs --gsp.
KNOWN_STORES = {
    "oxigraph": ("/store", "/store"),
    "virtuoso": ("/sparql-graph-crud", "/sparql-graph-crud-auth"),
}
PROBE_TIMEOUT = 10.0  # seconds: a store that does not answer a GET by then is not there


def gsp_endpoint(to: str, gsp: str | None = None, server: str = "Oxigraph") -> str:
    """The Graph Store endpoint: `gsp` if given, else the known endpoint of the store whose
    Server header is `server` (KNOWN_STORES), below the root of `to`.

    `to` may be the store's root or its query endpoint (`/query`, `/sparql`). Raises
    PushError for a store napgraph does not know (give its endpoint with --gsp).

    >>> gsp_endpoint("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/store'
    >>> gsp_endpoint("http://dba:dba@h:8890/sparql", server="Virtuoso/07.20.3229 (Linux)")
    'http://dba:dba@h:8890/sparql-graph-crud-auth'
    """
    if gsp:
        return gsp
    product = server.split("/", 1)[0].strip().lower()
    if product not in KNOWN_STORES:
        raise PushError(f"{_public(to)} answers as {server or 'an unnamed server'!r}, a store "
                        "whose Graph Store endpoint napgraph does not know: give it with "
                        "--gsp (see docs/scaling.md)")
    root = to.rstrip("/")
    for suffix in ("/query", "/sparql"):
        if root.endswith(suffix):
            root = root[: -len(suffix)]
    anonymous, authenticated = KNOWN_STORES[product]
    has_credentials = urllib.parse.urlsplit(to).username is not None
    return root + (authenticated if has_credentials else anonymous)


def detect_gsp(to: str, gsp: str | None = None) -> str:
    """The Graph Store endpoint for `napgraph push --to TO [--gsp GSP]`: GSP if given, else
    the one of the store that answers at TO, told by its Server header.

    Raises PushError when TO is not http(s), does not answer within PROBE_TIMEOUT, or is
    a store napgraph does not know.
    """
    if gsp:
        return gsp
    url, _ = _split_credentials(to)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=PROBE_TIMEOUT) as response:
            server = response.headers.get("Server", "")
    except urllib.error.HTTPError as error:  # a 400 for a GET without a query still says
        server = error.headers.get("Server", "")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PushError(f"GET {_public(url)}: cannot reach the store: {reason}") from None
    return gsp_endpoint(to, None, server)


def push(
    build_dir: Path,
    to: str,
    gsp: str | None = None,
    *,
    timeout: float = 300.0,
    progress: Callable[[PushedGraph], None] | None = None,
) -> PushReport:
    """PUT every graph napgraph serves from `build_dir` to the store `to`, at its Graph Store
    endpoint: `gsp`, else the one detect_gsp finds.

    Calls `progress` after each graph. Raises PushError when there is no usable build (none,
    or damaged), the endpoint is not an http(s) URL, or a request fails (the message has the
    status and URL).
    """
    started = time.perf_counter()
    _split_credentials(to)  # not an http(s) URL: said before anything else
    try:
        files, version = served_dataset(build_dir)
    except CorruptRelease as error:
        raise PushError(f"nothing to push: {error}") from None
    url, credentials = _split_credentials(detect_gsp(to, gsp))
    headers = _authorization(url, credentials, timeout) if credentials else _no_authorization
    pushed: list[PushedGraph] = []
    seen: set[str | None] = set()
    with tempfile.TemporaryDirectory(prefix="napgraph-push-") as folder:
        for index, path in enumerate(files):
            for name, part in _split_by_graph(path, Path(folder) / str(index)):
                # A graph's first part replaces it in the store; a later part (a graph spread
                # over several files, which napgraph's own files never are) is added to it.
                method = "POST" if name in seen else "PUT"
                seen.add(name)
                result = _send(url, headers, method, name, part, timeout)
                part.path.unlink()
                pushed.append(result)
                if progress is not None:
                    progress(result)
    return PushReport(_public(url), version, pushed, time.perf_counter() - started)


@dataclass
class _Part:
    """The triples of one graph from one file, as N-Triples in a temporary file."""

    path: Path
    triples: int


def _split_by_graph(path: Path, folder: Path) -> list[tuple[str | None, _Part]]:
    """Read an N-Quads file once and write each of its graphs to its own N-Triples file in
    the new `folder` (None: the default graph), in the order of the graph names. Nothing is
    held in memory but one quad at a time, whatever the size of the file."""
    folder.mkdir()
    outputs: dict[str | None, tuple[Path, object]] = {}
    counts: dict[str | None, int] = {}
    try:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name
            name = graph.value if isinstance(graph, ox.NamedNode) else None
            if name not in outputs:
                part = folder / f"{len(outputs)}.nt"
                outputs[name] = (part, open(part, "w", encoding="utf-8"))
                counts[name] = 0
            outputs[name][1].write(_ntriples_line(quad))
            counts[name] += 1
    finally:
        for _, handle in outputs.values():
            handle.close()
    order = sorted(outputs, key=lambda name: (name is not None, name or ""))
    return [(name, _Part(outputs[name][0], counts[name])) for name in order]


def _ntriples_line(quad: ox.Quad) -> str:
    """The quad's triple as an N-Triples line. pyoxigraph writes plain terms in N-Triples
    syntax; a triple term (RDF 1.2) needs its serializer's `<<( … )>>`."""
    if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
        return ox.serialize([quad.triple], format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return f"{quad.subject} {quad.predicate} {quad.object} .\n"


def _target(url: str, name: str | None) -> str:
    """The Graph Store URL of one graph (None: the default graph)."""
    query = "default" if name is None else urllib.parse.urlencode({"graph": name})
    return f"{url}{'&' if urllib.parse.urlsplit(url).query else '?'}{query}"


def _send(url: str, headers: Callable[[str, str], dict[str, str]], method: str,
          name: str | None, part: _Part, timeout: float) -> PushedGraph:
    """PUT (replace) or POST (add to) one graph's triples, streamed from their file."""
    target = _target(url, name)
    started = time.perf_counter()
    with open(part.path, "rb") as body:
        request = urllib.request.Request(
            target,
            data=body,
            method=method,
            headers={
                **headers(method, target),
                "Content-Type": TRIPLES,
                "Content-Length": str(part.path.stat().st_size),
                "User-Agent": USER_AGENT,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                status, reason = response.status, response.reason
        except urllib.error.HTTPError as error:
            said = error.read(500).decode("utf-8", "replace").strip()
            raise PushError(
                f"{method} {_public(target)}: the store answered {error.code} {error.reason}"
                + (f": {said}" if said else "")
            ) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise PushError(
                f"{method} {_public(target)}: cannot reach the store: {reason}"
            ) from None
    return PushedGraph(name, part.triples, status, reason, time.perf_counter() - started)


def _no_authorization(method: str, target: str) -> dict[str, str]:
    return {}


def _split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """Take `user:password@` out of a URL; return the URL and (user, password) or None.

    Raises PushError for a URL that is not http or https.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PushError(f"{url!r} is not an http or https URL")
    if parts.username is None:
        return url, None
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    return _public(url), (user, password)


def _authorization(url: str, credentials: tuple[str, str],
                   timeout: float) -> Callable[[str, str], dict[str, str]]:
    """A function (method, URL) -> the Authorization header of each request to `url`.

    The store's challenge is read once, with a GET that carries no data: Digest when the
    store asks for it (Virtuoso's /sparql-graph-crud-auth), else Basic, sent with every
    request. Each PUT then carries its answer to the challenge, so no graph's body is sent
    twice (a 401 to a streamed body could not be answered by sending it again).
    """
    user, password = credentials
    basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    probe = urllib.request.Request(_target(url, NO_GRAPH), headers={"User-Agent": USER_AGENT})
    challenge = ""
    try:
        with urllib.request.urlopen(probe, timeout=min(timeout, PROBE_TIMEOUT)):
            pass
    except urllib.error.HTTPError as error:
        challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise PushError(f"GET {_public(url)}: cannot reach the store: {reason}") from None
    scheme, _, fields = challenge.partition(" ")
    if scheme.lower() != "digest":
        return lambda method, target: {"Authorization": basic}
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, url, user, password)
    digest = urllib.request.HTTPDigestAuthHandler(passwords)
    chal = urllib.request.parse_keqv_list(urllib.request.parse_http_list(fields))

    def answer(method: str, target: str) -> dict[str, str]:
        request = urllib.request.Request(target, method=method)
        value = digest.get_authorization(request, chal)
        if value is None:
            raise PushError(f"{method} {_public(target)}: cannot answer the store's Digest "
                            f"challenge ({challenge[:200]})")
        return {"Authorization": f"Digest {value}"}

    return answer


def _public(url: str) -> str:
    """The URL without its credentials, fit for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=host))
