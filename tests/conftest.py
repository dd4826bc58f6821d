"""Fixtures shared by every test: the two apps alone and composed.

Tests run both apps in development mode, so that the embedded defaults apply
and nothing needs a secret. Importing ``wsgi`` builds the app from the
process environment, so the environment is set before anything imports it.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webtest import TestApp

os.environ.update(RAPTOR_ENV="development", QUEUE_ENV="development")
os.environ.setdefault("FLAG_QUEUE_V1", "1")

import queue_identity
import wsgi
from backend_v2.api import create_app as create_raptor

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def queue_config(tmp_path: Path) -> dict[str, Any]:
    """Queue's test settings: its own SQLite file, limits off."""
    return {"ENV": "development", "RATELIMIT_ENABLED": False}


@pytest.fixture
def raptor_config() -> dict[str, Any]:
    return {"ENV": "development"}


@pytest.fixture
def queue_app(queue_config: dict[str, Any]) -> Iterator[Any]:
    yield queue_identity.create_app(queue_config)


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
