"""CORS: no headers unless an operator lists the origins allowed."""

from typing import Any

from webtest import TestApp

import wsgi

ORIGIN = {"Origin": "https://app.example"}


def test_cors_headers_absent_by_default(client: TestApp) -> None:
    response = client.get("/api/v1/healthz", headers=ORIGIN)

    assert not [h for h in response.headers if h.lower().startswith("access-control")]


def test_cors_allows_only_configured_origins(queue_config: dict[str, Any]) -> None:
    queue_config["CORS_ORIGINS"] = "https://app.example, https://admin.example"
    client = TestApp(wsgi.build_app({"FLAG_QUEUE_V1": "1"}, queue_config=queue_config))

    allowed = client.get("/api/v1/healthz", headers=ORIGIN)
    other = client.get("/api/v1/healthz", headers={"Origin": "https://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cors_preflight_needs_no_token(queue_config: dict[str, Any]) -> None:
    queue_config["CORS_ORIGINS"] = "https://app.example"
    client = TestApp(wsgi.build_app({"FLAG_QUEUE_V1": "1"}, queue_config=queue_config))
    headers = {**ORIGIN, "Access-Control-Request-Method": "GET"}
    headers["Access-Control-Request-Headers"] = "Authorization"

    response = client.options("/api/v1/users/me", headers=headers)

    assert response.status_int == 200
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
