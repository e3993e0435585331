"""`napgraph serve`: build the graph if needed, then run the app under gunicorn.

gunicorn runs `workers` processes with WORKER_THREADS threads each (the gthread worker, with
security headers on gunicorn's own error responses: server/http/gunicorn_worker.py);
every worker builds its own app, and so its own query runners, after gunicorn forks it.
Flask's development server is never used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from gunicorn.app.base import BaseApplication

from .backends.embedded import locate_dataset
from .http.errors import DatasetError, StoreBadAnswer, StoreUnavailable
from .http.settings import SettingError, resolve

# gunicorn refuses longer request lines itself (its maximum); the app's own limit,
# MAX_QUERY_STRING_BYTES, answers 414 with a message below that.
REQUEST_LINE_LIMIT = 8190


class NapgraphApplication(BaseApplication):
    """A gunicorn application that builds the Flask app with `create_app(config)`."""

    def __init__(self, config: Mapping[str, Any], options: Mapping[str, Any]) -> None:
        self._config = dict(config)
        self._options = dict(options)
        super().__init__()

    def load_config(self) -> None:
        """Apply our gunicorn options (gunicorn calls this)."""
        for name, value in self._options.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        """Build the app in the worker process (gunicorn calls this after forking)."""
        from . import create_app

        return create_app(self._config)


def gunicorn_options(host: str, port: int, workers: int,
                     settings: Mapping[str, Any]) -> dict[str, Any]:
    """The gunicorn settings for `napgraph serve`."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return {
        "bind": [address],
        "workers": workers,
        "worker_class": "napgraph.server.http.gunicorn_worker.NapgraphWorker",  # gthread
        "threads": settings["WORKER_THREADS"],
        "preload_app": False,  # query runners must be started by the worker that uses them
        "limit_request_line": REQUEST_LINE_LIMIT,
        "timeout": 60,
        "graceful_timeout": math.ceil(settings["QUERY_TIMEOUT"]) + 5,
        "errorlog": "-",
        "control_socket_disable": True,  # no gunicornc; several servers may share a host
        "proc_name": "napgraph",
    }


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
        NapgraphApplication(config, gunicorn_options(host, port, workers, settings)).run()
        return
    current = Path(settings["BUILD_DIR"]) / "current"
    if not settings["DATA_FILES"] and not current.exists():
        click.echo(f"{current} does not exist: building the graph first")
        from napgraph.graph.build import BuildError, run_build

        try:
            report = run_build(Path(settings["BUILD_DIR"]))
        except BuildError as error:
            raise click.ClickException(str(error)) from error
        click.echo(report.summary())
    try:
        locate_dataset(settings)  # fail here, once, rather than in every worker
    except DatasetError as error:
        raise click.ClickException(error.message) from None
    NapgraphApplication(config, gunicorn_options(host, port, workers, settings)).run()


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
