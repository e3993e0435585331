"""The linked-data site: a page for every resource, home, search, downloads, canned queries
and the comparison of countries.

Every page reads through the one `Site` that `create_app` hands to `init_app`; templates and
their Jinja helpers (templating.py) are app-wide, so the SPARQL query page uses them too.
"""

from __future__ import annotations

from flask import Flask

from . import canned_views, compare, resources, site, templating
from .site_data import Site, install


def init_app(app: Flask, state: Site) -> None:
    """Install the site's state, the Jinja helpers and every page blueprint."""
    install(app, state)
    templating.init_app(app)
    resources.init_app(app)
    site.init_app(app)
    canned_views.init_app(app)
    compare.init_app(app)
