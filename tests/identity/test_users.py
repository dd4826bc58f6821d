"""Signing up, the caller's own account, and deactivating it."""

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from webtest import TestApp

PASSWORD = "a long and unusual passphrase"

Rows = Callable[[str], list[dict[str, Any]]]
Headers = Callable[[str], dict[str, str]]


def test_sign_up_answers_the_user_and_its_location(queue_client: TestApp) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD, "name": "Ada Lovelace"}

    response = queue_client.post_json("/users", body, status=201)

    user = response.json
    assert set(user) == {"id", "email", "name", "created_at"}
    assert (user["email"], user["name"]) == ("ada@example.com", "Ada Lovelace")
    assert response.headers["Location"] == f"/api/v1/users/{user['id']}"
    assert datetime.fromisoformat(user["created_at"]).utcoffset().total_seconds() == 0


def test_sign_up_trims_and_normalises_the_email(
    queue_client: TestApp, stored_rows: Rows
) -> None:
    body = {"email": "  Zoe\u0308@Example.COM ", "password": PASSWORD, "name": "Zoë"}

    user = queue_client.post_json("/users", body, status=201).json

    assert user["email"] == "Zo\u00eb@example.com"
    assert [row["email_key"] for row in stored_rows("queue_users")] == [
        "zo\u00eb@example.com"
    ]


def test_sign_up_trims_the_name(make_user: Callable[..., dict[str, Any]]) -> None:
    assert make_user(name="  Ada Lovelace\n")["name"] == "Ada Lovelace"


@pytest.mark.parametrize(
    "email",
    [
        pytest.param("zo\u00eb@example.com", id="same"),
        pytest.param("ZO\u00cb@EXAMPLE.COM", id="upper-case"),
        pytest.param(" zo\u00eb@example.com\t", id="padded"),
        pytest.param("zoe\u0308@example.com", id="decomposed"),
        pytest.param("\uff5a\uff4f\u00eb@example.com", id="full-width"),
    ],
)
def test_sign_up_email_taken_in_any_form_is_409(
    make_user: Callable[..., dict[str, Any]],
    queue_client: TestApp,
    stored_rows: Rows,
    email: str,
) -> None:
    make_user(email="zo\u00eb@example.com")
    body = {"email": email, "password": PASSWORD, "name": "Someone Else"}

    response = queue_client.post_json("/users", body, status=409)

    assert response.content_type == "application/problem+json"
    assert response.json["type"].endswith("/email-taken")
    assert len(stored_rows("queue_users")) == 1


def test_sign_up_concurrent_case_variants_make_one_account(
    queue_app: Flask, stored_rows: Rows
) -> None:
    emails = ["ada@example.com", "ADA@example.com", "Ada@Example.com"]
    emails += ["aDa@EXAMPLE.com", " ada@example.COM", "ADA@EXAMPLE.COM "]
    start = threading.Barrier(len(emails))
    statuses: list[int] = []

    def sign_up(email: str) -> None:
        client = TestApp(queue_app, extra_environ={"SCRIPT_NAME": "/api/v1"})
        body = {"email": email, "password": PASSWORD, "name": "Ada"}
        start.wait()
        response = client.post_json("/users", body, expect_errors=True)
        statuses.append(response.status_int)

    threads = [threading.Thread(target=sign_up, args=(e,)) for e in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [201] + [409] * (len(emails) - 1)
    assert len(stored_rows("queue_users")) == 1


def test_me_answers_the_tokens_owner(
    queue_client: TestApp, user: dict[str, Any], token: str, bearer: Headers
) -> None:
    response = queue_client.get("/users/me", headers=bearer(token))

    assert response.json == user


def test_rename_answers_and_keeps_the_new_name(
    queue_client: TestApp, user: dict[str, Any], token: str, bearer: Headers
) -> None:
    renamed = queue_client.patch_json(
        "/users/me", {"name": " Countess of Lovelace "}, headers=bearer(token)
    ).json

    assert renamed == {**user, "name": "Countess of Lovelace"}
    assert queue_client.get("/users/me", headers=bearer(token)).json == renamed


def test_rename_of_someone_else_is_impossible(
    queue_client: TestApp,
    make_user: Callable[..., dict[str, Any]],
    sign_in: Callable[..., str],
    bearer: Headers,
) -> None:
    ada = make_user()
    make_user(email="grace@example.com", name="Grace Hopper")
    grace = sign_in("grace@example.com")

    queue_client.patch_json("/users/me", {"name": "Ada?"}, headers=bearer(grace))

    ada_token = sign_in()
    assert queue_client.get("/users/me", headers=bearer(ada_token)).json == ada


def test_deactivate_with_wrong_password_is_403_and_keeps_the_account(
    queue_client: TestApp, token: str, bearer: Headers
) -> None:
    response = queue_client.delete_json(
        "/users/me",
        {"password": "not the right passphrase"},
        headers=bearer(token),
        status=403,
    )

    assert response.json["errors"] == [
        {"field": "password", "message": "does not match"}
    ]
    queue_client.get("/users/me", headers=bearer(token), status=200)


def test_deactivate_kills_every_token_at_once(
    queue_client: TestApp,
    token: str,
    sign_in: Callable[..., str],
    bearer: Headers,
    stored_rows: Rows,
) -> None:
    other = sign_in()

    queue_client.delete_json(
        "/users/me", {"password": PASSWORD}, headers=bearer(token), status=204
    )

    for secret in (token, other):
        queue_client.get("/users/me", headers=bearer(secret), status=401)
    assert all(row["revoked_at"] for row in stored_rows("queue_tokens"))


def test_deactivated_account_is_kept_and_its_email_reserved(
    queue_client: TestApp, token: str, bearer: Headers, stored_rows: Rows
) -> None:
    queue_client.delete_json(
        "/users/me", {"password": PASSWORD}, headers=bearer(token), status=204
    )
    body = {"email": "Ada@Example.com", "password": PASSWORD, "name": "Imposter"}

    queue_client.post_json("/users", body, status=409)

    [row] = stored_rows("queue_users")
    assert row["deactivated_at"] is not None
    assert row["name"] == "Ada Lovelace"
