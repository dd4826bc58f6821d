"""The composed service: what is mounted where, and what the proxy may say."""

import subprocess
import sys

import pytest
from webtest import TestApp

import wsgi
from tests.conftest import ROOT

ON = ["1", "true", "TRUE", "yes", "On", "  on  "]
OFF = ["0", "false", "No", "OFF", "", "  "]


@pytest.mark.parametrize("value", ON, ids=repr)
def test_flag_on_values_mount_queue(value: str) -> None:
    app = wsgi.build_app({"FLAG_QUEUE_V1": value})

    response = TestApp(app).get("/api/v1/healthz")

    assert response.json == {"status": "ok"}
    assert app.queue is not None


@pytest.mark.parametrize("value", OFF, ids=repr)
def test_flag_off_values_leave_api_v1_to_raptor(value: str) -> None:
    response = TestApp(wsgi.build_app({"FLAG_QUEUE_V1": value})).get(
        "/api/v1/healthz", status=404
    )

    assert response.content_type == "application/problem+json"
    assert response.json["type"].startswith("https://raptor.invalid/")


def test_flag_unset_leaves_queue_unmounted() -> None:
    app = wsgi.build_app({})

    assert app.queue is None
    assert TestApp(app).get("/").json["mounts"] == {}


@pytest.mark.parametrize("value", ["2", "enable", "y", "truthy"])
def test_flag_bad_value_refuses_to_build(value: str) -> None:
    with pytest.raises(ValueError, match="FLAG_QUEUE_V1"):
        wsgi.build_app({"FLAG_QUEUE_V1": value})


def test_flag_bad_value_fails_import_of_wsgi() -> None:
    env = {"FLAG_QUEUE_V1": "maybe", "RAPTOR_ENV": "development", "PATH": ""}

    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "FLAG_QUEUE_V1" in result.stderr


def test_index_names_raptor_and_the_mounts(client: TestApp) -> None:
    body = client.get("/").json

    assert body["service"] == "raptor"
    assert body["mounts"] == {"/api/v1": "queue"}
    assert body["version"]


def test_mount_key_is_exactly_api_v1(client: TestApp) -> None:
    client.get("/api/v1/healthz", status=200)

    response = client.get("/api/v1x/healthz", status=404)

    assert response.json["type"].startswith("https://raptor.invalid/")


def test_api_v1_redirects_to_slash_keeping_prefix(client: TestApp) -> None:
    response = client.get("/api/v1", status=308)

    assert response.headers["Location"] == "http://localhost/api/v1/"


def test_api_v1_redirect_keeps_https_behind_the_proxy(client: TestApp) -> None:
    # Heroku's router sends the Host without a port, and the scheme apart.
    headers = {"Host": "raptor.example", "X-Forwarded-Proto": "https"}

    response = client.get("/api/v1", headers=headers, status=308)

    assert response.headers["Location"] == "https://raptor.example/api/v1/"


def test_proxy_host_and_prefix_headers_are_ignored(client: TestApp) -> None:
    headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "/evil"}

    response = client.get("/api/v1", headers=headers, status=308)

    assert response.headers["Location"] == "http://localhost/api/v1/"


def test_proxy_trusts_one_hop_of_forwarded_for(composed: wsgi.Composed) -> None:
    seen = {}

    @composed.raptor.get("/test-remote-addr")
    def remote_addr() -> str:
        from flask import request

        seen["addr"] = request.remote_addr
        return ""

    TestApp(composed).get(
        "/test-remote-addr", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.7"}
    )

    assert seen["addr"] == "203.0.113.7"


def test_queue_and_raptor_keep_separate_configs(composed: wsgi.Composed) -> None:
    assert composed.queue is not None
    raptor, queue = composed.raptor.config, composed.queue.config

    assert raptor["SECRET_KEY"] != queue["SECRET_KEY"]
    assert raptor["SESSION_COOKIE_NAME"] != queue["SESSION_COOKIE_NAME"]
    assert raptor["MAX_CONTENT_LENGTH"] != queue["MAX_CONTENT_LENGTH"]


def test_queue_sets_no_cookie(client: TestApp) -> None:
    for path in ("/api/v1/", "/api/v1/healthz", "/api/v1/nope"):
        response = client.get(path, expect_errors=True)

        assert "Set-Cookie" not in response.headers


def test_route_table_lists_both_apps(composed: wsgi.Composed) -> None:
    rows = wsgi.route_table(composed)

    assert ("/healthz", "GET,OPTIONS", "raptor") in rows
    assert ("/api/v1/healthz", "GET,OPTIONS", "queue") in rows


def test_routes_command_prints_the_table() -> None:
    env = {"FLAG_QUEUE_V1": "1", "RAPTOR_ENV": "development"}
    env["QUEUE_ENV"] = "development"

    result = subprocess.run(
        [sys.executable, "-m", "wsgi", "routes"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    lines = [line.split() for line in result.stdout.splitlines()]
    assert ["/api/v1/healthz", "GET,OPTIONS", "queue"] in lines
    assert ["/", "GET,OPTIONS", "raptor"] in lines


def test_health_endpoints_answer_for_each_app(client: TestApp) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/api/v1/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json["status"] == "ok"
    assert client.get("/api/v1/readyz").json["status"] == "ok"


def test_api_v1_redirect_keeps_the_query_string(client: TestApp) -> None:
    response = client.get("/api/v1?page=2&q=a%20b", status=308)

    assert response.headers["Location"] == "http://localhost/api/v1/?page=2&q=a%20b"
