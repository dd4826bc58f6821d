"""The composition root: Raptor and Queue as one WSGI application.

Raptor (``backend_v2``) and Queue (``queue_identity``) stay two Flask apps,
each with its own config, errors, logs and extensions. This module is the
only place that knows both. Queue is mounted at ``/api/v1`` when the start-up
flag ``FLAG_QUEUE_V1`` is on; every other path belongs to Raptor. ProxyFix
wraps the whole, once, because Heroku's router is the one hop we trust.

``gunicorn wsgi:app`` serves :data:`app`; tests call :func:`build_app` with an
environment mapping of their own. ``python -m wsgi routes`` prints the
composed route table.
"""

import logging
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

import queue_identity
from backend_v2.api import create_app as create_raptor

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger(__name__)

QUEUE_MOUNT = "/api/v1"
FLAG = "FLAG_QUEUE_V1"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Composed(ProxyFix):
    """The composed service: ProxyFix over the dispatcher, with its parts kept.

    ``raptor`` and ``queue`` are the two Flask apps, for tests and tools.
    """

    def __init__(self, raptor: Flask, queue: Flask | None) -> None:
        mounts: dict[str, WSGIApplication] = {}
        if queue is not None:
            mounts[QUEUE_MOUNT] = queue
        dispatcher = DispatcherMiddleware(raptor, mounts)
        super().__init__(dispatcher, x_for=1, x_proto=1, x_host=0, x_port=0)
        self.raptor = raptor
        self.queue = queue


def flag_enabled(environ: Mapping[str, str], name: str = FLAG) -> bool:
    """Read an on/off start-up flag; refuse anything that is neither."""
    value = environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{name} must be one of 1/true/yes/on or 0/false/no/off, got {value!r}"
    )


def build_app(
    environ: Mapping[str, str],
    *,
    raptor_config: Mapping[str, Any] | None = None,
    queue_config: Mapping[str, Any] | None = None,
) -> Composed:
    """Compose the service as ``environ``'s start-up flags ask."""
    queue = None
    if flag_enabled(environ):
        queue = queue_identity.create_app(queue_config)

    mounts = {QUEUE_MOUNT: "queue"} if queue is not None else {}
    raptor = create_raptor(raptor_config, mounts=mounts, queue_app=queue)

    log.info(
        "composed service built",
        extra={"mounts": {"/": "raptor", **mounts}, "flag": FLAG},
    )
    return Composed(raptor, queue)


def route_table(app: Composed) -> list[tuple[str, str, str]]:
    """Every public path of the composed app: (path, methods, app name)."""
    rows = []
    parts = [("", "raptor", app.raptor), (QUEUE_MOUNT, "queue", app.queue)]
    for prefix, name, flask_app in parts:
        if flask_app is None:
            continue

        for rule in flask_app.url_map.iter_rules():
            if rule.endpoint == "static":
                continue
            methods = ",".join(sorted((rule.methods or set()) - {"HEAD"}))
            rows.append((prefix + rule.rule, methods, name))
    return sorted(rows)


def _print_routes() -> None:
    rows = route_table(build_app(os.environ))
    width = max(len(path) for path, _, _ in rows)
    for path, methods, name in rows:
        print(f"{path:<{width}}  {methods:<28}  {name}")


if __name__ == "__main__":
    if sys.argv[1:] != ["routes"]:
        sys.exit("usage: python -m wsgi routes")
    _print_routes()
else:
    app = build_app(os.environ)
