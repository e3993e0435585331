"""Smoke tests of bench/: its pieces on a tiny workload, so the bench does not rot.

No timing is asserted here: speed is measured by bench/run.py, as ratios against peers.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench import load, report, servers, workload
from napgraph.graph.canned import load_queries

ROOT = Path(__file__).parent.parent
MINI = Path(__file__).parent / "data" / "mini.nq"

HEY_SUMMARY = """
Summary:
  Total:\t2.0005 secs
  Slowest:\t0.0030 secs
  Fastest:\t0.0000 secs
  Average:\t0.0002 secs
  Requests/sec:\t33501.2938

Latency distribution:
  10% in 0.0001 secs
  50% in 0.0002 secs
  99% in 0.0008 secs

Status code distribution:
  [200]\t67010 responses
  [503]\t8 responses

"""
HEY_FEW = """
Summary:
  Total:\t4.1000 secs
  Slowest:\t4.0500 secs
  Requests/sec:\t1.9512

Latency distribution:
  10% in 3.9000 secs
  50% in 4.0000 secs

Status code distribution:
  [200]\t8 responses
"""
HEY_REFUSED = """
Summary:
  Total:\t0.0008 secs
  Requests/sec:\t19537.5940

Status code distribution:

Error distribution:
  [16]\tGet "http://127.0.0.1:1/query": dial tcp 127.0.0.1:1: connect: connection refused
