"""Raptor's GET /account: the identity guard in front of Queue's client.

Queue here is the stand-in from the contract suite, a real WSGI app that can
be made slow, down or strict; the contract suite proves the real Queue
answers the same way.
"""

import time
from typing import Any

import pytest
from webtest import TestApp

from backend_v2.api import create_app as create_raptor
from tests.contract.stub_queue import LIVE_TOKEN, USER, Behaviour, serve, stub_queue
from tests.servers import free_port

MOUNTS = {"/api/v1": "queue"}
REQUEST_ID = "raptor-test-0123456789-abc"


@pytest.fixture
def behaviour() -> Behaviour:
    return Behaviour()


def raptor(behaviour: Behaviour | None, **config: Any) -> TestApp:
    """Raptor in development, with the stand-in Queue in-process if given."""
    queue_app = stub_queue(behaviour) if behaviour is not None else None
    app = create_raptor({"ENV": "development", **config}, queue_app=queue_app)
    return TestApp(app)


def bearer(token: str = LIVE_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: Any, status: int, slug: str) -> None:
    assert response.status_int == status
    assert response.content_type == "application/problem+json"
    assert response.json["type"].endswith("/" + slug)
    assert response.json["request_id"] == response.headers["X-Request-ID"]


def test_account_live_token_answers_the_caller(behaviour: Behaviour) -> None:
    response = raptor(behaviour).get("/account", headers=bearer())

    assert response.json == {
        "id": USER["id"],
        "email": USER["email"],
        "name": USER["name"],
        "token_expires_at": "2030-03-17T17:46:40+00:00",
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_account_passes_the_request_id_to_queue(behaviour: Behaviour) -> None:
    headers = {**bearer(), "X-Request-ID": REQUEST_ID}

    response = raptor(behaviour).get("/account", headers=headers)

    assert response.headers["X-Request-ID"] == REQUEST_ID
    assert behaviour.seen[-1]["X-Request-Id"] == REQUEST_ID


def test_account_authenticates_to_queue_as_raptor(behaviour: Behaviour) -> None:
    raptor(behaviour).get("/account", headers=bearer())

    assert behaviour.seen[-1]["Authorization"].startswith("Basic ")


def test_account_without_token_is_401(behaviour: Behaviour) -> None:
    response = raptor(behaviour).get("/account", status=401)

    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer realm=raptor"
    assert behaviour.seen == []


@pytest.mark.parametrize(
    "header",
    ["Basic cmFwdG9yOng=", "Bearer", "Bearer two words", "Token abc", "Bearer ä"],
)
def test_account_malformed_authorization_is_401(
    behaviour: Behaviour, header: str
) -> None:
    headers = {"Authorization": header}

    response = raptor(behaviour).get("/account", headers=headers, status=401)

    assert_problem(response, 401, "unauthorized")
    assert behaviour.seen == []


def test_account_inactive_token_is_401_invalid_token(behaviour: Behaviour) -> None:
    app = raptor(behaviour)

    response = app.get("/account", headers=bearer("qat_revoked"), status=401)

    assert_problem(response, 401, "unauthorized")
    assert "error=invalid_token" in response.headers["WWW-Authenticate"]


def test_account_queue_disabled_is_503() -> None:
    response = raptor(None).get("/account", headers=bearer(), status=503)

    assert_problem(response, 503, "identity-unavailable")
    assert "not configured" in response.json["detail"]


def test_account_queue_unreachable_is_503() -> None:
    app = raptor(None, QUEUE_URL=f"http://127.0.0.1:{free_port()}")

    response = app.get("/account", headers=bearer(), status=503)

    assert_problem(response, 503, "identity-unavailable")


@pytest.mark.parametrize("transport", ["in-process", "http"])
def test_account_queue_slower_than_timeout_is_503(
    behaviour: Behaviour, transport: str
) -> None:
    behaviour.delay = 1.0
    with serve(stub_queue(behaviour)) as url:
        where = {"QUEUE_URL": url} if transport == "http" else {}
        app = raptor(behaviour, QUEUE_TIMEOUT=0.2, **where)
        started = time.monotonic()

        response = app.get("/account", headers=bearer(), status=503)

        assert time.monotonic() - started < 0.9
    assert_problem(response, 503, "identity-unavailable")


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_account_queue_failing_is_503(behaviour: Behaviour, status: int) -> None:
    behaviour.status = status

    response = raptor(behaviour).get("/account", headers=bearer(), status=503)

    assert_problem(response, 503, "identity-unavailable")


def test_account_queue_refusing_raptor_is_503(behaviour: Behaviour) -> None:
    app = raptor(behaviour, QUEUE_CLIENT_SECRET="not-the-secret")

    response = app.get("/account", headers=bearer(), status=503)

    assert_problem(response, 503, "identity-unavailable")


def test_account_queue_url_wins_over_queue_in_process(behaviour: Behaviour) -> None:
    app = raptor(behaviour, QUEUE_URL=f"http://127.0.0.1:{free_port()}")

    app.get("/account", headers=bearer(), status=503)

    assert behaviour.seen == []


@pytest.mark.parametrize("path", ["/", "/healthz"])
def test_other_routes_untouched_when_queue_is_down(path: str) -> None:
    down = raptor(None, QUEUE_URL=f"http://127.0.0.1:{free_port()}")
    disabled = raptor(None)

    assert down.get(path).json == disabled.get(path).json
