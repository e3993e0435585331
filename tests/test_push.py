"""`napgraph push`: the build and its imports land in a real Oxigraph server, one named graph
per PUT; pushing again gives the same store; failures name the request and exit 1."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from napgraph.cli import main
from napgraph.graph.loaded import list_graphs
from napgraph.graph.push import PushError, gsp_endpoint
from tests.server_fixtures import free_port
from tests.store_fixtures import push_build

COUNTS = "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def store_counts(store) -> dict[str, int]:
    answer = requests.post(store.query_url, data={"query": COUNTS},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
    return {row["g"]["value"]: int(row["n"]["value"])
            for row in answer.json()["results"]["bindings"]}


def served_counts(build_dir: Path) -> dict[str, int]:
    return {row.name: row.triples for row in list_graphs(build_dir) if not row.replaced}


@pytest.fixture(scope="module")
def store(start_oxigraph):
    return start_oxigraph()


def test_push_loads_every_graph_of_the_build_and_imports(store, jp_xx_build):
    output = push_build(jp_xx_build, store)
    expected = served_counts(jp_xx_build)
    assert "https://w3id.org/napgraph/graph/xx" in expected
    assert store_counts(store) == expected
    progress = [line.split() for line in output.splitlines() if line.startswith("  ")]
    assert {words[0]: int(words[1]) for words in progress} == expected
    assert {words[2] for words in progress} <= {"201", "204"}
    total = sum(expected.values())
    assert f"pushed {len(expected)} graphs ({total} triples) to {store.root}/store" in output


def test_push_again_replaces_rather_than_adds(store, jp_xx_build):
    push_build(jp_xx_build, store)
    graph = "https://w3id.org/napgraph/graph/jp"
    requests.post(f"{store.root}/store?graph={graph}", data=b"<urn:x> <urn:y> <urn:z> .\n",
                  headers={"Content-Type": "application/n-triples"},
                  timeout=10).raise_for_status()  # POST adds: the store drifts from the build
    assert store_counts(store)[graph] == served_counts(jp_xx_build)[graph] + 1
    output = push_build(jp_xx_build, store)
    assert store_counts(store) == served_counts(jp_xx_build)
    assert "204 No Content" in output  # the graphs existed: replaced


@pytest.mark.parametrize(("to", "gsp", "expected"), [
    ("http://h:7878", None, "http://h:7878/store"),
    ("http://h:7878/", None, "http://h:7878/store"),
    ("http://h:7878/query", None, "http://h:7878/store"),
    ("http://h:3030/ds", "http://h:3030/ds/data", "http://h:3030/ds/data"),
], ids=["root", "slash", "query", "gsp"])
def test_gsp_endpoint(to, gsp, expected):
    assert gsp_endpoint(to, gsp) == expected


@pytest.mark.parametrize(("to", "server", "expected"), [
    ("http://h:8890/sparql", "Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu",
     "http://h:8890/sparql-graph-crud"),
    ("http://dba:pw@h:8890/sparql", "Virtuoso/07.20.3229 (Linux)",
     "http://dba:pw@h:8890/sparql-graph-crud-auth"),
    ("http://h:7878/query", "Oxigraph/0.5.13", "http://h:7878/store"),
], ids=["virtuoso", "virtuoso-auth", "oxigraph"])
def test_gsp_endpoint_of_a_known_store(to, server, expected):
    assert gsp_endpoint(to, None, server) == expected


@pytest.mark.parametrize("server", ["Apache-Jena-Fuseki/5.1", ""], ids=["fuseki", "unnamed"])
def test_an_unknown_store_needs_gsp(server):
    with pytest.raises(PushError, match="give it with --gsp"):
        gsp_endpoint("http://h:3030/ds/query", None, server)


def test_push_without_gsp_to_an_unknown_store_fails_at_once(fake_store, build):
    """The fake store's Server header names Python's http.server: no default is guessed."""
    before = len(fake_store.requests)
    result = run_push("--to", fake_store.url, "--build-dir", str(build.release.parents[1]))
    assert result.exit_code == 1
    assert "give it with --gsp" in result.output
    assert not [r for r in fake_store.requests[before:] if r["method"] == "PUT"]


def run_push(*args: str):
    return CliRunner().invoke(main, ["push", *args])


def test_unreachable_store_exits_1_naming_the_url(build):
    url = f"http://127.0.0.1:{free_port()}"
    result = run_push("--to", url, "--build-dir", str(build.release.parents[1]))
    assert result.exit_code == 1
    assert f"GET {url}: cannot reach the store" in result.output


def test_an_error_status_exits_1_with_status_and_url(store, build):
    result = run_push("--to", store.root, "--gsp", f"{store.root}/nowhere",
                      "--build-dir", str(build.release.parents[1]))
    assert result.exit_code == 1
    assert f"PUT {store.root}/nowhere?graph=" in result.output
    assert "the store answered 404 Not Found" in result.output


def test_nothing_to_push(tmp_path):
    result = run_push("--to", "http://127.0.0.1:1", "--build-dir", str(tmp_path))
    assert result.exit_code == 1
    assert "nothing to push" in result.output
    assert "run `napgraph build`" in result.output


def test_a_damaged_build_is_not_pushed(build, tmp_path):
    folder = tmp_path / "build"
    shutil.copytree(build.release.parents[1], folder, symlinks=True)
    damaged = (folder / "current").resolve() / "napgraph.nq"
    damaged.write_bytes(damaged.read_bytes()[:-100])
    result = run_push("--to", "http://127.0.0.1:1", "--build-dir", str(folder))
    assert result.exit_code == 1
    assert "nothing to push" in result.output and "corrupted" in result.output


def test_not_an_http_url(build):
    result = run_push("--to", "ftp://h/", "--build-dir", str(build.release.parents[1]))
    assert result.exit_code == 1
    assert "is not an http or https URL" in result.output


def test_credentials_are_sent_and_never_printed(fake_store, build, tmp_path):
    """user:password@ in the URL becomes basic authentication; messages leave it out."""
    fake_store.mode = 401
    try:
        result = run_push("--to", "http://127.0.0.1:1", "--gsp",
                          fake_store.url.replace("http://", "http://ann:s3cret@"),
                          "--build-dir", str(build.release.parents[1]))
    finally:
        fake_store.mode = "ok"
    assert result.exit_code == 1
    assert "the store answered 401" in result.output
    assert "s3cret" not in result.output
    sent = fake_store.requests[-1]
    assert sent["method"] == "PUT"
    assert sent["authorization"] == "Basic " + base64.b64encode(b"ann:s3cret").decode()


def test_a_graph_spread_over_two_files_is_put_then_added_to(store, tmp_path, monkeypatch):
    """napgraph's own files never share a graph; if two did, the second part must add to the
    graph (POST), not replace the first part (PUT)."""
    from napgraph.graph import push as push_module

    graph = "https://example.org/graph/split"
    first, second = tmp_path / "a.nq", tmp_path / "b.nq"
    first.write_text(f"<urn:a> <urn:p> <urn:o1> <{graph}> .\n<urn:a> <urn:p> <urn:o2> .\n")
    second.write_text(f"<urn:b> <urn:p> <urn:o3> <{graph}> .\n")
    monkeypatch.setattr(push_module, "served_dataset", lambda _: ([first, second], "v"))
    report = push_module.push(tmp_path, store.root)
    assert [(g.name, g.triples) for g in report.graphs] == [(None, 1), (graph, 1), (graph, 1)]
    assert store_counts(store)[graph] == 2


def test_every_kind_of_term_arrives_unchanged(store, tmp_path, monkeypatch):
    """Literals with quotes, line breaks, controls and non-ASCII, language tags, datatypes,
    blank nodes and a triple term (RDF 1.2) survive the N-Triples parts."""
    import pyoxigraph as ox

    from napgraph.graph import push as push_module

    graph = "https://example.org/graph/terms"
    source = tmp_path / "terms.nq"
    source.write_text(
        f'<urn:s> <urn:p> "quote \\" and\\nline\\u0000 東京 😀"@ja <{graph}> .\n'
        f'<urn:s> <urn:p> "42"^^<http://www.w3.org/2001/XMLSchema#integer> <{graph}> .\n'
        f'_:b1 <urn:p> <urn:o%20é> <{graph}> .\n'
        f'<urn:s> <urn:p> <<( <urn:x> <urn:y> "z" )>> <{graph}> .\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(push_module, "served_dataset", lambda _: ([source], "v"))
    push_module.push(tmp_path, store.root)
    answer = requests.get(f"{store.root}/store", params={"graph": graph},
                          headers={"Accept": "application/n-triples"}, timeout=10)
    answer.raise_for_status()
    got = {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES)}
    sent = {q.triple for q in ox.parse(path=str(source), format=ox.RdfFormat.N_QUADS)}
    def without_blank_nodes(triples):  # blank node labels may change on the way
        return {t for t in triples if not isinstance(t.subject, ox.BlankNode)}

    assert without_blank_nodes(got) == without_blank_nodes(sent)
    assert len(got) == len(sent) == 4
