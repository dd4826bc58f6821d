"""Every error either app answers, and the request id that ties it to the logs.

Both apps must fail in one shape, ``application/problem+json`` with exactly
the RFC 9457 members plus ``request_id``, whatever raised: routing, werkzeug's
request parsing, or a view. Test-only routes are added to both apps of a fresh
composed service before it serves its first request.
"""

import logging
import re
from typing import Any

import pytest
from flask import Flask, abort, request
from webtest import TestApp, TestResponse

import wsgi

MEMBERS = {"type", "title", "status", "detail", "request_id"}
SECRET = "connection string postgres://admin:hunter2@db"

# The prefix each app is reached under, and the problem types it owns.
APPS = [
    pytest.param("", "https://raptor.invalid/", id="raptor"),
    pytest.param("/api/v1", "https://queue.invalid/", id="queue"),
]

ROUTER_ID = re.compile(r"[A-Za-z0-9+/=-]{20,200}")


def _add_test_routes(app: Flask) -> None:
    @app.post("/test-json")
    def read_json() -> dict[str, int]:
        return {"length": len(request.get_json())}

    @app.get("/test-raise")
    def raise_error() -> str:
        raise RuntimeError(SECRET)

    @app.get("/test-private")
    def private() -> str:
        abort(401)


@pytest.fixture
def client(composed: wsgi.Composed) -> TestApp:
    """The composed service, with the test routes on Raptor and Queue."""
    assert composed.queue is not None
    _add_test_routes(composed.raptor)
    _add_test_routes(composed.queue)
    return TestApp(composed)


def _app_for(composed: wsgi.Composed, prefix: str) -> Flask:
    app = composed.queue if prefix else composed.raptor
    assert app is not None
    return app


def assert_problem(
    response: TestResponse, status: int, type_base: str
) -> dict[str, Any]:
    """Check the one error shape and return its body."""
    assert response.status_int == status
    assert response.content_type == "application/problem+json"

    body = response.json
    assert set(body) == MEMBERS
    assert body["type"].startswith(type_base)
    assert body["status"] == status
    assert body["title"] and isinstance(body["detail"], str)
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_unknown_path_is_problem_404(
    client: TestApp, prefix: str, type_base: str
) -> None:
    response = client.get(f"{prefix}/no-such-page", status=404)

    assert_problem(response, 404, type_base)


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_wrong_method_is_problem_405_with_allow(
    client: TestApp, prefix: str, type_base: str
) -> None:
    response = client.delete(f"{prefix}/healthz", status=405)

    assert_problem(response, 405, type_base)
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS"}


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_body_above_the_apps_limit_is_problem_413(
    client: TestApp, composed: wsgi.Composed, prefix: str, type_base: str
) -> None:
    limit = _app_for(composed, prefix).config["MAX_CONTENT_LENGTH"]
    body = b'"' + b"a" * limit + b'"'

    response = client.post(
        f"{prefix}/test-json", body, content_type="application/json", status=413
    )

    assert_problem(response, 413, type_base)


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_body_at_the_apps_limit_is_read(
    client: TestApp, composed: wsgi.Composed, prefix: str, type_base: str
) -> None:
    limit = _app_for(composed, prefix).config["MAX_CONTENT_LENGTH"]
    body = b'"' + b"a" * (limit - 2) + b'"'

    response = client.post(f"{prefix}/test-json", body, content_type="application/json")

    assert response.json == {"length": limit - 2}


