"""Fair scheduling against a real server: runaway queries filling every runner never shut
out a cheap query or a page (docs/settings.md, QUERY_PREEMPT_AFTER and the lanes of
server/http/front.py)."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bench.slow_clients import timed_get, uncached_ask
from tests.server_fixtures import MINI, RUNAWAY_QUERY

PROMPT = 2.0  # seconds: what "answered promptly" means here
RUNAWAYS = 4  # one per runner: 2 workers x 2 runners


@pytest.fixture(scope="module")
def busy_server(start_server):
    """Production's shape: 2 workers with 2 runners each, a 10 s query time limit."""
    return start_server(MINI.read_bytes(), workers=2, QUERY_RUNNERS=2, QUERY_TIMEOUT=10,
                        QUERY_PREEMPT_AFTER=1.0)


def runaway(server) -> requests.Response:
    query = f"{RUNAWAY_QUERY} # {uuid.uuid4()}"  # never from the cache
    return requests.get(server.endpoint, params={"query": query}, timeout=30)


@pytest.mark.parametrize("probe", ["/", "/id/jp/org/mofa", "ask"], ids=["home", "page", "ask"])
def test_a_cheap_request_is_answered_while_runaways_fill_every_runner(busy_server, probe):
    with ThreadPoolExecutor(RUNAWAYS) as pool:
        runaways = [pool.submit(runaway, busy_server) for _ in range(RUNAWAYS)]
        # Every runaway is running, and has run past QUERY_PREEMPT_AFTER.
        done = [future for future in runaways if future.done()]
        assert not done, "a runaway query ended at once"
        time.sleep(1.5)
        path = uncached_ask() if probe == "ask" else f"{probe}?fresh={uuid.uuid4()}"
        status, _ = timed_get(busy_server.port, path, timeout=PROMPT)
        assert status == 200, f"{probe} was not answered within {PROMPT} s"
        answers = [future.result() for future in runaways]
    assert all(answer.status_code == 503 for answer in answers)
    assert any("so that waiting queries could run" in answer.text for answer in answers)
    assert all(answer.headers.get("Retry-After") == "1" for answer in answers
               if "so that waiting queries could run" in answer.text)


@pytest.fixture(scope="module")
def one_runner(start_server):
    """One runner, so that a second query always waits for the first."""
    return start_server(MINI.read_bytes(), QUERY_RUNNERS=1, QUERY_TIMEOUT=2,
                        QUERY_PREEMPT_AFTER=0.5)


def fresh_runaway() -> str:
    return f"{RUNAWAY_QUERY} # {uuid.uuid4()}"  # never seen before


@pytest.mark.parametrize("waiter, first_ends", [
    # It ran past QUERY_PREEMPT_AFTER the last time: it waits its turn.
    ("known heavy", "time limit"),
    # Stopping the same request to run it again would only start its work over.
    ("same request", "time limit"),
    # Not seen before: presumed cheap, it stops the first.
    ("new", "so that waiting queries could run"),
])
def test_a_waiting_query_stops_another_unless_known_heavy_or_the_same(
        one_runner, waiter, first_ends):
    query = fresh_runaway()
    waiting = {"known heavy": fresh_runaway(), "same request": query, "new": fresh_runaway()}[waiter]
    if waiter == "known heavy":
        learned = requests.get(one_runner.endpoint, params={"query": waiting}, timeout=30)
        assert learned.status_code == 503 and "time limit" in learned.text
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(requests.get, one_runner.endpoint, params={"query": query},
                            timeout=30)
        time.sleep(0.3)  # the first is running
        second = pool.submit(requests.get, one_runner.endpoint, params={"query": waiting},
                             timeout=30)
        answer = first.result()
        second.result()
    assert answer.status_code == 503
    assert first_ends in answer.text
