"""Factories for Queue's unit tests: users, tokens, service calls, stored rows.

Every test here drives Queue alone through ``queue_client`` with Queue's own
paths; WebTest serves them under the ``/api/v1`` script name. Passwords are
hashed at a low argon2 cost so that the suite stays fast; test_passwords.py
checks the real cost on an app built with the defaults.
"""

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select, update
from webtest import TestApp, TestResponse

from queue_identity import db, security
from queue_identity.models import Base, Token

PASSWORD = "a long and unusual passphrase"
RAPTOR = ("raptor", "raptor-dev-secret")


@pytest.fixture
def queue_config(queue_config: dict[str, Any]) -> dict[str, Any]:
    """The shared test settings, with argon2 cheap enough to hash freely."""
    return {**queue_config, "ARGON2_MEMORY_COST": 1024, "ARGON2_TIME_COST": 1}


@pytest.fixture
def bearer() -> Callable[[str], dict[str, str]]:
    """Headers that present ``token`` as a bearer token."""
    return lambda token: {"Authorization": f"Bearer {token}"}


@pytest.fixture
def basic() -> Callable[[str, str], dict[str, str]]:
    """Headers that authenticate a service client with HTTP Basic."""

    def headers(client_id: str, secret: str) -> dict[str, str]:
        pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        return {"Authorization": f"Basic {pair}"}

    return headers


@pytest.fixture
def make_user(queue_client: TestApp) -> Callable[..., dict[str, Any]]:
    """Sign a user up through the API and return the user it answers."""

    def make(
        email: str = "ada@example.com",
        password: str = PASSWORD,
        name: str = "Ada Lovelace",
    ) -> dict[str, Any]:
        body = {"email": email, "password": password, "name": name}
        user: dict[str, Any] = queue_client.post_json("/users", body, status=201).json
        return user

    return make


@pytest.fixture
def sign_in(queue_client: TestApp) -> Callable[..., str]:
    """Sign in through the API and return the access token."""

    def sign(email: str = "ada@example.com", password: str = PASSWORD) -> str:
        body = {"email": email, "password": password}
        response = queue_client.post_json("/sessions", body, status=201)
        token: str = response.json["access_token"]
        return token

    return sign


@pytest.fixture
def user(make_user: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Ada, signed up with :data:`PASSWORD`."""
    return make_user()


@pytest.fixture
def token(user: dict[str, Any], sign_in: Callable[..., str]) -> str:
    """A live access token of Ada's."""
    return sign_in()


@pytest.fixture
def introspect(
    queue_client: TestApp, basic: Callable[[str, str], dict[str, str]]
) -> Callable[..., TestResponse]:
    """Introspect ``token`` as a service client (Raptor unless told)."""

    def call(token: str, client: tuple[str, str] = RAPTOR, **kwargs: Any) -> Any:
        headers = basic(*client)
        return queue_client.post(
            "/tokens/introspect", {"token": token}, headers=headers, **kwargs
        )

    return call


@pytest.fixture
def queue_engine(queue_app: Flask) -> Engine:
    """The engine of Queue's test database, to read and rewrite stored state."""
    return db.engine(queue_app)


@pytest.fixture
def stored_rows(queue_engine: Engine) -> Callable[[str], list[dict[str, Any]]]:
    """Every row of one of Queue's tables, as dicts."""

    def rows(table: str) -> list[dict[str, Any]]:
        with queue_engine.connect() as connection:
            result = connection.execute(select(Base.metadata.tables[table]))
            return [dict(row) for row in result.mappings()]

    return rows


@pytest.fixture
def rewrite_token(queue_app: Flask, queue_engine: Engine) -> Callable[..., None]:
    """Move a token's stored timestamps, given as seconds from now."""

    def rewrite(token: str, **seconds_from_now: float) -> None:
        moment = datetime.now(UTC)
        values = {
            column: moment + timedelta(seconds=offset)
            for column, offset in seconds_from_now.items()
        }
        digest = security.digest(token, queue_app.config["SECRET_KEY"])
        with queue_engine.begin() as connection:
            connection.execute(
                update(Token).where(Token.digest == digest).values(**values)
            )

    return rewrite
