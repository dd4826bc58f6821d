"""Passwords: argon2id at the documented cost, bounds, common ones, busy hashing.

Every test but the cost tests hashes cheaply (see conftest.py); the cost tests
build an app of their own with Queue's default argon2 settings.
"""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from webtest import TestApp

import queue_identity

PASSWORD = "a long and unusual passphrase"
DOCUMENTED_COST = "$argon2id$v=19$m=19456,t=2,p=1$"

Rows = Callable[[str], list[dict[str, Any]]]
Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def queue_config(queue_config: dict[str, Any]) -> dict[str, Any]:
    """Give up quickly on a busy hashing slot, so that 503s come fast."""
    return {**queue_config, "HASH_QUEUE_TIMEOUT": 0.05}


@pytest.fixture
def default_cost_client(queue_config: dict[str, Any]) -> Iterator[TestApp]:
    """Queue on the same database, hashing at its default argon2 cost."""
    settings = {k: v for k, v in queue_config.items() if not k.startswith("ARGON2_")}
    app = queue_identity.create_app(settings)
    yield TestApp(app, extra_environ={"SCRIPT_NAME": "/api/v1"})
    app.extensions["queue.db"].kw["bind"].dispose()


@pytest.fixture
def busy_hashing(queue_app: Flask) -> Iterator[None]:
    """Every hashing slot of the worker taken, as by sign-ins in flight."""
    slots = queue_app.extensions["queue.security"].slots
    for _ in range(queue_app.config["HASH_CONCURRENCY"]):
        slots.acquire()
    yield
    for _ in range(queue_app.config["HASH_CONCURRENCY"]):
        slots.release()


def _password_hash(stored_rows: Rows) -> str:
    [row] = stored_rows("queue_users")
    password_hash: str = row["password_hash"]
    return password_hash


def test_password_hashed_with_argon2id_at_the_documented_cost(
    default_cost_client: TestApp, stored_rows: Rows
) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD, "name": "Ada"}

    default_cost_client.post_json("/users", body, status=201)

    assert _password_hash(stored_rows).startswith(DOCUMENTED_COST)


def test_password_rehashed_at_sign_in_when_the_cost_changed(
    user: dict[str, Any],
    default_cost_client: TestApp,
    stored_rows: Rows,
    sign_in: Callable[..., str],
) -> None:
    assert not _password_hash(stored_rows).startswith(DOCUMENTED_COST)
    body = {"email": "ada@example.com", "password": PASSWORD}

    default_cost_client.post_json("/sessions", body, status=201)

    assert _password_hash(stored_rows).startswith(DOCUMENTED_COST)
    sign_in()  # the cheap app still verifies the new hash


def test_password_kept_at_sign_in_when_the_cost_is_unchanged(
    user: dict[str, Any], stored_rows: Rows, sign_in: Callable[..., str]
) -> None:
    before = _password_hash(stored_rows)

    sign_in()

    assert _password_hash(stored_rows) == before


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("twelve chars", id="12-ascii"),
        pytest.param("пароль-длинн", id="12-cyrillic"),
        pytest.param("密码是很长的一句话啊对吧", id="12-cjk"),
        pytest.param("🔑🔒🗝️ with emoji 🐉", id="emoji"),
        pytest.param("x" * 64, id="64"),
        pytest.param("a fairly long passphrase " * 4, id="100"),
        pytest.param("ü" * 256, id="256-maximum"),
    ],
)
def test_password_of_any_unicode_within_bounds_signs_up_and_in(
    make_user: Callable[..., dict[str, Any]],
    sign_in: Callable[..., str],
    password: str,
) -> None:
    make_user(password=password)

    assert sign_in(password=password).startswith("qat_")


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("eleven char", id="11-ascii"),
        pytest.param("🔑" * 11, id="11-emoji-44-bytes"),
    ],
)
def test_password_shorter_than_12_characters_is_422(
    queue_client: TestApp, password: str
) -> None:
    body = {"email": "ada@example.com", "password": password, "name": "Ada"}

    response = queue_client.post_json("/users", body, status=422)

    assert [e["field"] for e in response.json["errors"]] == ["password"]


@pytest.mark.parametrize("password", ["qwerty123456", "LeaveMeAlone", "1qaz2wsx3edc"])
def test_password_common_is_refused(
    queue_client: TestApp, stored_rows: Rows, password: str
) -> None:
    body = {"email": "ada@example.com", "password": password, "name": "Ada"}

    response = queue_client.post_json("/users", body, status=422)

    assert response.json["errors"][0]["field"] == "password"
    assert "common" in response.json["errors"][0]["message"]
    assert stored_rows("queue_users") == []


