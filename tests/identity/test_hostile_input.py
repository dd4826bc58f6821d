"""Input an attacker or a careless client sends: a clear 4xx, nothing stored,
and nothing secret in the logs, on SQLite and on Postgres alike."""

import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.exc import StatementError
from webtest import TestApp

from queue_identity import audit, db, services

PASSWORD = "a long and unusual passphrase"
Rows = Callable[[str], list[dict[str, Any]]]
Basic = Callable[[str, str], dict[str, str]]


@pytest.mark.parametrize(
    "name",
    ["a\u0000b", "\u202eevil", "\u200b", "\u0301\u0301", "line\nbreak", "\ud800"],
    ids=[
        "nul",
        "rtl-override",
        "zero-width-only",
        "marks-only",
        "newline",
        "surrogate",
    ],
)
def test_name_with_unprintable_characters_is_422(
    queue_client: TestApp, stored_rows: Rows, name: str
) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD, "name": name}

    response = queue_client.post_json("/users", body, status=422)

    assert response.json["errors"][0]["field"] == "name"
    assert stored_rows("queue_users") == []


def test_name_with_accents_and_emoji_is_kept(queue_client: TestApp) -> None:
    body = {"email": "zo@example.com", "password": PASSWORD, "name": "Zoë 🦖 Ñandú"}

    assert queue_client.post_json("/users", body).json["name"] == "Zoë 🦖 Ñandú"


@pytest.mark.parametrize("user_id", ["%00", "not-a-uuid", "1" * 500])
def test_user_lookup_with_a_malformed_id_is_404(
    queue_client: TestApp, basic: Basic, user_id: str
) -> None:
    headers = basic("raptor", "raptor-dev-secret")

    response = queue_client.get(f"/users/{user_id}", headers=headers, status=404)

    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize(
    "username", ["a" * 100, "nul\u0000id", "raptor-dev-secret", "UPPER"]
)
def test_bad_service_user_names_are_401_and_never_stored(
    queue_client: TestApp, basic: Basic, stored_rows: Rows, username: str
) -> None:
    queue_client.post(
        "/tokens/introspect", {"token": "x"}, headers=basic(username, "x"), status=401
    )

    events = stored_rows("queue_audit_events")
    assert [(e["event"], e["client_id"]) for e in events] == [
        ("service_auth_failed", None)
    ]


def test_known_client_with_a_wrong_secret_is_recorded_by_id(
    queue_client: TestApp, basic: Basic, stored_rows: Rows
) -> None:
    queue_client.post(
        "/tokens/introspect", {"token": "x"}, headers=basic("raptor", "no"), status=401
    )

    assert stored_rows("queue_audit_events")[0]["client_id"] == "raptor"


def test_long_forwarded_address_is_stored_truncated(
    queue_client: TestApp, stored_rows: Rows
) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD, "name": "Ada"}

    queue_client.post_json("/users", body, extra_environ={"REMOTE_ADDR": "9" * 90})

    assert stored_rows("queue_audit_events")[0]["ip"] == "9" * 64


def test_security_events_are_logged_only_once_committed(
    queue_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="queue_identity.audit")

    with queue_app.app_context():
        session = db.session()
        audit.record(session, "sign_up", user_id="rolled-back")
        session.rollback()
        audit.record(session, "sign_up", user_id="committed")
        session.commit()

    logged = [r.user_id for r in caplog.records if r.msg == "security event"]
    assert logged == ["committed"]


def test_failed_password_confirmation_is_audited(
    queue_client: TestApp, token: str, stored_rows: Rows
) -> None:
    queue_client.delete_json(
        "/users/me",
        {"password": "not the right passphrase"},
        headers={"Authorization": f"Bearer {token}"},
        status=403,
    )

    events = [e["event"] for e in stored_rows("queue_audit_events")]
    assert events[-1] == "password_check_failed"


def test_database_errors_never_carry_statement_parameters(queue_app: Flask) -> None:
    if db.engine(queue_app).dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce column lengths")

    with queue_app.app_context(), pytest.raises(StatementError) as raised:
        services.sign_up("long@example.com", PASSWORD, "x" * 500)

    assert "argon2" not in str(raised.value)
    assert "hidden" in str(raised.value)
