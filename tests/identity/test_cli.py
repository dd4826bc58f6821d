"""Operator commands, run as ``flask queue <command>`` would run them."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from webtest import TestApp

import queue_identity
from queue_identity import db, migrations

PASSWORD = "a long and unusual passphrase"

Rows = Callable[[str], list[dict[str, Any]]]
Headers = Callable[[str], dict[str, str]]
Basic = Callable[[str, str], dict[str, str]]
Run = Callable[..., Result]


@pytest.fixture
def run(queue_app: Flask) -> Run:
    """Run one ``queue`` command against the test app."""
    runner = queue_app.test_cli_runner()
    return lambda *args, **kwargs: runner.invoke(args=["queue", *args], **kwargs)


def _secret(result: Result) -> str:
    found = re.search(r"^Secret:\s+(\S+)$", result.output, re.MULTILINE)
    assert found is not None, result.output
    return found[1]


def test_migrate_brings_a_fresh_database_to_head_twice_over(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.sqlite3"
    app = queue_identity.create_app({"ENV": "development", "DATABASE_URL": url})
    runner = app.test_cli_runner()

    results = [runner.invoke(args=["queue", "migrate"]) for _ in range(2)]

    assert [r.exit_code for r in results] == [0, 0]
    assert migrations.current(db.engine(app)) == migrations.head()
    db.engine(app).dispose()


def test_create_user_signs_up_a_user_who_can_sign_in(
    run: Run, sign_in: Callable[..., str]
) -> None:
    result = run(
        "create-user", "ada@example.com", "--name", "Ada", "--password", PASSWORD
    )

    assert result.exit_code == 0
    assert "<ada@example.com>" in result.output
    sign_in()


def test_create_user_asks_for_the_password_twice(
    run: Run, sign_in: Callable[..., str]
) -> None:
    result = run(
        "create-user", "ada@example.com", "--name", "Ada", input=f"{PASSWORD}\n" * 2
    )

    assert result.exit_code == 0
    sign_in()


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        pytest.param("ada@example.com", "short", "password", id="short-password"),
        pytest.param("ada@example.com", "qwerty123456", "common", id="common"),
        pytest.param("ADA@example.com", PASSWORD, "already exists", id="taken"),
        pytest.param("not-an-email", PASSWORD, "email", id="invalid-email"),
    ],
)
def test_create_user_refusal_is_a_message_not_a_traceback(
    run: Run, user: dict[str, Any], email: str, password: str, message: str
) -> None:
    result = run("create-user", email, "--name", "Ada", "--password", password)

    assert (result.exit_code, type(result.exception)) == (1, SystemExit)
    assert message in result.output


def test_deactivate_user_kills_every_token(
    run: Run, queue_client: TestApp, token: str, bearer: Headers
) -> None:
    result = run("deactivate-user", "ADA@example.com")

    assert result.exit_code == 0
    queue_client.get("/users/me", headers=bearer(token), status=401)
    body = {"email": "ada@example.com", "password": PASSWORD}
    queue_client.post_json("/sessions", body, status=401)


@pytest.mark.parametrize("command", ["deactivate-user", "revoke-tokens"])
def test_user_command_for_an_unknown_email_is_refused(run: Run, command: str) -> None:
    result = run(command, "nobody@example.com")

    assert result.exit_code == 1
    assert "No user has the email" in result.output


def test_revoke_tokens_kills_tokens_and_keeps_the_account(
    run: Run,
    queue_client: TestApp,
    token: str,
    sign_in: Callable[..., str],
    bearer: Headers,
) -> None:
    other = sign_in()

    result = run("revoke-tokens", "ada@example.com")

    assert "Revoked 2 token(s)" in result.output
    for secret in (token, other):
        queue_client.get("/users/me", headers=bearer(secret), status=401)
    sign_in()


def test_create_client_prints_a_secret_stored_only_hashed(
    run: Run, stored_rows: Rows
) -> None:
    result = run("create-client", "billing")

    secret = _secret(result)
    [client] = stored_rows("queue_service_clients")
    assert result.exit_code == 0
    assert client["id"] == "billing"
    assert secret not in repr(client)


def test_created_client_can_introspect_tokens(
    run: Run, token: str, introspect: Callable[..., Any]
) -> None:
    secret = _secret(run("create-client", "billing"))

    response = introspect(token, client=("billing", secret))

    assert response.json["active"] is True


@pytest.mark.parametrize("client_id", ["billing", "raptor"])
def test_create_client_that_exists_is_refused(run: Run, client_id: str) -> None:
    run("create-client", "billing")

    result = run("create-client", client_id)

    assert result.exit_code == 1
    assert "rotate it instead" in result.output


def test_rotate_client_retires_the_old_secret(
    run: Run, token: str, introspect: Callable[..., Any]
) -> None:
    old = _secret(run("create-client", "billing"))

    new = _secret(run("rotate-client", "billing"))

    introspect(token, client=("billing", old), status=401)
    assert introspect(token, client=("billing", new)).json["active"] is True


def test_rotate_client_unknown_is_refused(run: Run) -> None:
    result = run("rotate-client", "billing")

    assert result.exit_code == 1
    assert "create it first" in result.output


def test_rotate_client_raptor_is_refused_with_a_message(run: Run) -> None:
    result = run("rotate-client", "raptor")

    assert (result.exit_code, type(result.exception)) == (1, SystemExit)
    assert "set by config" in result.output


def test_create_user_refusal_never_prints_the_password(run: Run) -> None:
    for password in ("short-Sec1", "x" * 257 + "Secret2"):
        result = run(
            "create-user", "bo@example.com", "--name", "Bo", "--password", password
        )

        assert result.exit_code == 1
        assert "password" in result.output
        assert password not in result.output


@pytest.mark.parametrize("client_id", ["", "a:b", "x" * 65, "Billing", ".lead"])
def test_create_client_with_a_malformed_id_is_refused(
    run: Run, stored_rows: Callable[[str], list[dict[str, Any]]], client_id: str
) -> None:
    result = run("create-client", client_id)

    assert result.exit_code == 1
    assert "client id is 1 to 64" in result.output
    assert stored_rows("queue_service_clients") == []


def test_deactivate_user_twice_leaves_the_first_record(
    run: Run, user: dict[str, Any], stored_rows: Callable[[str], list[dict[str, Any]]]
) -> None:
    run("deactivate-user", "ada@example.com")
    first = stored_rows("queue_users")[0]["deactivated_at"]

    result = run("deactivate-user", "ada@example.com")

    assert "deactivated already" in result.output
    assert stored_rows("queue_users")[0]["deactivated_at"] == first
    events = [e["event"] for e in stored_rows("queue_audit_events")]
    assert events.count("deactivated") == 1
