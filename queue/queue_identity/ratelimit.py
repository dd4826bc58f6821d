"""Rate limits on the endpoints worth guessing at, shared by every worker.

Limits are counted in ``QUEUE_RATELIMIT_STORAGE_URI`` (Redis in production,
``rediss://`` for TLS). The embedded default, ``memory://``, counts in each
worker process alone, so N workers allow N times the limit; start-up says so.
"""

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address

from . import audit, db, security, services

log = logging.getLogger(__name__)

EXTENSION = "queue.limiter"


def _email() -> str:
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested too deeply; the view answers 400
        body = None
    email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str):
        return "email:-"
    return "email:" + services.email_key(email)


def _bearer_user() -> str:
    # Keyed by the account, found from the bearer token; an unknown token
    # still counts, against its own digest.
    secret = request.headers.get("Authorization", "").removeprefix("Bearer ")
    token = services.active_token(secret.strip()) if secret else None
    if token is not None:
        return "user:" + token.user_id
    return "token:" + security.digest(secret)


def _failed_auth(response: Any) -> bool:
    return bool(response.status_code == 401)


def _limit(key: str) -> Callable[[], str]:
    return lambda: str(current_app.config[key])


# endpoint -> [(setting that holds the limit, key function, deduct when)]
LIMITS: dict[str, list[tuple[str, Callable[[], str], Any]]] = {
    "queue.sign_in": [
        ("RATELIMIT_SIGNIN_PER_EMAIL", _email, None),
        ("RATELIMIT_SIGNIN_PER_IP", get_remote_address, None),
    ],
    "queue.sign_up": [
        ("RATELIMIT_SIGNUP_PER_EMAIL", _email, None),
        ("RATELIMIT_SIGNUP_PER_IP", get_remote_address, None),
    ],
    "queue.change_password": [
        ("RATELIMIT_PASSWORD_PER_USER", _bearer_user, None),
        ("RATELIMIT_PASSWORD_PER_IP", get_remote_address, None),
    ],
    "queue.introspect": [
        ("RATELIMIT_INTROSPECT_FAILURES_PER_IP", get_remote_address, _failed_auth),
    ],
}


def _breached(limit: RequestLimit) -> None:
    session = db.session()
    audit.record(
        session, "throttled", endpoint=request.endpoint, limit=str(limit.limit)
    )
    session.commit()


def init_app(app: Flask) -> None:
    """Attach a limiter of this app's own and limit the endpoints above."""
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "queue")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(get_remote_address, app=app, on_breach=_breached)
    app.extensions[EXTENSION] = limiter

    for endpoint, limits in LIMITS.items():
        view: Any = app.view_functions[endpoint]
        for setting, key_func, deduct_when in limits:
            view = limiter.limit(
                _limit(setting), key_func=key_func, deduct_when=deduct_when
            )(view)
        app.view_functions[endpoint] = view

    _warn_if_per_process(app)


def _warn_if_per_process(app: Flask) -> None:
    uri = str(app.config["RATELIMIT_STORAGE_URI"])
    if app.config["RATELIMIT_ENABLED"] and uri.startswith("memory://"):
        log.warning(
            "rate limits are counted per worker process: with several workers "
            "or dynos each counts alone; set QUEUE_RATELIMIT_STORAGE_URI to a "
            "Redis URL to share them",
            extra={"storage": "memory://"},
        )
