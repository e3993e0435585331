"""Hostile input: hundreds of malformed, oversized, sneaky and malicious requests, each sent
to one real server (the real build plus a graph of hostile labels), each answered with the
right 4xx (or a correct 200) and a message, never a 5xx or a stack trace; after each one the
server still answers a normal query correctly, has not connected to the loopback listener
the attacks aim at, and has not sent the canary file's secret.

The cases are data: tests/data/hostile/*.toml, crossed into families by
tests/hostile_cases.py. A case whose family of routes the server does not have must still
be a 404 or 405.
"""

from __future__ import annotations

import json

import pytest

from tests.hostile_cases import audit_html, leaks, load_cases, send
from tests.hostile_fixtures import start_hostile_bed, stop_hostile_bed

CASES = load_cases()


@pytest.fixture(scope="module")
def bed(build, tmp_path_factory):
    started = start_hostile_bed(build.release.parent.parent, tmp_path_factory.mktemp("hostile"))
    yield started
    stop_hostile_bed(started)


def test_there_are_enough_cases():
    assert len(CASES) >= 300


def test_every_family_of_routes_is_served(bed):
    """Not skipped when routes are missing: the cases then expect 404/405; this says so."""
    missing = sorted(family for family, served in bed.families.items() if not served)
    assert not missing, f"families of routes this server does not serve: {missing}"


def refused_by_the_front(reply) -> bool:
    """Granian refuses malformed HTTP (bad framing, bad header bytes, a wrong version) itself,
    with 400 or 431, an empty body and no Content-Type: nothing to render, and nothing that
    reaches the app. Everything the app answers has a message."""
    return (reply.status in (400, 431) and reply.body == b""
            and reply.headers.get("Content-Type") is None)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_request(bed, case):
    rendered = case.render(bed.markers)
    calls_before = bed.allowed.calls
    reply = send(bed.port, rendered)

    expected = set(case.status) if bed.served(case.family) else {404, 405}
    assert reply.status < 500, f"{reply.status} for {case.id}: {reply.text[:500]}"
    assert reply.status in expected, f"{reply.status} (expected {sorted(expected)}): " \
                                     f"{reply.text[:500]}"
    if reply.status >= 400 and case.method != "HEAD" and not refused_by_the_front(reply):
        assert reply.text.strip(), "an error without a message"
        if case.says and bed.served(case.family):
            assert case.says.lower() in reply.text.lower()
    assert not leaks(reply, bed.secrets)
    if reply.media_type == "text/html":
        assert audit_html(reply.text).problems == []
    if reply.status == 200 and reply.media_type == "application/sparql-results+json":
        json.loads(reply.body)
    if case.method == "HEAD":
        assert reply.body == b""
    if 300 <= reply.status < 400:
        location = reply.headers.get("Location", "")
        assert location.startswith(("/", f"{bed.server.root}/")) and \
            not location.startswith("//"), f"a redirect away from this server: {location}"

    assert bed.connections() == [], "the server connected to the loopback listener"
    if case.calls_allowed:
        assert bed.allowed.calls > calls_before, "the allowed SERVICE was not called"
    else:
        assert bed.allowed.calls == calls_before, "an endpoint was called that should not be"
    assert bed.still_answers(), "a normal query is answered wrongly after this case"
