"""Query backends: the embedded store (runner processes behind a pool) or a remote SPARQL store.

Both answer the one small interface of store.py (`Backend`), so the endpoint and the pages
never know which one serves them. Query runner processes import `backends.runner` alone: this
package imports nothing at import time, so they start without Flask or an HTTP client.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Backend


def open_backend(settings: Mapping[str, Any]) -> Backend:
    """The remote store at STORE_URL, or else the embedded store with its query runners started.

    Raises DatasetError when the data cannot be found or loaded, and the store errors
    (StoreUnavailable, StoreBadAnswer) when the remote store cannot serve.
    """
    if settings["STORE_URL"]:
        from .remote import RemoteBackend

        return RemoteBackend.from_settings(settings)
    from .embedded import EmbeddedBackend

    return EmbeddedBackend.from_settings(settings)
