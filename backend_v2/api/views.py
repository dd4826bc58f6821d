"""Raptor's routes that the identity split touches: index, health, account."""

from importlib.metadata import version
from typing import Any

from flask import Blueprint, current_app

from . import identity

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
    checks = {"queue": identity.queue_readiness()}
    # Identity switched off by config is a choice, not an outage: Raptor
    # serves everything but its identity routes, as it should.
    ready = all(value in ("ok", "disabled") for value in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return body, 200 if ready else 503


@bp.get("/account")
@identity.required
def account() -> tuple[dict[str, str], dict[str, str]]:
    """The caller's identity, as Raptor sees it through Queue."""
    caller = identity.current()
    body = {
        "id": caller.user_id,
        "email": caller.email,
        "name": caller.name,
        "token_expires_at": caller.expires_at.isoformat(),
    }
    # Personal and per-token: no shared cache may keep or reuse it.
    return body, {"Cache-Control": "no-store", "Vary": "Authorization"}
