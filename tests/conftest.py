"""Fixtures shared by every test: the two apps alone and composed.

Tests run both apps in development mode, so that the embedded defaults apply
and nothing needs a secret. Importing ``wsgi`` builds the app from the
process environment, so the environment is set before anything imports it.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from webtest import TestApp

os.environ.update(RAPTOR_ENV="development", QUEUE_ENV="development")
os.environ.setdefault("FLAG_QUEUE_V1", "1")

import queue_identity
import wsgi
from backend_v2.api import create_app as create_raptor
from queue_identity import config, migrations
from queue_identity.db import make_engine

ROOT = Path(__file__).resolve().parent.parent


POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("TEST_REDIS_URL")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgres",
        id="postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not POSTGRES_URL, reason="TEST_POSTGRES_URL unset"),
        ],
    ),
]


@pytest.fixture(params=BACKENDS)
def queue_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database of Queue's own: SQLite, or a Postgres schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
        migrations.upgrade(make_engine(url, config.DEFAULTS))
        yield url
        return

    assert POSTGRES_URL is not None
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://")
    )
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(
        url.replace("postgresql://", "postgresql+psycopg://"), config.DEFAULTS
    )
    migrations.upgrade(engine)
    engine.dispose()
    yield url

    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def queue_config(queue_database: str) -> dict[str, Any]:
    """Queue's test settings: its own migrated database, limits off."""
    return {
        "ENV": "development",
        "DATABASE_URL": queue_database,
        "RATELIMIT_ENABLED": False,
        # Race tests send more requests at once than a worker would allow.
        "MAX_IN_FLIGHT": 32,
    }


@pytest.fixture
def raptor_config() -> dict[str, Any]:
    return {"ENV": "development"}


@pytest.fixture
def queue_app(queue_config: dict[str, Any]) -> Iterator[Any]:
    app = queue_identity.create_app(queue_config)
    yield app
    app.extensions["queue.db"].kw["bind"].dispose()


@pytest.fixture
def raptor_app(raptor_config: dict[str, Any]) -> Any:
    return create_raptor(raptor_config)


@pytest.fixture
def queue_client(queue_app: Any) -> TestApp:
    """Queue alone, addressed as if mounted at /api/v1."""
    return TestApp(queue_app, extra_environ={"SCRIPT_NAME": "/api/v1"})


@pytest.fixture
def raptor_client(raptor_app: Any) -> TestApp:
    return TestApp(raptor_app)


@pytest.fixture
def composed(
    raptor_config: dict[str, Any], queue_config: dict[str, Any]
) -> wsgi.Composed:
    """The composed service with Queue mounted, as gunicorn serves it."""
    return wsgi.build_app(
        {"FLAG_QUEUE_V1": "1"}, raptor_config=raptor_config, queue_config=queue_config
    )


@pytest.fixture
def client(composed: wsgi.Composed) -> TestApp:
    return TestApp(composed)
