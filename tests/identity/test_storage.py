"""Queue's storage: namespaced tables, repeatable migrations, readiness, URLs."""

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect
from sqlalchemy.exc import IntegrityError
from webtest import TestApp

import queue_identity
from queue_identity import db, migrations
from queue_identity.models import VERSION_TABLE, Base, User

PASSWORD = "a long and unusual passphrase"

Rows = Callable[[str], list[dict[str, Any]]]


def _client(settings: dict[str, Any]) -> TestApp:
    return TestApp(queue_identity.create_app(settings))


def _dispose(client: TestApp) -> None:
    db.engine(client.app).dispose()


def test_migrations_run_twice_harmlessly(
    queue_engine: Engine, user: dict[str, Any], stored_rows: Rows
) -> None:
    migrations.upgrade(queue_engine)

    assert migrations.current(queue_engine) == migrations.head()
    assert [row["id"] for row in stored_rows("queue_users")] == [user["id"]]


def test_every_table_is_namespaced(queue_engine: Engine) -> None:
    tables = set(inspect(queue_engine).get_table_names())

    assert {name for name in tables if not name.startswith("queue_")} == set()
    assert VERSION_TABLE in tables


def test_every_index_and_constraint_is_namespaced(queue_engine: Engine) -> None:
    inspector = inspect(queue_engine)
    names = set()
    for table in inspector.get_table_names():
        names |= {index["name"] for index in inspector.get_indexes(table)}
        names |= {u["name"] for u in inspector.get_unique_constraints(table)}
        names |= {fk["name"] for fk in inspector.get_foreign_keys(table)}
        names.add(inspector.get_pk_constraint(table)["name"])

    # SQLite keeps some constraints unnamed; a name it keeps is Queue's.
    named = names - {None}
    assert {n for n in named if not re.match(r"((ix|uq|fk|pk)_)?queue_", n)} == set()


def test_models_agree_with_the_migrations(queue_engine: Engine) -> None:
    with queue_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE, "compare_type": True}
        )
        differences = compare_metadata(context, Base.metadata)

    assert differences == []


def test_email_key_is_unique_by_database_constraint(
    queue_engine: Engine, user: dict[str, Any]
) -> None:
    moment = datetime.now(UTC)
    row = {
        "id": str(uuid.uuid4()),
        "email": "ADA@example.com",
        "email_key": "ada@example.com",
        "name": "A copy",
        "password_hash": "x",
        "created_at": moment,
        "updated_at": moment,
    }

    with pytest.raises(IntegrityError), queue_engine.begin() as connection:
        connection.execute(insert(User).values(**row))


def test_readyz_ready_when_migrated(queue_client: TestApp) -> None:
    response = queue_client.get("/readyz")

    assert response.json == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok"},
    }


def test_readyz_unavailable_before_migrations(tmp_path: Path) -> None:
    settings = {"ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/q.db"}
    client = _client(settings)

    response = client.get("/readyz", status=503)

    _dispose(client)
    assert response.json["checks"]["migrations"] == (
        f"at None, expected {migrations.head()}"
    )


def test_readyz_unavailable_and_healthz_ok_when_database_unreachable(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/missing/folder/q.db"
    client = _client({"ENV": "development", "DATABASE_URL": url})

    ready = client.get("/readyz", status=503).json
    health = client.get("/healthz", status=200).json

    _dispose(client)
    assert ready["checks"] == {"database": "unreachable", "migrations": "unknown"}
    assert health == {"status": "ok"}


@pytest.mark.parametrize(
    "url",
    [
        "postgres://queue:pw@db.example:5432/queue",
        "postgresql://queue:pw@db.example:5432/queue",
        "postgresql+psycopg://queue:pw@db.example:5432/queue",
    ],
)
def test_postgres_url_forms_select_psycopg_3(url: str) -> None:
    app = queue_identity.create_app({"ENV": "development", "DATABASE_URL": url})

    engine_url = db.engine(app).url

    assert engine_url.drivername == "postgresql+psycopg"
    assert (engine_url.host, engine_url.database) == ("db.example", "queue")


@pytest.fixture
def postgres_url(queue_database: str) -> str:
    if not queue_database.startswith("postgresql://"):
        pytest.skip("a Postgres-only rule")
    return queue_database


def test_postgres_heroku_url_form_serves(postgres_url: str) -> None:
    url = postgres_url.replace("postgresql://", "postgres://", 1)
    client = _client({"ENV": "development", "DATABASE_URL": url})

    response = client.get("/readyz", status=200)

    _dispose(client)
    assert response.json["status"] == "ok"


def test_postgres_timestamps_hold_in_any_session_time_zone(postgres_url: str) -> None:
    # Tokyo is nine hours ahead of UTC: with an idle limit shorter than that,
    # a shift in what is read back shows as a dead token.
    url = postgres_url + "%20-ctimezone%3DAsia/Tokyo"
    settings = {"ENV": "development", "DATABASE_URL": url, "TOKEN_IDLE_TTL": 1800}
    client = _client(settings)
    credentials = {"email": "ada@example.com", "password": PASSWORD}
    user = client.post_json("/users", {**credentials, "name": "Ada"}).json
    token = client.post_json("/sessions", credentials).json["access_token"]

    response = client.get(
        "/users/me", headers={"Authorization": f"Bearer {token}"}, expect_errors=True
    )

    _dispose(client)
    assert (response.status_int, response.json) == (200, user)
