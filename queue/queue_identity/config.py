"""Queue's settings: one defaults mapping, overridden by ``QUEUE_*`` variables.

Every key Queue reads is listed in :data:`DEFAULTS`. The environment can
override any of them as ``QUEUE_<KEY>``; values are parsed as JSON where they
parse (``QUEUE_TOKEN_IDLE_TTL=1800`` is an int), else kept as strings.
"""

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from limits import parse_many

log = logging.getLogger(__name__)

PREFIX = "QUEUE"

DEVELOPMENT_CLIENT_SECRET = "raptor-dev-secret"  # noqa: S105 - documented dev value

DEFAULTS: dict[str, Any] = {
    # "production" refuses to start on development secrets; "development"
    # fills them in so that a fresh clone serves without set-up.
    "ENV": "production",
    "SECRET_KEY": None,
    "DATABASE_URL": None,  # None: SQLite in the instance folder
    "DATABASE_POOL_SIZE": 2,
    "DATABASE_MAX_OVERFLOW": 2,
    "DATABASE_POOL_TIMEOUT": 5,
    "MAX_CONTENT_LENGTH": 16 * 1024,
    "TOKEN_PREFIX": "qat_",
    "TOKEN_IDLE_TTL": 60 * 60 * 24,  # seconds without use before a token dies
    "TOKEN_ABSOLUTE_TTL": 60 * 60 * 24 * 14,  # seconds after sign-in, always
    "TOKEN_TOUCH_INTERVAL": 60,  # write last use at most once a minute
    "PASSWORD_MIN_LENGTH": 12,  # 12 to 256; the maximum is fixed at 256
    "ARGON2_TIME_COST": 2,
    "ARGON2_MEMORY_COST": 19 * 1024,  # KiB
    "ARGON2_PARALLELISM": 1,
    "HASH_CONCURRENCY": 2,  # per worker process
    "HASH_QUEUE_TIMEOUT": 2.0,  # seconds to wait for a hashing slot
    # Queue requests one worker serves at once; beyond, 503 at once. Keep it
    # below gunicorn's threads so that Raptor always has a thread left.
    "MAX_IN_FLIGHT": 3,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_SIGNIN_PER_EMAIL": "10 per minute",
    "RATELIMIT_SIGNIN_PER_IP": "30 per minute",
    "RATELIMIT_SIGNUP_PER_EMAIL": "5 per hour",
    "RATELIMIT_SIGNUP_PER_IP": "20 per hour",
    "RATELIMIT_PASSWORD_PER_USER": "5 per minute",
    "RATELIMIT_PASSWORD_PER_IP": "20 per minute",
    # Only failed service authentication counts: inactive tokens are normal.
    "RATELIMIT_INTROSPECT_FAILURES_PER_IP": "20 per minute",
    "RAPTOR_CLIENT_SECRET": None,  # secret of the built-in "raptor" client
    "CORS_ORIGINS": "",  # comma-separated; empty sends no CORS headers
}

# Flask's own keys that Queue deliberately sets; anything else unknown warns.
FLASK_KEYS = {"DEBUG", "TESTING", "PROPAGATE_EXCEPTIONS", "SERVER_NAME"}
FLASK_KEYS |= {"RATELIMIT_KEY_PREFIX", "RATELIMIT_STORAGE_OPTIONS"}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


def load(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, then the environment, then tests."""
    app.config.from_mapping(DEFAULTS)
    app.config.update(SESSION_COOKIE_NAME="queue_session")
    app.config.from_prefixed_env(PREFIX)
    _keep_strings(app.config)

    if test_config is not None:
        app.config.from_mapping(test_config)

    _check_types(app.config)
    _check_values(app.config)
    _warn_unknown(app.config)
    _apply_environment(app)


def variable(key: str) -> str:
    """The environment variable that sets ``key``."""
    return f"{PREFIX}_{key}"


def _keep_strings(config: dict[str, Any]) -> None:
    # from_prefixed_env parses values as JSON, which turns a secret such as
    # "0123456" into the number 123456; text settings keep the text.
    for key, default in DEFAULTS.items():
        raw = os.environ.get(variable(key))
        if raw is None:
            continue
        if default is None or isinstance(default, str):
            config[key] = raw
        elif isinstance(default, bool):
            config[key] = _switch(key, raw)


def _switch(key: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{variable(key)} must be one of 1/true/yes/on or 0/false/no/off")


def _check_values(config: Mapping[str, Any]) -> None:
    if not 12 <= config["PASSWORD_MIN_LENGTH"] <= 256:
        raise ConfigError(f"{variable('PASSWORD_MIN_LENGTH')} must be from 12 to 256")

    for key in ("HASH_CONCURRENCY", "MAX_IN_FLIGHT", "DATABASE_POOL_SIZE"):
        if config[key] < 1:
            raise ConfigError(f"{variable(key)} must be at least 1")

    for key in DEFAULTS:
        if key.startswith("RATELIMIT_") and key.endswith(
            ("_PER_EMAIL", "_PER_IP", "_PER_USER")
        ):
            try:
                parse_many(config[key])
            except ValueError:
                raise ConfigError(
                    f"{variable(key)} must be a rate such as '10 per minute', "
                    f"got {config[key]!r}"
                ) from None


def _check_types(config: Mapping[str, Any]) -> None:
    if config["ENV"] not in ("production", "development"):
        raise ConfigError(f"{variable('ENV')} must be 'production' or 'development'")

    for key, default in DEFAULTS.items():
        value = config[key]
        if default is None or value is None:
            continue

        if not _same_kind(value, default):
            raise ConfigError(
                f"{variable(key)} must be {type(default).__name__}, got {value!r}"
            )


def _same_kind(value: Any, default: Any) -> bool:
    # JSON parsing makes "2" an int where a float is expected, which is fine;
    # a bool is an int to Python, but never a number of seconds to us.
    if isinstance(value, bool) != isinstance(default, bool):
        return False
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def _warn_unknown(config: Mapping[str, Any]) -> None:
    for name in os.environ:
        key = name.removeprefix(f"{PREFIX}_")
        if key != name and key not in DEFAULTS and key not in FLASK_KEYS:
            log.warning("unknown setting ignored", extra={"variable": name})


def _apply_environment(app: Flask) -> None:
    config = app.config
    if config["ENV"] == "development":
        config["SECRET_KEY"] = config["SECRET_KEY"] or "queue-development-key"
        config["RAPTOR_CLIENT_SECRET"] = (
            config["RAPTOR_CLIENT_SECRET"] or DEVELOPMENT_CLIENT_SECRET
        )
        return

    for flag in ("DEBUG", "TESTING", "PROPAGATE_EXCEPTIONS"):
        if config.get(flag):
            raise ConfigError(f"{variable(flag)} must not be on in production")

    if not config["SECRET_KEY"]:
        raise ConfigError(f"{variable('SECRET_KEY')} is required in production")

    secret = config["RAPTOR_CLIENT_SECRET"]
    if not secret or secret == DEVELOPMENT_CLIENT_SECRET:
        raise ConfigError(
            f"{variable('RAPTOR_CLIENT_SECRET')} must be set to a real secret "
            "in production"
        )
