"""Fixtures for the linked-data site: a real server on the real build, and a browser.

Loaded by tests/conftest.py as a pytest plugin. `site_server` runs `napgraph serve` on the
session's build (conftest `build`: the real Japanese graph, built once); `browser` is
Debian's Chromium driven by Playwright (never a downloaded browser). Hostile data is served
by tests/hostile_fixtures.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server_fixtures import LiveServer, launch

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="session")
def build_dir(build) -> Path:
    """The build folder of the session's build (it holds `current` and `releases/`)."""
    return build.release.parent.parent


@pytest.fixture(scope="session")
def site_server(build_dir, tmp_path_factory) -> Iterator[LiveServer]:
    """`napgraph serve` on the real build: one worker, two query runners."""
    log = tmp_path_factory.mktemp("site") / "server.log"
    server = launch(build_dir, {"QUERY_RUNNERS": 2, "WORKER_THREADS": 6}, log)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Chromium from Debian (setup.sh --test), driven by Playwright."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.fail("Chromium is not installed: run ./setup.sh --test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")),
            args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
