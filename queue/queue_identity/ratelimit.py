"""Rate limits on the endpoints worth guessing at, shared by every worker.

Limits are counted in ``QUEUE_RATELIMIT_STORAGE_URI`` (Redis in production,
``rediss://`` for TLS). The embedded default, ``memory://``, counts in each
worker process alone, so N workers allow N times the limit; start-up says so.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_limiter.util import get_remote_address

from . import audit, db, schemas, security, services, views
from .errors import problem

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

    # Count every spelling of one account together, as sign-in matches it:
    # the validated form turns an IDN domain into one spelling.
    try:
        email = schemas.normal_email(email)
    except ValueError:
        pass  # the view refuses it; it still counts under its raw form
    return "email:" + services.email_key(email)


def _bearer_user() -> str:
    # Keyed by the account, found from the bearer token; an unknown token
    # still counts, against its own digest.
    secret = views.bearer_secret()
    token = services.active_token(secret) if secret else None
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
    # Deactivation checks the password too: limit guessing with a stolen token.
    "queue.deactivate": [
        ("RATELIMIT_PASSWORD_PER_USER", _bearer_user, None),
        ("RATELIMIT_PASSWORD_PER_IP", get_remote_address, None),
    ],
    "queue.introspect": [
        ("RATELIMIT_INTROSPECT_FAILURES_PER_IP", get_remote_address, _failed_auth),
    ],
}


def _breached(limit: RequestLimit) -> None:
    # A flood of throttled requests must not become a flood of writes: under
    # a sign-in storm each 429 waited on the database for its audit row, so
    # only the first breach of a key in each window of its limit is recorded.
    if not _first_breach(limit):
        return

    session = db.session()
    audit.record(
        session, "throttled", endpoint=request.endpoint, limit=str(limit.limit)
    )
    session.commit()


def _first_breach(limit: RequestLimit) -> bool:
    """Whether no request has breached ``limit`` for this key in this window."""
    window = limit.reset_at
    seconds = max(1, window - int(time.time()))
    marker = f"breached/{limit.key}/{window}"
    try:
        return limit.limiter.storage.incr(marker, seconds) == 1
    except Exception:  # the store is failing: record rather than lose an event
        log.warning("rate limit store failed; throttling recorded anyway")
        return True


def _throttled(error: RateLimitExceeded) -> Response:
    limit = current_app.extensions[EXTENSION].current_limit
    wait = max(1, int(limit.reset_at - time.time())) if limit else 60
    return problem(
        429,
        "too-many-requests",
        f"Too many attempts; retry in {wait} seconds.",
        [("Retry-After", str(wait))],
    )


def init_app(app: Flask) -> None:
    """Attach a limiter of this app's own and limit the endpoints above."""
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "queue")
    # Flask-Limiter's headers would put Retry-After on every answer of a
    # limited endpoint, successes too; Queue sends it with 429s alone.
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter = Limiter(get_remote_address, app=app, on_breach=_breached)
    app.extensions[EXTENSION] = limiter
    app.register_error_handler(RateLimitExceeded, _throttled)

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
