"""A failure inside Queue stays inside Queue.

Raptor and Queue share a process and a worker pool, so a Queue failure must
end as Queue's own JSON 500 and leave the worker fit to serve Raptor next.
The production factories refuse the Flask switches that would let an
exception escape into the server instead.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, Response, request
from webtest import TestApp
from werkzeug.test import EnvironBuilder, run_wsgi_app

import queue_identity
import wsgi
from backend_v2.api import create_app as create_raptor
from backend_v2.api.config import ConfigError as RaptorConfigError
from queue_identity.config import ConfigError as QueueConfigError

QUEUE_INTERNAL_ERROR = "https://queue.invalid/problems/internal-error"
SWITCHES = ["DEBUG", "TESTING", "PROPAGATE_EXCEPTIONS"]


def _fail(where: str) -> None:
    raise RuntimeError(f"queue failed {where}")


def _add_failing_routes(app: Flask) -> None:
    closed = app.extensions.setdefault("test.closed", [])

    @app.get("/test-view-fails")
    def view_fails() -> str:
        _fail("in a view")
        return ""

    @app.get("/test-hook-fails")
    def hook_fails() -> str:
        return "the hooks fail around this view"

    @app.get("/test-body-fails-early")
    def body_fails_early() -> Response:
        def body() -> Iterator[bytes]:
            _fail("before the first chunk")
            yield b"never sent"

        return Response(body())

    @app.get("/test-body-fails-late")
    def body_fails_late() -> Response:
        def body() -> Iterator[bytes]:
            yield b"first chunk"
            _fail("after the first chunk")

        return Response(body())

    @app.get("/test-body-closes")
    def body_closes() -> Response:
        response = Response(iter([b"body with a close callback"]))
        response.call_on_close(lambda: closed.append(True))
        return response

    @app.before_request
    def before() -> None:
        if request.path == "/test-hook-fails" and request.args.get("in") == "before":
            _fail("before the request")

    @app.after_request
    def after(response: Response) -> Response:
        if request.path == "/test-hook-fails" and request.args.get("in") == "after":
            _fail("after the request")
        return response


def _start_nothing(
    status: str, headers: list[tuple[str, str]], exc_info: Any = None
) -> Callable[[bytes], object]:
    return lambda data: None


@pytest.fixture
def failing(composed: wsgi.Composed) -> wsgi.Composed:
    """The composed service, with routes that fail in each part of Queue."""
    assert composed.queue is not None
    _add_failing_routes(composed.queue)
    return composed


@pytest.mark.parametrize(
    "path",
    [
        "/test-view-fails",
        "/test-hook-fails?in=before",
        "/test-hook-fails?in=after",
        "/test-body-fails-early",
    ],
    ids=["view", "before-request", "after-request", "body-before-first-chunk"],
)
def test_queue_failure_is_queue_500_and_raptor_still_serves(
    failing: wsgi.Composed, path: str
) -> None:
    client = TestApp(failing)

    # Queue logs the failure; expect_errors lets WebTest accept that.
    failed = client.get("/api/v1" + path, status=500, expect_errors=True)
    after = client.get("/")

    assert failed.content_type == "application/problem+json"
    assert failed.json["type"] == QUEUE_INTERNAL_ERROR
    assert failed.json["request_id"] == failed.headers["X-Request-ID"]
    assert "queue failed" not in failed.text
    assert after.json["service"] == "raptor"


def test_hooks_fail_only_when_asked(failing: wsgi.Composed) -> None:
    response = TestApp(failing).get("/api/v1/test-hook-fails")

    assert response.text == "the hooks fail around this view"


def test_body_failing_after_first_chunk_propagates_to_server(
    failing: wsgi.Composed,
) -> None:
    environ = EnvironBuilder(path="/api/v1/test-body-fails-late").get_environ()
    body, status, _ = run_wsgi_app(failing, environ)
    received: list[bytes] = []

    # The status is out with the first chunk; only the server can still
    # tell the client, by closing the connection on a short body.
    with pytest.raises(RuntimeError, match="after the first chunk"):
        received.extend(body)
    body.close()  # type: ignore[attr-defined]

    assert status == "200 OK"
    assert received == [b"first chunk"]
    assert TestApp(failing).get("/").json["service"] == "raptor"


def test_queue_body_is_closed_when_server_closes_unread(
    failing: wsgi.Composed,
) -> None:
    assert failing.queue is not None
    closed = failing.queue.extensions["test.closed"]
    environ = EnvironBuilder(path="/api/v1/test-body-closes").get_environ()

    # A server that gives up before reading, on a client gone early, must
    # still reach the app's close(): files and sessions are released there.
    body = failing(environ, _start_nothing)
    body.close()  # type: ignore[attr-defined]

    assert closed == [True]


def test_queue_body_is_closed_once_after_a_full_read(
    failing: wsgi.Composed,
) -> None:
    assert failing.queue is not None
    closed = failing.queue.extensions["test.closed"]

    response = TestApp(failing).get("/api/v1/test-body-closes")

    assert response.body == b"body with a close callback"
    assert closed == [True]


def _queue_production(queue_config: dict[str, Any], **overrides: Any) -> Flask:
    config = {
        **queue_config,
        "ENV": "production",
        "SECRET_KEY": "queue-test-secret-key",
        "RAPTOR_CLIENT_SECRET": "raptor-test-client-secret",
        **overrides,
    }
    return queue_identity.create_app(config)


def _raptor_production(**overrides: Any) -> Flask:
    config = {
        "ENV": "production",
        "SECRET_KEY": "raptor-test-secret-key",
        "QUEUE_CLIENT_SECRET": "raptor-test-client-secret",
        **overrides,
    }
    return create_raptor(config)


@pytest.mark.parametrize("switch", SWITCHES)
def test_queue_production_refuses_switch(
    queue_config: dict[str, Any], switch: str
) -> None:
    with pytest.raises(QueueConfigError, match=f"QUEUE_{switch}"):
        _queue_production(queue_config, **{switch: True})


@pytest.mark.parametrize("switch", SWITCHES)
def test_raptor_production_refuses_switch(switch: str) -> None:
    with pytest.raises(RaptorConfigError, match=f"RAPTOR_{switch}"):
        _raptor_production(**{switch: True})


@pytest.mark.parametrize("switch", SWITCHES)
def test_production_refuses_switch_from_environment(
    queue_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch, switch: str
) -> None:
    monkeypatch.setenv(f"QUEUE_{switch}", "true")
    monkeypatch.setenv(f"RAPTOR_{switch}", "true")

    with pytest.raises(QueueConfigError, match=f"QUEUE_{switch}"):
        _queue_production(queue_config)
    with pytest.raises(RaptorConfigError, match=f"RAPTOR_{switch}"):
        _raptor_production()


def test_production_factories_start_with_switches_off(
    queue_config: dict[str, Any],
) -> None:
    for app in (_queue_production(queue_config), _raptor_production()):
        assert not app.debug
        assert not app.testing
        assert not app.config["PROPAGATE_EXCEPTIONS"]


def test_production_queue_answers_500_instead_of_raising(
    queue_config: dict[str, Any],
) -> None:
    queue = _queue_production(queue_config)
    _add_failing_routes(queue)
    raptor = _raptor_production()
    client = TestApp(wsgi.Composed(raptor, queue))

    failed = client.get("/api/v1/test-view-fails", status=500, expect_errors=True)

    assert failed.json["type"] == QUEUE_INTERNAL_ERROR
    assert client.get("/").json["service"] == "raptor"
