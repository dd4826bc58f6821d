"""Raptor's routes that the identity split touches: index, health, account."""

from importlib.metadata import version
from typing import Any

from flask import Blueprint, current_app

bp = Blueprint("raptor", __name__)


@bp.get("/")
def index() -> dict[str, Any]:
    """A small index: which service this is and what else is mounted here."""
    return {
        "service": "raptor",
        "version": version("raptor-service"),
        "mounts": current_app.extensions["raptor.mounts"],
    }


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers. Touches no dependency."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Readiness: the dependencies Raptor needs to serve answer."""
    checks: dict[str, str] = {}
    ready = all(value == "ok" for value in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return body, 200 if ready else 503
