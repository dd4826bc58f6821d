"""Signing in and out: one token per sign-in, one answer for every failure."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from webtest import TestApp

PASSWORD = "a long and unusual passphrase"

Rows = Callable[[str], list[dict[str, Any]]]
Headers = Callable[[str], dict[str, str]]


def test_sign_in_answers_a_bearer_token(
    queue_client: TestApp, queue_app: Flask, user: dict[str, Any]
) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD}

    session = queue_client.post_json("/sessions", body, status=201).json

    ttl = queue_app.config["TOKEN_ABSOLUTE_TTL"]
    expires_at = datetime.fromisoformat(session["expires_at"])
    assert set(session) == {"access_token", "token_type", "expires_in", "expires_at"}
    assert session["token_type"] == "Bearer"
    assert ttl - 5 <= session["expires_in"] <= ttl
    drift = expires_at - datetime.now(UTC) - timedelta(seconds=ttl)
    assert abs(drift.total_seconds()) < 5


def test_sign_in_finds_the_email_in_any_case(
    queue_client: TestApp, user: dict[str, Any]
) -> None:
    body = {"email": "  ADA@Example.com ", "password": PASSWORD}

    queue_client.post_json("/sessions", body, status=201)


def test_sign_in_failures_answer_one_identical_401(
    queue_client: TestApp,
    make_user: Callable[..., dict[str, Any]],
    sign_in: Callable[..., str],
    bearer: Headers,
) -> None:
    make_user()
    make_user(email="gone@example.com")
    gone = sign_in("gone@example.com")
    queue_client.delete_json("/users/me", {"password": PASSWORD}, headers=bearer(gone))
    attempts = {
        "unknown email": {"email": "nobody@example.com", "password": PASSWORD},
        "wrong password": {"email": "ada@example.com", "password": PASSWORD + "!"},
        "deactivated": {"email": "gone@example.com", "password": PASSWORD},
    }

    answers = set()
    for attempt in attempts.values():
        response = queue_client.post_json("/sessions", attempt, status=401)
        headers = {k: v for k, v in response.headers.items() if k != "X-Request-ID"}
        body = {k: v for k, v in response.json.items() if k != "request_id"}
        answers.add((repr(sorted(headers.items())), repr(sorted(body.items()))))

    assert len(answers) == 1


def test_sign_in_failure_issues_no_token(
    queue_client: TestApp, user: dict[str, Any], stored_rows: Rows
) -> None:
    body = {"email": "ada@example.com", "password": "not the right passphrase"}

    queue_client.post_json("/sessions", body, status=401)

    assert stored_rows("queue_tokens") == []


def test_each_sign_in_issues_a_new_token(
    token: str, sign_in: Callable[..., str], stored_rows: Rows
) -> None:
    assert sign_in() != token
    assert len(stored_rows("queue_tokens")) == 2


def test_sign_out_kills_only_the_current_token(
    queue_client: TestApp, token: str, sign_in: Callable[..., str], bearer: Headers
) -> None:
    other = sign_in()

    response = queue_client.delete("/sessions/current", headers=bearer(token))

    assert response.status_int == 204
    assert response.body == b""
    queue_client.get("/users/me", headers=bearer(token), status=401)
    queue_client.get("/users/me", headers=bearer(other), status=200)


def test_sign_out_of_a_dead_token_is_401(
    queue_client: TestApp, token: str, bearer: Headers
) -> None:
    queue_client.delete("/sessions/current", headers=bearer(token), status=204)

    queue_client.delete("/sessions/current", headers=bearer(token), status=401)


def test_sign_out_everywhere_spares_other_users(
    queue_client: TestApp,
    make_user: Callable[..., dict[str, Any]],
    sign_in: Callable[..., str],
    bearer: Headers,
) -> None:
    make_user()
    make_user(email="grace@example.com", name="Grace Hopper")
    mine = [sign_in(), sign_in()]
    grace = sign_in("grace@example.com")

    queue_client.delete("/sessions", headers=bearer(mine[0]), status=204)

    for token in mine:
        queue_client.get("/users/me", headers=bearer(token), status=401)
    queue_client.get("/users/me", headers=bearer(grace), status=200)


def test_sign_in_after_sign_out_everywhere_works(
    queue_client: TestApp, token: str, sign_in: Callable[..., str], bearer: Headers
) -> None:
    queue_client.delete("/sessions", headers=bearer(token), status=204)

    fresh = sign_in()

    queue_client.get("/users/me", headers=bearer(fresh), status=200)


def test_bearer_scheme_name_ignores_case(queue_client: TestApp, token: str) -> None:
    for scheme in ("bearer", "BEARER", "Bearer"):
        headers = {"Authorization": f"{scheme} {token}"}

        assert queue_client.get("/users/me", headers=headers).status_int == 200
