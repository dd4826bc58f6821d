"""Queue's identity flow on the composed service under real gunicorn.

Two workers, each with its own process memory: a sign-out acknowledged by
one must hold in the other on the very next request.
"""

import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.servers import GUNICORN, Server, running

pytestmark = pytest.mark.smoke

PASSWORD = "a long and unusual passphrase"
FLASK = GUNICORN.with_name("flask")


def _migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(FLASK), "--app", "queue_identity", "queue", "migrate"],
        cwd=ROOT,
        env={"PATH": "", **env},
        check=True,
        capture_output=True,
    )


@pytest.fixture
def server(queue_database: str, tmp_path: Path) -> Iterator[Server]:
    env = {
        "RAPTOR_ENV": "development",
        "QUEUE_ENV": "development",
        "FLAG_QUEUE_V1": "1",
        "QUEUE_DATABASE_URL": queue_database,
    }
    _migrate(env)
    with running("wsgi:app", env, log_dir=tmp_path, workers=2) as s:
        yield s


def _fresh(server: Server) -> httpx.Client:
    # A new connection each time, so that requests spread over both workers.
    return httpx.Client(
        base_url=server.url, timeout=5, trust_env=False, headers={"Connection": "close"}
    )


def test_flow_under_gunicorn_revokes_in_every_worker(server: Server) -> None:
    with _fresh(server) as http:
        user = {"email": "smoke@example.com", "password": PASSWORD, "name": "Smoke"}
        assert http.post("/api/v1/users", json=user).status_code == 201

    with _fresh(server) as http:
        credentials = {"email": "smoke@example.com", "password": PASSWORD}
        token = http.post("/api/v1/sessions", json=credentials).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        assert http.get("/api/v1/users/me", headers=bearer).json()["name"] == "Smoke"
        seen = http.post(
            "/api/v1/tokens/introspect",
            data={"token": token},
            auth=("raptor", "raptor-dev-secret"),
        ).json()
        assert seen["active"] is True
        assert (
            http.delete("/api/v1/sessions/current", headers=bearer).status_code == 204
        )

    # Which worker accepts a connection is the kernel's choice: ask until
    # both have answered (bounded), and every answer must be a 401.
    statuses = []
    for _ in range(6):
        for _ in range(10):
            with _fresh(server) as http:
                response = http.get("/api/v1/users/me", headers=bearer)
                statuses.append(response.status_code)
        time.sleep(0.2)  # gunicorn logs the access line after the response
        if len(_workers_that_answered(server, "/api/v1/users/me", 401)) == 2:
            break

    assert set(statuses) == {401}
    assert len(_workers_that_answered(server, "/api/v1/users/me", 401)) == 2


def _workers_that_answered(server: Server, path: str, status: int) -> set[str]:
    """The pids in gunicorn's access lines for ``path`` with ``status``."""
    pattern = re.compile(
        rf'"GET {re.escape(path)} HTTP/1.1" {status} .* worker=<?(\d+)'
    )
    workers = set()
    for line in server.stdout.read_text().splitlines():
        record = json.loads(line)
        if record["name"] == "gunicorn.access":
            match = pattern.search(record["message"])
            workers |= {match.group(1)} if match else set()
    return workers
