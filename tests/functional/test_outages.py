"""When Queue's database is gone, Queue says 503 and Raptor carries on."""

from typing import Any

import pytest
from webtest import TestApp

import wsgi

UNREACHABLE = "postgresql://nobody@127.0.0.1:9/queue"


def test_queue_without_database_answers_503(queue_config: dict[str, Any]) -> None:
    queue_config["DATABASE_URL"] = UNREACHABLE
    queue_config["DATABASE_POOL_TIMEOUT"] = 1
    client = TestApp(wsgi.build_app({"FLAG_QUEUE_V1": "1"}, queue_config=queue_config))
    body = {"email": "ada@example.com", "password": "a long passphrase"}

    response = client.post_json("/api/v1/sessions", body, status=503)

    assert response.content_type == "application/problem+json"
    assert response.json["type"].endswith("/database-unavailable")
    assert response.headers["Retry-After"] == "5"
    assert client.get("/api/v1/readyz", status=503).json["checks"]["database"] == (
        "unreachable"
    )
    assert client.get("/").json["service"] == "raptor"


def test_outage_is_logged_in_one_line_without_traceback(
    queue_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    queue_config["DATABASE_URL"] = UNREACHABLE
    client = TestApp(wsgi.build_app({"FLAG_QUEUE_V1": "1"}, queue_config=queue_config))
    body = {"email": "ada@example.com", "password": "a long passphrase"}

    client.post_json("/api/v1/sessions", body, status=503)

    [record] = [r for r in caplog.records if r.msg == "database unavailable"]
    assert record.exc_info is None
    assert record.error == "OperationalError"  # type: ignore[attr-defined]
