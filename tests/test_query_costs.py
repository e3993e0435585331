"""The pool's memory of how long recent queries took (server/backends/query_costs.py): it
holds the last `size` requests, forgetting the least recently used."""

from __future__ import annotations

import pytest

from napgraph.server.backends.query_costs import QueryCosts, request_key


def test_a_request_not_seen_took_nothing():
    assert QueryCosts().last(request_key(b"SELECT * {}")) == 0.0


def test_the_last_run_counts():
    costs, key = QueryCosts(), request_key(b"q")
    costs.record(key, 3.0)
    costs.record(key, 0.2)
    assert costs.last(key) == 0.2


@pytest.mark.parametrize("touched, forgotten", [(False, b"q0"), (True, b"q1")])
def test_the_least_recently_recorded_is_forgotten(touched, forgotten):
    costs = QueryCosts(size=3)
    for name in (b"q0", b"q1", b"q2"):
        costs.record(request_key(name), 1.0)
    if touched:  # recorded again: now the most recent
        costs.record(request_key(b"q0"), 1.0)
    costs.record(request_key(b"q3"), 1.0)
    assert costs.last(request_key(forgotten)) == 0.0
    assert sum(costs.last(request_key(n)) for n in (b"q0", b"q1", b"q2", b"q3")) == 3.0


def test_different_requests_have_different_keys():
    assert request_key(b"ASK {}") != request_key(b"ASK { }")
