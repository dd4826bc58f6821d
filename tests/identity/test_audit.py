"""The audit log: every security event, with its context, and never a secret."""

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from webtest import TestApp

PASSWORD = "a long and unusual passphrase"
NEW_PASSWORD = "an even longer and stranger passphrase"
GUESS = "somebody's guessed passphrase"
WRONG_CLIENT_SECRET = "not-the-raptor-secret"

Rows = Callable[[str], list[dict[str, Any]]]
Headers = Callable[[str], dict[str, str]]
Basic = Callable[[str, str], dict[str, str]]


@pytest.fixture
def queue_config(queue_config: dict[str, Any]) -> dict[str, Any]:
    """Limits on, and low for sign-in, so that a test can be throttled."""
    return {
        **queue_config,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_SIGNIN_PER_EMAIL": "5 per minute",
    }


def _events(stored_rows: Rows) -> list[str]:
    rows = sorted(stored_rows("queue_audit_events"), key=lambda row: row["id"])
    return [row["event"] for row in rows]


def test_security_events_are_recorded_in_order(
    queue_client: TestApp,
    make_user: Callable[..., dict[str, Any]],
    sign_in: Callable[..., str],
    bearer: Headers,
    basic: Basic,
    stored_rows: Rows,
) -> None:
    make_user()
    first, second = sign_in(), sign_in()
    queue_client.post_json(
        "/sessions", {"email": "ada@example.com", "password": GUESS}, status=401
    )
    queue_client.patch_json("/users/me", {"name": "Ada"}, headers=bearer(first))
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    queue_client.put_json("/users/me/password", change, headers=bearer(first))
    queue_client.delete("/sessions/current", headers=bearer(first))
    third = sign_in(password=NEW_PASSWORD)
    queue_client.delete("/sessions", headers=bearer(third))
    fourth = sign_in(password=NEW_PASSWORD)
    queue_client.post_json(
        "/sessions", {"email": "ada@example.com", "password": GUESS}, status=429
    )
    queue_client.delete_json(
        "/users/me", {"password": NEW_PASSWORD}, headers=bearer(fourth)
    )
    wrong = basic("raptor", WRONG_CLIENT_SECRET)
    queue_client.post(
        "/tokens/introspect", {"token": second}, headers=wrong, status=401
    )

    assert _events(stored_rows) == [
        "sign_up",
        "sign_in",
        "sign_in",
        "sign_in_failed",
        "profile_updated",
        "password_changed",
        "sign_out",
        "sign_in",
        "sign_out_everywhere",
        "sign_in",
        "throttled",
        "deactivated",
        "service_auth_failed",
    ]


def test_audit_row_carries_time_user_address_agent_and_request_id(
    queue_client: TestApp, stored_rows: Rows
) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD, "name": "Ada"}

    response = queue_client.post_json(
        "/users",
        body,
        headers={"User-Agent": "raptor-tests/1.0"},
        extra_environ={"REMOTE_ADDR": "198.51.100.7"},
    )

    [row] = stored_rows("queue_audit_events")
    assert row | {"occurred_at": None, "id": None} == {
        "id": None,
        "occurred_at": None,
        "event": "sign_up",
        "user_id": response.json["id"],
        "client_id": None,
        "ip": "198.51.100.7",
        "user_agent": "raptor-tests/1.0",
        "request_id": response.headers["X-Request-ID"],
        "details": {},
    }
    assert abs((datetime.now(UTC) - row["occurred_at"]).total_seconds()) < 5


def test_sign_in_failed_for_an_unknown_email_names_no_user(
    queue_client: TestApp, stored_rows: Rows
) -> None:
    body = {"email": "nobody@example.com", "password": GUESS}

    queue_client.post_json("/sessions", body, status=401)

    [row] = stored_rows("queue_audit_events")
    assert (row["event"], row["user_id"]) == ("sign_in_failed", None)


def test_service_auth_failed_for_an_unknown_client_names_none(
    queue_client: TestApp, basic: Basic, stored_rows: Rows
) -> None:
    # What arrives as the user name may be a secret pasted in the wrong place.
    headers = basic("billing", WRONG_CLIENT_SECRET)

    queue_client.post("/tokens/introspect", {"token": "x"}, headers=headers, status=401)

    [row] = stored_rows("queue_audit_events")
    assert (row["event"], row["client_id"]) == ("service_auth_failed", None)
    assert row["details"] == {"known_client": False}


def test_audit_and_logs_never_carry_a_secret(
    queue_app: Flask,
    queue_client: TestApp,
    make_user: Callable[..., dict[str, Any]],
    sign_in: Callable[..., str],
    bearer: Headers,
    basic: Basic,
    stored_rows: Rows,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    output = (
        queue_app.test_cli_runner()
        .invoke(args=["queue", "create-client", "billing"])
        .output
    )
    client_secret = re.search(r"Secret:\s+(\S+)", output)[1]
    make_user()
    tokens = [sign_in(), sign_in()]
    for password in [GUESS] * 4:  # the sixth sign-in is throttled
        queue_client.post_json(
            "/sessions",
            {"email": "ada@example.com", "password": password},
            expect_errors=True,
        )
    for client in (("billing", client_secret), ("raptor", WRONG_CLIENT_SECRET)):
        queue_client.post(
            "/tokens/introspect",
            {"token": tokens[0]},
            headers=basic(*client),
            expect_errors=True,
        )
    change = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    queue_client.put_json("/users/me/password", change, headers=bearer(tokens[0]))
    queue_client.delete_json(
        "/users/me", {"password": NEW_PASSWORD}, headers=bearer(tokens[0])
    )
    secrets = [PASSWORD, NEW_PASSWORD, GUESS, WRONG_CLIENT_SECRET, client_secret]
    secrets += ["raptor-dev-secret", *tokens, *(t.removeprefix("qat_") for t in tokens)]

    stored = repr(stored_rows("queue_audit_events"))
    logged = repr([(r.getMessage(), r.__dict__) for r in caplog.records])

    assert "throttled" in stored and "security event" in logged
    assert [s for s in secrets if s in stored or s in logged] == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE queue_audit_events SET event = 'nothing'",
        "UPDATE queue_audit_events SET user_id = NULL",
        "DELETE FROM queue_audit_events",
    ],
)
def test_audit_rows_cannot_be_changed_or_removed(
    user: dict[str, Any], queue_engine: Engine, stored_rows: Rows, statement: str
) -> None:
    before = stored_rows("queue_audit_events")

    with pytest.raises(DBAPIError, match="append-only"):
        with queue_engine.begin() as connection:
            connection.execute(text(statement))

    assert stored_rows("queue_audit_events") == before


@pytest.mark.postgres
def test_audit_log_cannot_be_truncated_on_postgres(
    user: dict[str, Any], queue_engine: Engine, stored_rows: Rows
) -> None:
    if queue_engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    before = stored_rows("queue_audit_events")

    with pytest.raises(DBAPIError, match="append-only"):
        with queue_engine.begin() as connection:
            connection.execute(text("TRUNCATE queue_audit_events"))

    assert stored_rows("queue_audit_events") == before
