"""What services may ask Queue: who holds a token, and who a user is."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, text
from webtest import TestApp

PASSWORD = "a long and unusual passphrase"

Headers = Callable[[str], dict[str, str]]
Basic = Callable[[str, str], dict[str, str]]


@dataclass
class Queue:
    """What a test needs to put a token out of use."""

    client: TestApp
    app: Flask
    engine: Engine
    bearer: Headers
    rewrite_token: Callable[..., None]


@pytest.fixture
def queue(
    queue_client: TestApp,
    queue_app: Flask,
    queue_engine: Engine,
    bearer: Headers,
    rewrite_token: Callable[..., None],
) -> Queue:
    return Queue(queue_client, queue_app, queue_engine, bearer, rewrite_token)


def test_introspect_live_token_describes_it(
    queue_client: TestApp,
    user: dict[str, Any],
    introspect: Callable[..., Any],
) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD}
    session = queue_client.post_json("/sessions", body, status=201).json

    response = introspect(session["access_token"])

    answer = response.json
    assert response.content_type == "application/json"
    assert answer == {
        "active": True,
        "sub": user["id"],
        "email": "ada@example.com",
        "name": "Ada Lovelace",
        "exp": int(datetime.fromisoformat(session["expires_at"]).timestamp()),
        "iat": answer["iat"],
        "token_type": "Bearer",
        "client_id": "queue",
    }
    assert abs(answer["iat"] - datetime.now(UTC).timestamp()) < 5


def _unknown(queue: Queue, token: str) -> str:
    return "qat_" + "A" * 43


def _revoked(queue: Queue, token: str) -> str:
    queue.client.delete("/sessions/current", headers=queue.bearer(token), status=204)
    return token


def _idle(queue: Queue, token: str) -> str:
    queue.rewrite_token(token, last_used_at=-queue.app.config["TOKEN_IDLE_TTL"] - 1)
    return token


def _past_absolute_expiry(queue: Queue, token: str) -> str:
    queue.rewrite_token(token, last_used_at=0, expires_at=-1)
    return token


def _user_deactivated(queue: Queue, token: str) -> str:
    queue.client.delete_json(
        "/users/me", {"password": PASSWORD}, headers=queue.bearer(token), status=204
    )
    return token


def _user_deactivated_tokens_left(queue: Queue, token: str) -> str:
    # As if the revocation had failed: the user's state alone must suffice.
    with queue.engine.begin() as connection:
        connection.execute(text("UPDATE queue_users SET deactivated_at = created_at"))
    return token


@pytest.mark.parametrize(
    "kill",
    [
        pytest.param(_unknown, id="unknown"),
        pytest.param(_revoked, id="revoked"),
        pytest.param(_idle, id="idle"),
        pytest.param(_past_absolute_expiry, id="absolute"),
        pytest.param(_user_deactivated, id="deactivated"),
        pytest.param(_user_deactivated_tokens_left, id="deactivated-unrevoked"),
    ],
)
def test_introspect_dead_token_is_only_inactive(
    queue: Queue,
    token: str,
    introspect: Callable[..., Any],
    kill: Callable[[Queue, str], str],
) -> None:
    response = introspect(kill(queue, token), status=200)

    assert response.json == {"active": False}


def test_introspect_without_token_field_is_400(
    queue_client: TestApp, basic: Basic
) -> None:
    response = queue_client.post(
        "/tokens/introspect",
        {"tok": "x"},
        headers=basic("raptor", "raptor-dev-secret"),
        status=400,
    )

    assert response.json["errors"] == [{"field": "token", "message": "is required"}]


SERVICE_FAILURES = [
    pytest.param({}, id="no-credentials"),
    pytest.param({"client": ("raptor", "wrong-secret")}, id="wrong-secret"),
    pytest.param({"client": ("nobody", "raptor-dev-secret")}, id="unknown-client"),
    pytest.param({"client": ("raptor", "")}, id="empty-secret"),
]


@pytest.mark.parametrize("credentials", SERVICE_FAILURES)
def test_introspect_without_a_service_client_is_401(
    queue_client: TestApp, token: str, basic: Basic, credentials: dict[str, Any]
) -> None:
    headers = basic(*credentials["client"]) if credentials else {}

    response = queue_client.post(
        "/tokens/introspect", {"token": token}, headers=headers, status=401
    )

    assert response.headers["WWW-Authenticate"] == 'Basic realm="queue"'
    assert "active" not in response.json


def test_introspect_with_a_bearer_token_instead_is_401(
    queue_client: TestApp, token: str, bearer: Headers
) -> None:
    queue_client.post(
        "/tokens/introspect", {"token": token}, headers=bearer(token), status=401
    )


def test_get_user_answers_services_with_its_state(
    queue_client: TestApp,
    user: dict[str, Any],
    token: str,
    bearer: Headers,
    basic: Basic,
) -> None:
    service = basic("raptor", "raptor-dev-secret")
    queue_client.delete_json(
        "/users/me", {"password": PASSWORD}, headers=bearer(token), status=204
    )

    found = queue_client.get(f"/users/{user['id']}", headers=service).json

    assert found == {**user, "active": False}


def test_get_user_unknown_id_is_404(queue_client: TestApp, basic: Basic) -> None:
    service = basic("raptor", "raptor-dev-secret")

    response = queue_client.get("/users/no-such-user", headers=service, status=404)

    assert response.json["type"].endswith("/user-not-found")


@pytest.mark.parametrize("credentials", SERVICE_FAILURES)
def test_get_user_without_a_service_client_is_401(
    queue_client: TestApp,
    user: dict[str, Any],
    basic: Basic,
    credentials: dict[str, Any],
) -> None:
    headers = basic(*credentials["client"]) if credentials else {}

    response = queue_client.get(f"/users/{user['id']}", headers=headers, status=401)

    assert "email" not in response.json


def test_get_user_refuses_an_end_users_token(
    queue_client: TestApp, user: dict[str, Any], token: str, bearer: Headers
) -> None:
    queue_client.get(f"/users/{user['id']}", headers=bearer(token), status=401)
