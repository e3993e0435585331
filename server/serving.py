"""`napgraph serve`: build the graph if needed, then run the app under Granian.

Granian (a Rust HTTP server) runs `workers` processes; each reads HTTP on its own event loop,
without a Python thread per connection, and closes clients that do not send their headers
within HEADER_TIMEOUT. Each worker builds the app, and so its own query runners, behind the
ASGI front of server/http/front.py (body time limit, requests per client, WORKER_THREADS
threads for the app). Flask's development server is never used. Why Granian rather than
gunicorn: bench/README.md ("Slow clients").
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from .backends.embedded import (
    DATA_FILES_STORE,
    PRIVATE_PREFIX,
    check_dataset,
    write_data_files_store,
)
from .http import replay
from .http.errors import DatasetError, StoreBadAnswer, StoreUnavailable
from .http.front import WsgiFront
from .http.settings import ENV_PREFIX, SettingError, resolve

FRONT = "napgraph.server.serving:create_front"
# How `serve` hands the folder of the store of DATA_FILES it wrote to Granian's workers (not a
# NAPGRAPH_* setting: users do not set it).
SHARED_STORE_ENV = "_NAPGRAPH_DATA_FILES_STORE"


def create_front() -> WsgiFront:
    """Granian's factory (`napgraph serve`): the app, built in the worker process from
    `NAPGRAPH_*` variables (so each worker starts its own query runners), behind the front.
    With DATA_FILES, the workers open the store that `serve` wrote before they started."""
    from . import create_app
    from .http import middleware
    from .sparql import endpoint
    from .sparql.fast_path import FastPath

    shared = os.environ.get(SHARED_STORE_ENV)
    app = create_app({DATA_FILES_STORE: shared} if shared else None)
    fast = FastPath(app.extensions[endpoint.EXTENSION], app.config,
                    app.extensions.get(middleware.EXTENSION))
    return WsgiFront(app, app.config, app.extensions.get(replay.EXTENSION), fast)


def run_front(host: str, port: int, workers: int, settings: Mapping[str, Any]) -> None:
    """Serve the app with Granian until stopped. The workers build the app from `NAPGRAPH_*`
    variables, so the settings resolved here are handed to them that way."""
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings
    from granian.server import Server

    for name in ("BUILD_DIR", "STORE_URL"):
        os.environ[f"{ENV_PREFIX}_{name}"] = json.dumps(settings[name])
    header_ms = min(60_000, max(1, round(settings["HEADER_TIMEOUT"] * 1000)))  # Granian's range
    Server(
        FRONT, address=host, port=port, interface=Interfaces.ASGINL, workers=workers,
        loop=Loops.uvloop,  # libuv: less CPU per request than asyncio (bench/README.md)
        factory=True, http=HTTPModes.http1, websockets=False,
        http1_settings=HTTP1Settings(header_read_timeout=header_ms),
        workers_kill_timeout=math.ceil(settings["QUERY_TIMEOUT"]) + 5,
    ).serve()


def serve(host: str, port: int, workers: int, store_url: str | None, build_dir: Path) -> None:
    """Serve SPARQL over HTTP until stopped, building `build_dir/current` first if missing.

    With `store_url` (or STORE_URL) the data is the remote store's: nothing is built or
    loaded, and the store must answer once before the server starts.
    Settings come from `NAPGRAPH_*` variables (docs/settings.md); `build_dir` is BUILD_DIR.
    Raises click errors for a bad setting, a failed build, missing data, or a remote store
    that cannot be read.
    """
    if workers < 1:
        raise click.BadParameter("needs at least one worker", param_hint="'--workers'")
    config = {"BUILD_DIR": str(build_dir)}
    if store_url:
        config["STORE_URL"] = store_url
    try:
        settings = resolve(config)
    except SettingError as error:
        raise click.ClickException(str(error)) from None
    if settings["STORE_URL"]:
        check_store(settings)
        run_front(host, port, workers, settings)
        return
    if settings["DATA_FILES"]:
        serve_data_files(host, port, workers, settings)
        return
    current = Path(settings["BUILD_DIR"]) / "current"
    if not current.exists():
        click.echo(f"{current} does not exist: building the graph first")
        from napgraph.graph.build import BuildError, run_build

        try:
            report = run_build(Path(settings["BUILD_DIR"]))
        except BuildError as error:
            raise click.ClickException(str(error)) from error
        click.echo(report.summary())
    problem = checked_apart(settings)  # fail here, once, rather than in every worker
    if problem:
        raise click.ClickException(problem)
    run_front(host, port, workers, settings)


def serve_data_files(host: str, port: int, workers: int, settings: Mapping[str, Any]) -> None:
    """Serve DATA_FILES: bulk-load them once into a store in a new temporary folder, which
    every worker opens read-only, and remove it when the server stops (SIGTERM, SIGINT: Granian
    then exits through SystemExit; a SIGKILL leaves it in the temporary folder).

    Raises click.ClickException naming a file that cannot be read or loaded.
    """
    folder = Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX))
    try:
        problem = checked_apart(settings, store=folder / "store")
        if problem:
            raise click.ClickException(problem)
        os.environ[SHARED_STORE_ENV] = str(folder / "store")
        run_front(host, port, workers, settings)
    finally:
        os.environ.pop(SHARED_STORE_ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


def checked_apart(settings: Mapping[str, Any], store: Path | None = None) -> str | None:
    """Run `check_dataset` (which may write the build's store), or with `store` write the
    store of DATA_FILES there, in a child process, and return its error message, or None.

    Not in this process: Granian forks the workers from it, and RocksDB's background
    threads, started once per process by the first store opened, do not survive a fork, so
    a worker would wait forever on the first store it writes (a live reload).
    """
    wanted = {name: settings[name] for name in ("DATA_FILES", "BUILD_DIR")}
    done = subprocess.run(
        [sys.executable, "-c", "from napgraph.server.serving import _check; _check()",
         json.dumps(wanted), str(store or "")], stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL, text=True)
    if done.returncode != 0:
        return done.stdout.strip() or f"the dataset check failed (exit status {done.returncode})"
    return None


def _check() -> None:
    """The child of `checked_apart`: settings as JSON in argv[1], the store folder to write
    (or "") in argv[2], the error on stdout."""
    settings, store = json.loads(sys.argv[1]), sys.argv[2]
    try:
        if store:
            write_data_files_store(settings["DATA_FILES"], Path(store))
        else:
            check_dataset(settings)
    except DatasetError as error:
        print(error.message)
        sys.exit(1)


def check_store(settings: Mapping[str, Any]) -> None:
    """Read the remote store's graphs once, so a wrong URL or a misconfigured store stops
    `napgraph serve` here, with a message, rather than failing in every worker.

    Raises click.ClickException.
    """
    from .backends.remote import RemoteBackend

    try:
        backend = RemoteBackend.from_settings(settings, read_now=False)
    except DatasetError as error:
        raise click.ClickException(error.message) from None
    try:
        info = backend.refresh()
    except (StoreUnavailable, StoreBadAnswer) as error:
        raise click.ClickException(f"{backend.client.url}: {error.message}") from None
    finally:
        backend.close()
    if backend.problem:
        raise click.ClickException(f"{backend.client.url}: {backend.problem}")
    click.echo(f"serving the SPARQL store {backend.client.url}: {len(info.graphs)} named "
               f"graphs, {info.quads} triples (dataset version {info.version})")
