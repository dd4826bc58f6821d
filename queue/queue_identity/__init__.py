"""Queue, the identity service, as its own Flask application.

``create_app`` builds Queue alone: its config from ``QUEUE_*`` variables, its
own error handlers, database, rate limiter and CLI. The same app object runs
standalone (``queue_identity.wsgi``) or mounted at ``/api/v1`` by the
composition root; it never assumes which.
"""

from collections.abc import Mapping
from typing import Any

from flask import Flask, g, redirect, request
from flask_cors import CORS
from werkzeug.wrappers import Response

from . import audit, cli, config, db, errors, middleware, ratelimit, security, views


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build Queue; ``test_config`` overrides the environment, for tests."""
    app = Flask(__name__)
    config.load(app, test_config)
    errors.register(app)
    db.init_app(app)
    audit.init_app(app)
    security.init_app(app)

    app.before_request(_bind_request)
    app.register_blueprint(views.bp)
    ratelimit.init_app(app)
    cli.init_app(app)
    _allow_origins(app)

    contained = middleware.ContainBodyErrors(app.wsgi_app)
    capped = middleware.InFlightCap(contained, app.config["MAX_IN_FLIGHT"])
    app.wsgi_app = middleware.RequestId(capped)  # type: ignore[method-assign]
    return app


def _allow_origins(app: Flask) -> None:
    # Browsers on other origins may call Queue only where an operator said so.
    origins = [o.strip() for o in app.config["CORS_ORIGINS"].split(",") if o.strip()]
    if origins:
        CORS(
            app,
            origins=origins,
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["Location", "Retry-After", "X-Request-ID"],
        )


def _bind_request() -> Response | None:
    g.request_id = request.environ.get(middleware.ENVIRON_KEY)

    # Mounted at /api/v1, a request for exactly "/api/v1" arrives with an
    # empty PATH_INFO; send it to the index under the same prefix and scheme.
    if request.environ.get("PATH_INFO", "") == "":
        query = request.query_string.decode("latin-1")
        target = request.url_root + (f"?{query}" if query else "")
        response = redirect(target, code=308)
        response.set_data(b"")
        return response
    return None
