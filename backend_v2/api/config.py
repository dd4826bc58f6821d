"""Raptor's settings: one defaults mapping, overridden by ``RAPTOR_*`` variables."""

import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

log = logging.getLogger(__name__)

PREFIX = "RAPTOR"

DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "SECRET_KEY": None,
    "SESSION_COOKIE_NAME": "raptor_session",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Where Raptor finds Queue. Set: Queue over HTTP at that base URL (the
    # extracted service). Unset: Queue in this process, when it is mounted.
    # The URL is Queue's own root, where its /readyz is: the standalone app's
    # origin, or ending in /api/v1 for a Queue mounted in another service.
    "QUEUE_URL": None,
    "QUEUE_CLIENT_ID": "raptor",
    "QUEUE_CLIENT_SECRET": None,
    "QUEUE_TIMEOUT": 2.0,  # seconds, for each call to Queue
}

DEVELOPMENT_VALUES = {
    "SECRET_KEY": "raptor-development-key",
    "QUEUE_CLIENT_SECRET": "raptor-dev-secret",
}


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


def load(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill ``app.config`` from defaults, then the environment, then tests."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env(PREFIX)
    _keep_strings(app.config)
    if test_config is not None:
        app.config.from_mapping(test_config)

    _warn_unknown()
    _check_queue(app.config)
    env = app.config["ENV"]
    if env == "development":
        for key, value in DEVELOPMENT_VALUES.items():
            app.config[key] = app.config[key] or value
        return

    if env != "production":
        raise ConfigError(f"{PREFIX}_ENV must be 'production' or 'development'")

    for flag in ("DEBUG", "TESTING", "PROPAGATE_EXCEPTIONS"):
        if app.config.get(flag):
            raise ConfigError(f"{PREFIX}_{flag} must not be on in production")

    for key in DEVELOPMENT_VALUES:
        value = app.config[key]
        if not value or value == DEVELOPMENT_VALUES[key]:
            raise ConfigError(f"{PREFIX}_{key} must be set to a real secret")

    # Raptor sends its service secret to this URL on every identity call.
    url = app.config["QUEUE_URL"]
    if url and urlsplit(url).scheme != "https":
        raise ConfigError(f"{PREFIX}_QUEUE_URL must be an https URL in production")


def _keep_strings(config: dict[str, Any]) -> None:
    # from_prefixed_env parses values as JSON: an all-digit secret would
    # become a number. Text settings keep the text they were given.
    for key, default in DEFAULTS.items():
        raw = os.environ.get(f"{PREFIX}_{key}")
        if raw is not None and (default is None or isinstance(default, str)):
            config[key] = raw


def _warn_unknown() -> None:
    for name in os.environ:
        key = name.removeprefix(f"{PREFIX}_")
        if key != name and key not in DEFAULTS:
            log.warning("unknown setting ignored", extra={"variable": name})


def _check_queue(config: Mapping[str, Any]) -> None:
    url = config["QUEUE_URL"]
    if url and not _is_http_url(url):
        raise ConfigError(f"{PREFIX}_QUEUE_URL must be an http(s) URL, got {url!r}")

    timeout = config["QUEUE_TIMEOUT"]
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ConfigError(f"{PREFIX}_QUEUE_TIMEOUT must be a number of seconds")
    if timeout <= 0:
        raise ConfigError(f"{PREFIX}_QUEUE_TIMEOUT must be more than 0 seconds")


def _is_http_url(value: object) -> bool:
    try:
        parts = urlsplit(value) if isinstance(value, str) else None
        return bool(parts and parts.scheme in ("http", "https") and parts.hostname)
    except ValueError:
        return False
