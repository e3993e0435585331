"""The napgraph web server: a Flask app built by `create_app`.

Flask and the views are imported inside `create_app`, not here, because query runner
processes import `napgraph.server.runner` and should start without loading Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from defaults, `config`, then `NAPGRAPH_*` variables.

    Starts the query runners and loads the data before returning. Raises SettingError for a
    bad setting and DatasetError when the data cannot be found or loaded.

    Example (needs data): ``create_app({"DATA_FILES": ["tests/data/mini.nq"]})``.
    """
    from flask import Flask

    from . import (
        canned_views,
        compare,
        errors,
        hygiene,
        resources,
        responses,
        security,
        site,
        site_data,
        sparql,
        templating,
    )
    from .settings import load_into

    app = Flask(__name__)
    load_into(app.config, config)
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_REQUEST_BYTES"]
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_REQUEST_BYTES"]
    errors.register(app)
    responses.init_cors(app)
    security.init_app(app)
    sparql.init_app(app)
    hygiene.init_app(app)  # after sparql: it times the backend's queries for the access log
    # The linked-data site reads through the endpoint's backend and shares its cache.
    endpoint = app.extensions[sparql.EXTENSION]
    site_data.init_site(app, endpoint.backend, endpoint.cache)
    templating.init_app(app)
    resources.init_app(app)
    site.init_app(app)
    canned_views.init_app(app)
    compare.init_app(app)
    return app
