"""The napgraph web server: a Flask app built by `create_app`.

Flask and the views are imported inside `create_app`, not here, because query runner
processes import `napgraph.server.backends.runner` and should start without loading Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from defaults, `config`, then `NAPGRAPH_*` variables.

    The one start-up path: open the backend once (starting the query runners and loading
    the data), wrap it once so the access log times every query, and hand it with the one
    answer cache to the SPARQL endpoint and to the site. Raises SettingError for a bad
    setting, DatasetError when the data cannot be found or loaded, and CannedQueryError for a
    broken canned or page query; a backend already opened is closed again.

    Example (needs data): ``create_app({"DATA_FILES": ["tests/data/mini.nq"]})``.
    """
    from flask import Flask

    from .backends import open_backend
    from .http.middleware import MeteredBackend
    from .http.settings import load_into

    app = Flask(__name__)
    load_into(app.config, config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_REQUEST_BYTES"]
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_REQUEST_BYTES"]
    backend = MeteredBackend(open_backend(app.config))
    try:
        _assemble(app, backend)
    except BaseException:
        backend.close()  # stop the runners: the app that would own them is not built
        raise
    return app


def _assemble(app: Flask, backend: Any) -> None:
    """Hand the backend and one answer cache to everything that serves requests."""
    from napgraph.graph import canned

    from . import pages
    from .http import errors, headers, health, middleware, replay, responses
    from .http.cache import ResponseCache
    from .pages.site_data import open_site
    from .sparql import endpoint

    settings = app.config
    log = middleware.open_log(settings["ACCESS_LOG"])
    cache = ResponseCache(settings["CACHE_ENTRIES"], settings["CACHE_MAX_BYTES"])
    canned_queries = canned.load_queries()
    site = open_site(settings, backend, cache, canned_queries)
    errors.register(app)
    responses.init_cors(app)
    headers.init_app(app)
    middleware.init_app(app, log)
    health.init_app(app, backend)
    endpoint.init_app(app, backend, cache, canned_queries)
    pages.init_app(app, site)
    # The front (http/front.py) replays cached answers; this version keys them.
    app.extensions[replay.EXTENSION] = replay.Replays(cache, lambda: backend.info.version, log)
