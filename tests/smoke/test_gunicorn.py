"""The composed service under real gunicorn, as the Procfile starts it.

One server for the module answers real HTTP; the shutdown test starts its
own, since it ends the server it tests.
"""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.servers import Server, running

pytestmark = pytest.mark.smoke

ENV = {"RAPTOR_ENV": "development", "QUEUE_ENV": "development", "FLAG_QUEUE_V1": "1"}
REQUEST_ID = "smoke-0123456789abcdef-ROUTER+/="


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running("wsgi:app", ENV, log_dir=tmp_path_factory.mktemp("gunicorn")) as s:
        yield s


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


def test_index_is_raptors_with_queue_mounted(http: httpx.Client) -> None:
    response = http.get("/")

    assert response.status_code == 200
    assert response.json()["service"] == "raptor"
    assert response.json()["mounts"] == {"/api/v1": "queue"}


def test_queue_health_answers_under_api_v1(http: httpx.Client) -> None:
    response = http.get("/api/v1/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_api_v1_redirects_to_slash(http: httpx.Client, server: Server) -> None:
    response = http.get("/api/v1")

    assert response.status_code == 308
    assert response.headers["Location"] == server.url + "/api/v1/"


def test_unknown_path_is_problem_404(http: httpx.Client) -> None:
    response = http.get("/no-such-page")

    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["type"].startswith("https://raptor.invalid/")


@pytest.mark.parametrize("path", ["/healthz", "/api/v1/healthz"])
def test_request_id_is_echoed(http: httpx.Client, path: str) -> None:
    response = http.get(path, headers={"X-Request-ID": REQUEST_ID})

    assert response.headers["X-Request-ID"] == REQUEST_ID


def test_access_log_has_full_path_and_request_id(
    http: httpx.Client, server: Server
) -> None:
    request_id = "access-log-" + "7" * 20

    http.get("/api/v1/healthz", headers={"X-Request-ID": request_id})

    line = server.wait_for_log("/api/v1/healthz", f"request_id={request_id}")
    assert "GET /api/v1/healthz HTTP/1.1" in line


def test_workers_are_gthread(server: Server) -> None:
    assert "Using worker: gthread" in server.log()


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/healthz", {"status": "ok"}), ("/", {"service": "raptor"})],
)
def test_client_prefix_headers_do_not_change_routing(
    http: httpx.Client, path: str, expected: dict[str, str]
) -> None:
    # gunicorn would map SCRIPT_NAME and PATH_INFO headers from a trusted
    # peer (loopback, by default) into the environ; our config trusts none.
    headers = {
        "SCRIPT_NAME": "/api/v1",
        "PATH_INFO": "/api/v1/readyz",
        "X-Forwarded-Prefix": "/x",
    }

    response = http.get(path, headers=headers)

    assert response.status_code == 200
    assert expected.items() <= response.json().items()


def test_sigterm_stops_gunicorn_in_time(tmp_path: Path) -> None:
    with running("wsgi:app", ENV, log_dir=tmp_path) as server:
        with server.client() as client:
            client.get("/healthz")

        assert server.stop(timeout=30.0) == 0
