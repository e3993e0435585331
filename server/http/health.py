"""`/health`: 200 with the dataset version and the runners' state, 503 when no query runner
is alive. For load balancers and monitoring; never cached."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response


def init_app(app: Flask, backend: Any) -> None:
    """Answer /health from `backend` (any backend; one that has `health()` reports more)."""

    def health() -> Response:
        """Report the dataset version and whether queries can run: 200, or 503 when they cannot."""
        info = backend.info
        report: dict[str, Any] = {"status": "ok", "version": info.version, "quads": info.quads,
                                  "graphs": len(info.graphs)}
        check = getattr(backend, "health", None)  # backends that can tell report their state
        if check is not None:
            report.update(check())
        status = 503 if report["status"] == "down" else 200
        response = Response(json.dumps(report, indent=1) + "\n", status=status,
                            mimetype="application/json")
        response.headers["Cache-Control"] = "no-store"
        return response

    app.add_url_rule("/health", "health", health, methods=["GET"])