"""


def test_parse_hey_summary():
    result = load.parse_hey(HEY_SUMMARY)
    assert (result.rps, result.p50_ms, result.p99_ms) == (33501.2938, 0.2, 0.8)
    assert result.statuses == {"200": 67010, "503": 8}
    assert not result.clean
    assert result.ok_rps == pytest.approx(33501.2938 * 67010 / 67018)


def test_parse_hey_takes_the_slowest_as_p99_when_hey_has_too_few_samples():
    assert load.parse_hey(HEY_FEW).p99_ms == pytest.approx(4050)


def test_parse_hey_counts_errors_apart_from_responses():
    result = load.parse_hey(HEY_REFUSED)
    assert result.statuses == {}
    assert sum(result.errors.values()) == 16
    assert (result.ok_rps, result.p50_ms) == (0.0, None)


def test_parse_hey_refuses_other_output():
    with pytest.raises(ValueError):
        load.parse_hey("hey: connection refused")


# Queries that call SERVICE are not in the workload, and not run here: no outside traffic.
LOCAL_QUERIES = sorted(slug for slug, query in load_queries().items()
                       if not workload.uses_service(query.text))


def test_the_workload_leaves_out_service_queries():
    assert not any(workload.uses_service(q.text) for q in workload.workload())
    assert workload.uses_service("SELECT * { SeRvIcE <http://example.org/> { ?s ?p ?o } }")


@pytest.mark.parametrize("slug", LOCAL_QUERIES)
def test_inlined_defaults_give_the_substituted_answer(store, slug):
    substituted, inlined = workload.check_inlined(store, load_queries()[slug])
    assert substituted == inlined


def test_workload_names_are_unique_and_every_query_parses():
    queries = workload.workload()
    assert len({q.name for q in queries}) == len(queries)
    empty = ox.Store()
    for query in queries:
        empty.query(query.text, use_default_graph_as_union=True)  # raises on a syntax error


@pytest.mark.parametrize(("body", "content_type", "expected"), [
    (b'{"head":{"vars":["s"]},"results":{"bindings":[{},{}]}}',
     "application/sparql-results+json", 2),
    (b'{"head":{},"boolean":true}', "application/sparql-results+json; charset=utf-8", 1),
    (b"<a:s> <a:p> <a:o> .\n<a:s> <a:p> <a:q> .\n", "application/n-triples", 2),
    (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
     b"<boolean>false</boolean></sparql>", "application/sparql-results+xml", 0),
])
def test_count_answer(body, content_type, expected):
    assert workload.count_answer(body, content_type) == expected


def test_report_geomean_and_ratios():
    scale = {"name": "tiny", "quads": 3, "queries": [
        {"name": "q1", "counts": {"napgraph-warm": 1, "napgraph-cold": 1, "oxigraph": 1},
         "runs": {"napgraph-warm": {"ok_rps": 200.0}, "napgraph-cold": {"ok_rps": 50.0},
                  "oxigraph": {"ok_rps": 100.0}}},
        {"name": "q2", "counts": {"napgraph-warm": 2, "napgraph-cold": 2, "oxigraph": 3},
         "runs": {"napgraph-warm": {"ok_rps": 1.0}, "napgraph-cold": {"ok_rps": 1.0},
                  "oxigraph": {"ok_rps": 100.0}}},
    ]}
    means = report.geomeans(scale)
    assert means["warm/oxigraph"] == pytest.approx(2.0)  # q2's answers differ: left out
    assert means["cold/oxigraph"] == pytest.approx(0.5)
    assert means["warm/rdflib"] is None
    text = report.render({"scales": [{**scale, "geomean": means}]})
    assert "q2" in text and "≠" in text
    assert "CPU ms/answer" not in text  # recorded before CPU was measured: no table


def test_report_cpu_per_answer():
    runs = {"napgraph-warm": {"ok_rps": 9.0, "cpu_ms_per_answer": 0.05},
            "napgraph-cold": {"ok_rps": 5.0, "cpu_ms_per_answer": 2.0},
            "oxigraph": {"ok_rps": 4.0, "cpu_ms_per_answer": 1.0}}
    counts = {"napgraph-warm": 1, "napgraph-cold": 1, "oxigraph": 1}
    scale = {"name": "tiny", "quads": 3, "queries": [
        {"name": "q1", "counts": counts, "runs": runs},
        {"name": "q2", "counts": counts, "runs": {
            **runs, "oxigraph": {"ok_rps": 4.0, "cpu_ms_per_answer": 8.0}}},
        {"name": "q3", "counts": {**counts, "oxigraph": 2}, "runs": runs},  # answers differ
    ]}
    means = report.geomeans(scale)
    assert means["cold/oxigraph cpu"] == pytest.approx(2 ** 0.5)  # of 0.5 and 4, q3 left out
    text = report.sparql_tables(scale)
    assert "| cold CPU ms/answer |" in text.replace("  ", "")
    assert "0.050" in text and "2.00" in text and "4.00×" in text and "1.41×" in text


@pytest.fixture
def napgraph_server(tmp_path):
    server = servers.napgraph("smoke", [MINI], tmp_path, workers=1,
                              env={"NAPGRAPH_QUERY_RUNNERS": "1"})
    with servers.Servers() as started:
        yield started.start(server, timeout=60)
    assert server.process is None


def test_servers_start_answer_and_stop(napgraph_server):
    pids = napgraph_server.pids()
    assert len(pids) >= 3  # gunicorn master, a worker, its query runner
    query = workload.Query("count", "aggregate", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                           "SELECT")
    from bench.run import probe

    answer = probe(napgraph_server, query, timeout=30)
    assert (answer["status"], answer["count"]) == (200, 1)
    napgraph_server.stop()
    assert not [pid for pid in pids if os.path.exists(f"/proc/{pid}")
                and "Z" not in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3]]


@pytest.mark.skipif(shutil.which(load.HEY) is None, reason="hey is not installed")
def test_run_hey_against_a_live_server(napgraph_server):
    result = load.run_hey(napgraph_server.query_url("ASK {}"), concurrency=2, requests=8,
                          headers=["Accept: application/sparql-results+json"])
    assert result.statuses == {"200": 8}
    assert json.dumps(result.record())


@pytest.mark.skipif(shutil.which(load.HEY) is None, reason="hey is not installed")
def test_a_load_run_records_the_server_s_cpu_per_answer(napgraph_server):
    from bench.run import load as load_query
    from bench.run import parse_args

    query = workload.Query("count", "aggregate", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
                           "SELECT")
    options = parse_args(["--duration", "0.5", "--concurrency", "2"])
    result = load_query(napgraph_server, query, options, latency=0.01, slow_server=False)
    assert result.ok > 0
    assert result.cpu_seconds > 0  # the worker and its runner did the work
    assert result.record()["cpu_ms_per_answer"] == pytest.approx(
        result.cpu_seconds * 1000 / result.ok)


SCALE_TARGETS = {"embedded", "remote-oxigraph", "remote-virtuoso", "oxigraph"}


def test_scale_bench_on_two_countries(tmp_path):
    """bench/scale.py end to end on 2 synthetic countries: each country's import and
    `oxigraph load` succeed, push fills a real `oxigraph serve` and a real Virtuoso 7 with
    every quad the embedded server serves, and the embedded
    server, napgraph in front of each store and Oxigraph give the same answers (folded as
    the remote-store tests fold them) to every cross-country query."""
    done = subprocess.run(
        [sys.executable, "bench/scale.py", "--countries", "2", "--runs", "1", "--bulk-push",
         "--stores", "oxigraph,virtuoso", "--workdir", str(tmp_path / "work"),
         "--results", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(next(tmp_path.glob("scale-*.json")).read_text())["sizes"][0]
    assert result["napgraph_import"]["status"] == 0 and result["oxigraph_load"]["status"] == 0
    assert result["push"]["status"] == "ok" and result["push"]["bulk"] is True
    assert result["push-virtuoso"]["status"] == "ok"
    assert result["cross_country_queries"] is True and len(result["queries"]) >= 5
    # Every country imported as itself, and every server answers from the same quads.
    assert result["napgraph_import"]["imports"] == 2
    served = result["served_quads"]
    assert set(served) == SCALE_TARGETS and len(set(served.values())) == 1, served
    assert served["embedded"] >= result["quads"] + result["japan_quads"], served
    for query in result["queries"]:
        latency = query["latency"]
        assert set(latency) == SCALE_TARGETS, query["name"]
        answers = {(answer["count"], answer["answer"]) for answer in latency.values()}
        assert len(answers) == 1 and None not in answers.pop(), query
    assert "--store Virtuoso" in done.stdout and done.stdout.count(" same |") >= 5


def test_scale_bench_refuses_an_unknown_store(tmp_path):
    done = subprocess.run([sys.executable, "bench/scale.py", "--stores", "oxigraph,fuseki",
                           "--workdir", str(tmp_path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "unknown fuseki" in done.stderr


INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
POSITIVE = "http://www.w3.org/2001/XMLSchema#positiveInteger"


def _select(*rows: dict) -> bytes:
    return json.dumps({"head": {"vars": ["n", "names"]},
                       "results": {"bindings": list(rows)}}).encode()


def _row(n: str, datatype: str, names: dict) -> dict:
    return {"n": {"type": "literal", "value": n, "datatype": datatype}, "names": names}


FOLDED_QUERY = "SELECT ?n (GROUP_CONCAT(?name; separator=', ') AS ?names) {}"
EN = {"type": "literal", "value": "a, b", "xml:lang": "en"}
PLAIN_SWAPPED = {"type": "literal", "value": "b, a"}


@pytest.mark.parametrize(("other", "same"), [
    (_select(_row("1", POSITIVE, PLAIN_SWAPPED), _row("2", INTEGER, EN)), True),
    (_select(_row("2", INTEGER, EN), _row("1", INTEGER, EN)), True),
    (_select(_row("1", INTEGER, EN), _row("3", INTEGER, EN)), False),
    (_select(_row("1", INTEGER, EN)), False),
], ids=["subtype-and-concat-folded", "row-order", "other-value", "missing-row"])
def test_scale_answer_digest_folds_what_stores_write_differently(other, same):
    """Integer subtypes, GROUP_CONCAT order and language, and row order do not count;
    a different value or a missing row does."""
    from bench.scale import answer_digest

    media = "application/sparql-results+json"
    mine = answer_digest(_select(_row("1", INTEGER, EN), _row("2", INTEGER, EN)), media,
                         FOLDED_QUERY)
    assert (answer_digest(other, media, FOLDED_QUERY) == mine) is same


def test_the_one_release_holds_each_synthetic_country_s_catalog_as_an_import_does(tmp_path):
    """bench.startup's 10^7 fixture (one release, not 1,000 imports) carries each synthetic
    country's catalog graph: the same quads `napgraph import` publishes for that country, so
    home and country pages measured on it show every country, as after the imports."""
    from bench import run, startup

    build = startup.one_release(tmp_path, 2)
    catalogs = tmp_path / "synth-2.catalogs.nq"
    dump = (build / "current" / "napgraph.nq").read_bytes()
    assert catalogs.read_bytes() in dump
    imported = tmp_path / "imported"
    shutil.copytree(tmp_path / "build", imported, symlinks=True)
    shutil.rmtree(imported / "stores")
    country = tmp_path / "synth-2.countries" / "s0002.nq"
    done = subprocess.run([str(run.NAPGRAPH), "import", str(country), "--country", "s0002",
                           "--build-dir", str(imported)], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    expected = (imported / "countries" / "s0002" / "current" / "catalog.nq").read_text()
    graph = "<https://w3id.org/napgraph/graph/s0002/catalog> ."
    ours = [line for line in catalogs.read_text().splitlines() if line.endswith(graph)]
    assert len(ours) > 20 and sorted(ours) == sorted(expected.splitlines())


def test_compaction_bench_on_two_imports(tmp_path, capsys):
    """bench/compaction.py replays a build's imports and times queries on both stores."""
    from bench import compaction
    from napgraph.graph.synthetic import write_nquads

    build = tmp_path / "build"
    subprocess.run([sys.executable, "-m", "napgraph", "build", "--out", str(build)], check=True,
                   capture_output=True)
    write_nquads(tmp_path / "both.nq", 2, seed=0, consultations=2)
    quads = list(ox.parse(path=str(tmp_path / "both.nq"), format=ox.RdfFormat.N_QUADS))
    for code in ("s0001", "s0002"):
        own = [q for q in quads if f"/graph/{code}" in q.graph_name.value]
        (tmp_path / f"{code}.nq").write_bytes(ox.serialize(own, format=ox.RdfFormat.N_QUADS))
        subprocess.run([sys.executable, "-m", "napgraph", "import", str(tmp_path / f"{code}.nq"),
                        "--country", code, "--build-dir", str(build)], check=True,
                       capture_output=True)
    assert compaction.main(["--build", str(build), "--marks", "1,2,3", "--runs", "1",
                            "--queries", "lookup-actor,ask-type"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in rows[1:]] == ["| 1", "| 2"]  # no third import


@pytest.mark.skipif(shutil.which(load.HEY) is None, reason="hey is not installed")
def test_cpu_split_on_japan(tmp_path, capsys):
    """bench/cpu_split.py: CPU per answer of the runners and of the front, and the engine's."""
    from bench import cpu_split

    assert cpu_split.main(["--workdir", str(tmp_path), "--scale", "japan", "--only",
                           "consultations", "--duration", "0.5", "--workers", "1"]) == 0
    row = capsys.readouterr().out.splitlines()[-1].strip("| ").split(" | ")
    assert row[0] == "consultations"
    assert all(float(cell.replace(",", "")) > 0 for cell in row[1:])
