"""`napgraph import URL`: a graph read from a real SPARQL endpoint (an `oxigraph
serve-read-only` process on a free loopback port) lands in the country's named graphs."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from napgraph.graph import iris

FIXTURE = Path(__file__).parent / "data" / "countries" / "xx.ttl"
FACTS, PROVENANCE = (
    "https://example.org/exampleland/graph",
    "https://example.org/exampleland/provenance",
)
OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which(
    "oxigraph"
)


def napgraph(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "napgraph", *args], capture_output=True, text=True, timeout=300
    )


def split_dataset() -> list[ox.Quad]:
    """The fixture as a dataset: annotations and the source document in a provenance
    graph, the rest in a facts graph, as another publisher might serve it."""
    quads = []
    for quad in ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TURTLE):
        subject = quad.subject.value
        provenance = "#" in subject or "/source/" in subject
        graph = ox.NamedNode(PROVENANCE if provenance else FACTS)
        quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    return quads


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """A read-only Oxigraph server holding the split fixture; yields its query URL."""
    assert OXIGRAPH, "the oxigraph CLI is a test dependency (pyproject: test extra)"
    folder = tmp_path_factory.mktemp("endpoint")
    dump = folder / "exampleland.nq"
    dump.write_bytes(ox.serialize(split_dataset(), format=ox.RdfFormat.N_QUADS))
    store = folder / "store"
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(store), "--file", str(dump)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    server = subprocess.Popen(
        [OXIGRAPH, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, "oxigraph serve-read-only exited"
                assert time.monotonic() < deadline, "oxigraph did not answer in 30 s"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def expected() -> dict[str, set[ox.Triple]]:
    """What the endpoint holds, graph by graph, once its store has normalised the literals
    (Oxigraph keeps xsd:positiveInteger as xsd:integer)."""
    store = ox.Store()
    store.extend(split_dataset())
    result: dict[str, set[ox.Triple]] = {}
    for quad in store:
        target = str(iris.graph("xx/provenance" if quad.graph_name.value == PROVENANCE else "xx"))
        result.setdefault(target, set()).add(quad.triple)
    return result


@pytest.fixture(scope="module")
def imported(endpoint, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    build_dir = tmp_path_factory.mktemp("imported")
    return napgraph("import", endpoint, "--country", "xx", "--build-dir", str(build_dir)), build_dir


def test_endpoint_import_succeeds(imported, endpoint):
    done, _ = imported
    assert done.returncode == 0, done.stderr
    assert f"imported xx from {endpoint} (SPARQL 1.1 endpoint)" in done.stdout


def test_endpoint_import_lands_every_triple_in_its_graph(imported):
    _, build_dir = imported
    landed: dict[str, set[ox.Triple]] = {}
    path = build_dir / "countries" / "xx" / "current" / "graph.nq"
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
        landed.setdefault(quad.graph_name.value, set()).add(quad.triple)
    assert landed == expected()


def test_endpoint_normalised_literals_still_conform(imported):
    """Oxigraph stores xsd:positiveInteger as xsd:integer; the shapes accept both."""
    done, _ = imported
    assert "ordinal" not in done.stdout


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("/no-such-service", "the endpoint answered 404"),
        ("closed-port", "cannot reach the endpoint"),
    ],
)
def test_endpoint_errors_are_refusals(endpoint, tmp_path, where, message):
    url = (
        endpoint.replace("/query", where)
        if where.startswith("/")
        else (f"http://127.0.0.1:{free_port()}/query")
    )
    done = napgraph(
        "import", url, "--country", "xx", "--build-dir", str(tmp_path), "--timeout", "5"
    )
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "countries").exists()
