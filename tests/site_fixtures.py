"""Fixtures for the linked-data site: a real server on the real build, and a browser.

Loaded by tests/conftest.py as a pytest plugin. `site_server` runs `napgraph serve` on the
session's build (conftest `build`: the real Japanese graph, built once); `browser` is
Debian's Chromium driven by Playwright (never a downloaded browser). Hostile data is served
by tests/hostile_fixtures.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.server_fixtures import LiveServer, launch

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).parent / "artifacts"
CSP_WATCH = ("window.__cspViolations = [];"
             "document.addEventListener('securitypolicyviolation', function (e) {"
             " window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI); });")


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
def jp_xx_server(jp_xx_build, tmp_path_factory) -> Iterator[LiveServer]:
    """`napgraph serve` on Japan with the synthetic country xx imported (two countries)."""
    server = launch(jp_xx_build, {"QUERY_RUNNERS": 1}, tmp_path_factory.mktemp("xx") / "log")
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


@dataclass
class Visit:
    """One page opened in the browser, with what went wrong while it was open."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser, site_server, request) -> Callable[..., Visit]:
    contexts = []

    def open_page(path: str, width: int = 1280, height: int = 900,
                  server: LiveServer | None = None) -> Visit:
        root = (server or site_server).root
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page)

        def guard(route):
            if route.request.url.startswith(root + "/"):
                route.continue_()
            else:
                seen.foreign_requests.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        # CSP violations are counted in the page itself, besides the console's messages.
        context.add_init_script(CSP_WATCH)
        page.on("console", lambda message: seen.console_errors.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: seen.console_errors.append(str(error)))
        page.goto(root + path, wait_until="networkidle")
        return seen

    yield open_page
    for context in contexts:
        context.close()


def finish(seen: Visit, name: str) -> None:
    """Save the screenshot, then fail on console errors, CSP violations or foreign requests."""
    ARTIFACTS.mkdir(exist_ok=True)
    seen.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert seen.console_errors == []
    assert seen.page.evaluate("window.__cspViolations") == []
    assert seen.foreign_requests == []