@pytest.mark.usefixtures("busy_hashing")
@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param(
            "/users",
            {"email": "ada@example.com", "password": "x" * 257, "name": "Ada"},
            id="sign-up",
        ),
        pytest.param(
            "/sessions",
            {"email": "ada@example.com", "password": "x" * 257},
            id="sign-in",
        ),
    ],
)
def test_password_over_256_characters_is_422_before_hashing(
    queue_client: TestApp, path: str, body: dict[str, str]
) -> None:
    # Every hashing slot is taken: a request that tried to hash would be 503.
    response = queue_client.post_json(path, body, status=422)

    assert [e["field"] for e in response.json["errors"]] == ["password"]


def test_password_change_over_256_characters_is_422_before_hashing(
    queue_client: TestApp, token: str, bearer: Headers, busy_hashing: None
) -> None:
    change = {"current_password": PASSWORD, "new_password": "x" * 257}

    response = queue_client.put_json(
        "/users/me/password", change, headers=bearer(token), status=422
    )

    assert [e["field"] for e in response.json["errors"]] == ["new_password"]


def test_hashing_busy_sign_up_is_503_with_retry_after(
    queue_client: TestApp, stored_rows: Rows, busy_hashing: None
) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD, "name": "Ada"}

    response = queue_client.post_json("/users", body, status=503)

    assert response.headers["Retry-After"] == "1"
    assert response.content_type == "application/problem+json"
    assert stored_rows("queue_users") == []


def test_hashing_busy_sign_in_is_503_with_retry_after(
    queue_client: TestApp, user: dict[str, Any], busy_hashing: None
) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD}

    response = queue_client.post_json("/sessions", body, status=503)

    assert response.headers["Retry-After"] == "1"


def test_password_change_keeps_the_callers_token_and_revokes_the_rest(
    queue_client: TestApp,
    make_user: Callable[..., dict[str, Any]],
    sign_in: Callable[..., str],
    bearer: Headers,
) -> None:
    make_user()
    make_user(email="grace@example.com")
    mine, other = sign_in(), sign_in()
    grace = sign_in("grace@example.com")
    change = {"current_password": PASSWORD, "new_password": "another long phrase"}

    response = queue_client.put_json("/users/me/password", change, headers=bearer(mine))

    assert response.status_int == 204
    queue_client.get("/users/me", headers=bearer(mine), status=200)
    queue_client.get("/users/me", headers=bearer(other), status=401)
    queue_client.get("/users/me", headers=bearer(grace), status=200)


def test_password_change_replaces_the_password(
    queue_client: TestApp, token: str, bearer: Headers, sign_in: Callable[..., str]
) -> None:
    change = {"current_password": PASSWORD, "new_password": "another long phrase"}

    queue_client.put_json(
        "/users/me/password", change, headers=bearer(token), status=204
    )

    sign_in(password="another long phrase")
    old = {"email": "ada@example.com", "password": PASSWORD}
    queue_client.post_json("/sessions", old, status=401)


def test_password_change_with_wrong_current_is_403_and_changes_nothing(
    queue_client: TestApp,
    token: str,
    bearer: Headers,
    sign_in: Callable[..., str],
    stored_rows: Rows,
) -> None:
    other = sign_in()
    change = {"current_password": "not the passphrase", "new_password": "x" * 20}

    response = queue_client.put_json(
        "/users/me/password", change, headers=bearer(token), status=403
    )

    assert response.json["errors"][0]["field"] == "current_password"
    queue_client.get("/users/me", headers=bearer(other), status=200)
    sign_in()


@pytest.mark.parametrize("new_password", ["short", "qwerty123456"])
def test_password_change_to_a_weak_password_is_422(
    queue_client: TestApp, token: str, bearer: Headers, new_password: str
) -> None:
    change = {"current_password": PASSWORD, "new_password": new_password}

    response = queue_client.put_json(
        "/users/me/password", change, headers=bearer(token), status=422
    )

    assert [e["field"] for e in response.json["errors"]] == ["new_password"]


def test_password_matches_in_any_unicode_normal_form(
    queue_client: TestApp, make_user: Callable[..., dict[str, Any]]
) -> None:
    composed = "caf\u00e9 au lait, s'il vous pla\u00eet"
    decomposed = "cafe\u0301 au lait, s'il vous plai\u0302t"
    make_user(password=composed)

    response = queue_client.post_json(
        "/sessions", {"email": "ada@example.com", "password": decomposed}
    )

    assert response.status_int == 201