def test_queue_limit_does_not_bind_raptor(
    client: TestApp, composed: wsgi.Composed
) -> None:
    assert composed.queue is not None
    size = composed.queue.config["MAX_CONTENT_LENGTH"] * 2
    body = b'"' + b"a" * size + b'"'

    client.post("/api/v1/test-json", body, content_type="application/json", status=413)
    response = client.post("/test-json", body, content_type="application/json")

    assert response.json == {"length": size}


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_malformed_json_is_problem_400(
    client: TestApp, prefix: str, type_base: str
) -> None:
    response = client.post(
        f"{prefix}/test-json", b'{"a": ', content_type="application/json", status=400
    )

    assert_problem(response, 400, type_base)


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_non_json_content_type_is_problem_415(
    client: TestApp, prefix: str, type_base: str
) -> None:
    response = client.post(
        f"{prefix}/test-json", b'{"a": 1}', content_type="text/plain", status=415
    )

    assert_problem(response, 415, type_base)


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_abort_401_is_problem_401(client: TestApp, prefix: str, type_base: str) -> None:
    response = client.get(f"{prefix}/test-private", status=401)

    assert_problem(response, 401, type_base)


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_raising_view_is_problem_500_without_internals(
    client: TestApp, prefix: str, type_base: str
) -> None:
    # The app logs the failure; expect_errors lets WebTest accept that.
    response = client.get(f"{prefix}/test-raise", status=500, expect_errors=True)

    body = assert_problem(response, 500, type_base)
    assert body["type"] == type_base + "problems/internal-error"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_raising_view_is_logged_once_with_traceback(
    client: TestApp, caplog: pytest.LogCaptureFixture, prefix: str, type_base: str
) -> None:
    with caplog.at_level(logging.INFO):
        client.get(f"{prefix}/test-raise", status=500, expect_errors=True)

    logged = [record for record in caplog.records if record.exc_info]
    assert [record.getMessage() for record in logged] == ["unhandled exception"]
    assert str(logged[0].exc_info[1]) == SECRET  # type: ignore[index]


@pytest.mark.parametrize("path", ["/healthz", "/test-private"])
@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_options_answers_allow_without_cors(
    client: TestApp, prefix: str, type_base: str, path: str
) -> None:
    preflight = {
        "Origin": "https://elsewhere.example",
        "Access-Control-Request-Method": "GET",
    }

    response = client.options(prefix + path, headers=preflight, status=200)

    assert "GET" in response.headers["Allow"]
    assert not [k for k in response.headers if k.lower().startswith("access-control")]


# Heroku's router sends ids of 20 to 200 characters from this alphabet.
KEPT_IDS = [
    pytest.param("a" * 20, id="shortest"),
    pytest.param("Z" * 200, id="longest"),
    pytest.param("4f9c2b7e-1d3a-4e8f-9b6c-0a2d5e7f1c3b", id="uuid"),
    pytest.param("AbC+/=-0123456789xyzXYZ", id="every-kind-of-character"),
]
REPLACED_IDS = [
    pytest.param("a" * 19, id="too-short"),
    pytest.param("a" * 201, id="too-long"),
    pytest.param("request id with spaces", id="spaces"),
    pytest.param("request_id_with_underscores", id="underscore"),
    pytest.param("request.id.with.dots.here", id="dots"),
    pytest.param("<script>alert(1)</script>", id="markup"),
]


@pytest.mark.parametrize("incoming", KEPT_IDS)
@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_router_request_id_is_echoed(
    client: TestApp, prefix: str, type_base: str, incoming: str
) -> None:
    headers = {"X-Request-ID": incoming}

    ok = client.get(f"{prefix}/healthz", headers=headers)
    failed = client.get(f"{prefix}/no-such-page", headers=headers, status=404)

    assert ok.headers["X-Request-ID"] == incoming
    assert assert_problem(failed, 404, type_base)["request_id"] == incoming


@pytest.mark.parametrize("incoming", REPLACED_IDS)
@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_malformed_request_id_is_replaced(
    client: TestApp, prefix: str, type_base: str, incoming: str
) -> None:
    headers = {"X-Request-ID": incoming}

    ok = client.get(f"{prefix}/healthz", headers=headers)
    failed = client.get(f"{prefix}/no-such-page", headers=headers, status=404)

    for response in (ok, failed):
        assert response.headers["X-Request-ID"] != incoming
        assert ROUTER_ID.fullmatch(response.headers["X-Request-ID"])
    assert assert_problem(failed, 404, type_base)["request_id"] != incoming


@pytest.mark.parametrize(("prefix", "type_base"), APPS)
def test_missing_request_id_is_generated_per_request(
    client: TestApp, prefix: str, type_base: str
) -> None:
    first = client.get(f"{prefix}/no-such-page", status=404)
    second = client.get(f"{prefix}/no-such-page", status=404)

    ids = {assert_problem(r, 404, type_base)["request_id"] for r in (first, second)}
    assert len(ids) == 2
    assert all(ROUTER_ID.fullmatch(request_id) for request_id in ids)
