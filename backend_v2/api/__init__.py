"""Raptor's Flask application factory.

Raptor is the monolith and owns every path the composition root does not
mount elsewhere. It knows of Queue only what the composition root tells it
(what is mounted where, and Queue's WSGI app for in-process calls) and talks
to Queue only through Queue's client module.
"""

import re
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask import Flask, g, request
from flask.wrappers import Response

from . import config, errors, identity, views

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

# What Heroku's router sends as X-Request-ID: 20 to 200 of these characters.
_ROUTER_ID = re.compile(r"[A-Za-z0-9+/=-]{20,200}")


def create_app(
    test_config: Mapping[str, Any] | None = None,
    *,
    mounts: Mapping[str, str] | None = None,
    queue_app: "WSGIApplication | None" = None,
) -> Flask:
    """Build Raptor.

    ``test_config`` overrides the environment, for tests. ``mounts`` maps the
    path prefixes that other apps serve in the same process to their names,
    for Raptor's index. ``queue_app`` is Queue's WSGI app when it runs in this
    process; Raptor's identity client calls it without a socket.
    """
    app = Flask(__name__)
    config.load(app, test_config)
    app.extensions["raptor.mounts"] = dict(mounts or {})
    app.extensions["raptor.queue_app"] = queue_app
    identity.init_app(app)

    errors.register(app)
    app.before_request(_bind_request_id)
    app.after_request(_echo_request_id)
    app.register_blueprint(views.bp)
    return app


def _bind_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _ROUTER_ID.fullmatch(incoming) else uuid.uuid4().hex


def _echo_request_id(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id") or uuid.uuid4().hex
    return response
