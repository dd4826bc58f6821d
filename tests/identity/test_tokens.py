"""Access tokens: opaque, random, stored as digests, dead when idle or old.

Expiry is tested by moving a token's stored timestamps, as if time had passed.
"""

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, MetaData, select, text
from webtest import TestApp

from queue_identity import security
from queue_identity.models import Token

PASSWORD = "a long and unusual passphrase"

Headers = Callable[[str], dict[str, str]]
Rewrite = Callable[..., None]


def test_token_is_prefixed_and_carries_32_random_bytes(token: str) -> None:
    random_part = token.removeprefix("qat_")

    assert token.startswith("qat_")
    assert (
        len(base64.urlsafe_b64decode(random_part + "=" * (-len(random_part) % 4))) >= 32
    )


def test_raw_token_is_stored_nowhere_only_its_digest(
    queue_app: Flask, token: str, sign_in: Callable[..., str], queue_engine: Engine
) -> None:
    tokens = [token, sign_in()]

    tables = MetaData()
    with queue_engine.connect() as connection:
        tables.reflect(connection)
        dump = "".join(
            repr(connection.execute(select(table)).all())
            for table in tables.sorted_tables
        )

    key = queue_app.config["SECRET_KEY"]
    for secret in tokens:
        assert secret.removeprefix("qat_") not in dump
        assert security.digest(secret, key) in dump


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no-header"),
        pytest.param("Bearer", id="no-token"),
        pytest.param("Bearer qat_" + "A" * 43, id="unknown-token"),
        pytest.param("Bearer " + "A" * 43, id="no-prefix"),
        pytest.param("Basic cmFwdG9yOnJhcHRvci1kZXYtc2VjcmV0", id="basic"),
    ],
)
def test_me_without_a_live_token_is_401_with_a_challenge(
    queue_client: TestApp, user: dict[str, Any], authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = queue_client.get("/users/me", headers=headers, status=401)

    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_token_idle_past_the_limit_is_dead(
    queue_client: TestApp,
    queue_app: Flask,
    token: str,
    bearer: Headers,
    rewrite_token: Rewrite,
) -> None:
    rewrite_token(token, last_used_at=-queue_app.config["TOKEN_IDLE_TTL"] - 1)

    queue_client.get("/users/me", headers=bearer(token), status=401)


def test_token_past_its_absolute_expiry_is_dead_though_in_use(
    queue_client: TestApp, token: str, bearer: Headers, rewrite_token: Rewrite
) -> None:
    rewrite_token(token, created_at=-3600, last_used_at=0, expires_at=-1)

    queue_client.get("/users/me", headers=bearer(token), status=401)


def test_token_in_use_records_its_use(
    queue_client: TestApp,
    queue_app: Flask,
    queue_engine: Engine,
    token: str,
    bearer: Headers,
    rewrite_token: Rewrite,
) -> None:
    rewrite_token(token, last_used_at=-queue_app.config["TOKEN_IDLE_TTL"] + 60)

    queue_client.get("/users/me", headers=bearer(token), status=200)

    with queue_engine.connect() as connection:
        last_used = connection.scalar(select(Token.last_used_at))
    assert last_used is not None
    assert (datetime.now(UTC) - last_used).total_seconds() < 5


def test_token_of_a_deactivated_user_is_dead_even_unrevoked(
    queue_client: TestApp, queue_engine: Engine, token: str, bearer: Headers
) -> None:
    with queue_engine.begin() as connection:
        connection.execute(text("UPDATE queue_users SET deactivated_at = created_at"))

    queue_client.get("/users/me", headers=bearer(token), status=401)
