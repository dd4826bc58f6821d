"""Queue's HTTP routes."""

from importlib.metadata import version
from typing import Any

from flask import Blueprint, url_for

bp = Blueprint("queue", __name__)


@bp.get("/")
def index() -> dict[str, Any]:
    return {
        "service": "queue",
        "version": version("raptor-service"),
        "links": {"health": url_for(".healthz"), "ready": url_for(".readyz")},
    }


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers. Touches no dependency."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Readiness: Queue's own dependencies answer."""
    checks: dict[str, str] = {}
    ready = all(value == "ok" for value in checks.values())
    return {"status": "ok" if ready else "unavailable", "checks": checks}, (
        200 if ready else 503
    )
