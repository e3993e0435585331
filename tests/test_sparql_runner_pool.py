"""The query runner pool on its own: time limit, busy runners, dead runners, self-healing."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from napgraph.graph.served_store import write_store
from napgraph.server.backends.messages import QueryRequest
from napgraph.server.backends.pool import RunnerPool, RunnerSpec
from napgraph.server.http.errors import QueryTimeout, RunnersBusy
from tests.server_fixtures import MINI, RUNAWAY_QUERY

JSON = "application/sparql-results+json"


def request(query: str) -> QueryRequest:
    return QueryRequest(query, "http://localhost/sparql", None, None, True, JSON, JSON,
                        "text/turtle", 100)


@pytest.fixture(scope="module")
def mini_store(tmp_path_factory) -> str:
    """MINI in an on-disk store, which every runner opens read-only."""
    folder = tmp_path_factory.mktemp("stores") / "mini"
    write_store([MINI], "mini", folder)
    return str(folder)


@pytest.fixture
def pool(mini_store):
    pool = RunnerPool(RunnerSpec(mini_store, "mini", (), 0), size=1)
    pool.start()
    yield pool
    pool.close()


def wait_for_idle_runner(pool: RunnerPool) -> None:
    deadline = time.monotonic() + 30
    while pool._idle.qsize() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)


def test_answers_a_query(pool):
    status, form, media_type, body, truncated, uses_service = pool.run(request("ASK {}"), 5)
    assert (status, form, media_type, truncated, uses_service) == ("ok", "ASK", JSON, False,
                                                                    False)
    assert body == b'{"head":{},"boolean":true}'


def test_a_runaway_query_is_killed_and_its_runner_replaced(pool):
    runner_pid = next(iter(pool._processes)).pid
    with pytest.raises(QueryTimeout, match="exceeded the 0.5 s time limit"):
        pool.run(request(RUNAWAY_QUERY), 0.5)
    with pytest.raises(ProcessLookupError):
        os.kill(runner_pid, 0)
    wait_for_idle_runner(pool)
    assert pool.run(request("ASK {}"), 5)[0] == "ok"


def test_waiting_for_a_busy_runner_is_limited(pool):
    thread = threading.Thread(target=lambda: pytest.raises(
        QueryTimeout, pool.run, request(RUNAWAY_QUERY), 2))
    thread.start()
    time.sleep(0.3)
    with pytest.raises(RunnersBusy, match="all 1 query runners stayed busy for 0.2 s"):
        pool.run(request("ASK {}"), 0.2)
    thread.join()


def test_a_runner_that_dies_while_idle_is_replaced_without_failing_a_query(pool):
    """The kernel's OOM killer or an operator may kill an idle runner: the next query waits
    for its replacement instead of failing."""
    runner = next(iter(pool._processes))
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    assert pool.run(request("ASK {}"), 5)[0] == "ok"
    assert runner not in pool._processes
    assert pool.status() == {"size": 1, "alive": 1, "idle": 1}


def test_close_stops_every_runner(mini_store):
    pool = RunnerPool(RunnerSpec(mini_store, "mini", (), 0), size=2)
    pool.start()
    processes = list(pool._processes)
    pool.close()
    assert all(process.poll() is not None for process in processes)
