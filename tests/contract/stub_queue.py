"""A stand-in Queue that answers the contract, and misbehaves on request.

It is a real WSGI app, small enough to read at a glance, for the cases the
real Queue cannot be made to show on demand: slowness, outages, malformed
answers. :func:`serve` puts any WSGI app on a loopback port, so that the
same stand-in can be reached in-process and over HTTP.
"""

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, request
from werkzeug.serving import make_server

CLIENT_ID = "raptor"
CLIENT_SECRET = "raptor-dev-secret"
LIVE_TOKEN = "qat_live-token-for-tests"
USER = {
    "id": "5f0c6c9e-2b1e-4c1a-9a55-3d7c2a4f8e10",
    "email": "ada@example.com",
    "name": "Ada",
    "created_at": "2024-05-01T12:00:00+00:00",
}
INTROSPECTION = {
    "active": True,
    "sub": USER["id"],
    "email": USER["email"],
    "name": USER["name"],
    "exp": 1_900_000_000,
    "iat": 1_800_000_000,
    "token_type": "Bearer",
    "client_id": "queue-web",
}


@dataclass
class Behaviour:
    """What the stand-in does: answer properly, or fail in one chosen way."""

    delay: float = 0.0  # seconds before every answer
    status: int | None = None  # answer every request with this status
    body: str | None = None  # ... and this raw body
    ready: bool = True
    seen: list[dict[str, str]] = field(default_factory=list)  # request headers


def stub_queue(behaviour: Behaviour) -> Flask:
    """A Flask app speaking Queue's contract as ``behaviour`` says."""
    app = Flask(__name__)

    @app.before_request
    def misbehave() -> Response | None:
        behaviour.seen.append(dict(request.headers))
        time.sleep(behaviour.delay)
        if behaviour.status is None:
            return None
        return Response(behaviour.body or "", status=behaviour.status)

    @app.post("/tokens/introspect")
    def introspect() -> Any:
        refused = _refuse_service()
        if refused is not None:
            return refused
        if request.form.get("token") == LIVE_TOKEN:
            return INTROSPECTION
        return {"active": False}

    @app.get("/users/<user_id>")
    def get_user(user_id: str) -> Any:
        refused = _refuse_service()
        if refused is not None:
            return refused
        if user_id == USER["id"]:
            return USER
        return _problem(404, "User not found.")

    @app.get("/readyz")
    def readyz() -> Any:
        if behaviour.ready:
            return {"status": "ok", "checks": {}}
        return {"status": "unavailable", "checks": {"database": "down"}}, 503

    return app


def _refuse_service() -> Response | None:
    auth = request.authorization
    if auth and (auth.username, auth.password) == (CLIENT_ID, CLIENT_SECRET):
        return None

    response = _problem(401, "Authenticate as a service client.")
    response.headers["WWW-Authenticate"] = 'Basic realm="queue"'
    return response


def _problem(status: int, detail: str) -> Response:
    body = {"type": "about:blank", "title": "", "status": status, "detail": detail}
    return Response(json.dumps(body), status, mimetype="application/problem+json")


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve the WSGI ``app`` on a free loopback port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll, so that shutting down takes milliseconds, not half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
