"""Runaway queries: pathological queries (tests/data/runaway/*.rq: cartesian products,
unbounded property paths, sorts and regular expressions over products, nested subqueries,
GROUP_CONCAT of everything) sent one after another and then several at once to a real server
with QUERY_TIMEOUT=2 and two web workers. Each is cut within the limit plus one second
with the timeout message; a probe client asking simple queries all along is answered every
time; afterwards normal queries work. The peak memory of the server's process tree is
sampled and reported.

The server has 5 runners per worker and at most 4 runaway queries run at once, so even when
every runaway and the probe land on one worker, no request waits for a runner: what is
measured is the time limit, not the queue (docs/sparql.md "Time limit").
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.server_fixtures import LiveServer, launch

LIMIT = 2.0
RUNNERS_PER_WORKER = 5
AT_ONCE = 4
RUNAWAY = sorted((Path(__file__).parent / "data" / "runaway").glob("*.rq"))
TIMEOUT_MESSAGE = f"query exceeded the {LIMIT:g} s time limit"
COUNT = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
PROBE = "SELECT ?p ?o { <https://w3id.org/napgraph/id/jp/org/mofa> ?p ?o }"


def process_tree(root: int) -> list[int]:
    """The pid `root` and all its descendants (Granian main process, workers, query runners)."""
    parents: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        parents[int(status.parent.name)] = int(fields.get("PPid", "0").strip() or 0)
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def memory_kb(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Watch:
    """A probe client and a memory sampler running in the background during the module."""

    server: LiveServer
    probes: list[tuple[int, float]] = field(default_factory=list)
    peak_rss_kb: int = 0
    cut: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._probe, daemon=True),
                         threading.Thread(target=self._sample, daemon=True)]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _probe(self) -> None:
        while not self._stop.wait(0.05):
            started = time.monotonic()
            try:  # a new connection each time, so the probe reaches both workers
                status = requests.get(self.server.endpoint, timeout=30, params={
                    "query": f"# probe {uuid.uuid4()}\n{PROBE}"}).status_code
            except requests.RequestException:
                status = 0
            self.probes.append((status, time.monotonic() - started))

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            total = sum(memory_kb(pid, "VmRSS") for pid in process_tree(self.server.process.pid))
            self.peak_rss_kb = max(self.peak_rss_kb, total)


@pytest.fixture(scope="module")
def watch(build, tmp_path_factory) -> Iterator[Watch]:
    folder = tmp_path_factory.mktemp("runaway")
    server = launch(build.release.parent.parent,
                    {"QUERY_TIMEOUT": LIMIT, "QUERY_RUNNERS": RUNNERS_PER_WORKER,
                     "WORKER_THREADS": 8}, folder / "server.log", workers=2)
    watch = Watch(server)
    watch.start()
    yield watch
    watch.stop()
    server.stop()


def run(server: LiveServer, path: Path) -> tuple[requests.Response, float]:
    query = f"{path.read_text(encoding='utf-8')}\n# {uuid.uuid4()}"  # never from the cache
    started = time.monotonic()
    response = requests.post(server.endpoint, data={"query": query}, timeout=60)
    return response, time.monotonic() - started


@pytest.mark.parametrize("path", RUNAWAY, ids=[p.stem for p in RUNAWAY])
def test_runaway_query_is_cut_at_the_limit(watch, path):
    response, elapsed = run(watch.server, path)
    watch.cut[path.stem] = elapsed
    assert response.status_code == 503, response.text[:300]
    assert TIMEOUT_MESSAGE in response.text
    assert elapsed < LIMIT + 1


def test_runaway_queries_at_once_are_each_cut_at_the_limit(watch):
    time.sleep(0.5)  # let the runners killed above be replaced
    outcomes = []
    with ThreadPoolExecutor(AT_ONCE) as pool:
        for wave in range(0, len(RUNAWAY), AT_ONCE):
            outcomes += pool.map(lambda p: (p.stem, *run(watch.server, p)),
                                 RUNAWAY[wave:wave + AT_ONCE])
            time.sleep(0.5)
    for name, response, elapsed in outcomes:
        watch.cut[f"{name} (at once)"] = elapsed
        assert (name, response.status_code) == (name, 503), response.text[:300]
        assert TIMEOUT_MESSAGE in response.text
        assert elapsed < LIMIT + 1, f"{name} took {elapsed:.2f} s"


def test_normal_queries_work_afterwards(watch, store):
    expected = int(next(store.query(COUNT, use_default_graph_as_union=True))["n"].value)
    for _ in range(6):  # both workers, every runner
        answer = requests.get(watch.server.endpoint, timeout=30, params={
            "query": f"# {uuid.uuid4()}\n{COUNT}"}).json()
        assert int(answer["results"]["bindings"][0]["n"]["value"]) == expected


def test_the_access_log_says_which_queries_timed_out(watch):
    lines = [json.loads(line) for line in watch.server.log.read_text().splitlines()
             if line.startswith("{")]
    timed_out = [line for line in lines if line.get("query_outcome") == "QueryTimeout"]
    assert len(timed_out) == len(watch.cut)  # one line for each runaway query sent above
    assert all(line["status"] == 503 and line["query_ms"] >= LIMIT * 1000 for line in timed_out)


def test_the_probe_was_answered_throughout(watch, capsys):
    """Last in the module: the probe ran during every test above."""
    time.sleep(1)  # a few answers more, also when this test runs alone
    statuses = [status for status, _ in watch.probes]
    latencies = [latency for _, latency in watch.probes]
    leaders = process_tree(watch.server.process.pid)
    high_water = sum(memory_kb(pid, "VmHWM") for pid in leaders)
    with capsys.disabled():
        print(f"\nrunaway: {len(watch.cut)} queries cut, the slowest after "
              f"{max(watch.cut.values(), default=0):.2f} s (limit {LIMIT:g} s); probe: "
              f"{len(statuses)} queries, max latency {max(latencies, default=0):.3f} s; "
              f"server tree: {len(leaders)} processes, peak RSS "
              f"{watch.peak_rss_kb / 1024:.0f} MiB (VmHWM of the live ones: "
              f"{high_water / 1024:.0f} MiB)")
    assert len(statuses) >= 10
    assert set(statuses) == {200}
    assert max(latencies) < LIMIT + 1
