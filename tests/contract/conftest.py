"""Queue reached both ways its client can reach it, for one contract suite.

Every test that takes :func:`leg` runs twice:

- ``in-process``: the composed service with ``FLAG_QUEUE_V1`` on; Queue is
  the app mounted at ``/api/v1`` and Raptor calls it without a socket;
- ``http``: Queue alone under real gunicorn on a free loopback port, started
  as ``queue/Procfile`` starts it, from the repository root; Raptor runs with
  the flag off and ``RAPTOR_QUEUE_URL`` pointing at it, and nothing else.

Each leg's database is migrated by the Procfile's own release command. The
legs live for the session; tests tell their users apart by email.
"""

import os
import shlex
import subprocess
import sysconfig
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

import wsgi
from queue_identity.client import QueueClient
from tests.servers import ROOT, Server, running

PROCFILE = ROOT / "queue" / "Procfile"
SCRIPTS = Path(sysconfig.get_path("scripts"))
QUEUE_APP = "queue_identity.wsgi:app"
CLIENT_ID = "raptor"
CLIENT_SECRET = "raptor-dev-secret"  # Queue's development value
PASSWORD = "a long and unusual passphrase 42"
TIMEOUT = 5.0


def procfile() -> dict[str, list[str]]:
    """queue/Procfile's process types, each command split as a shell would."""
    processes = {}
    for line in PROCFILE.read_text().splitlines():
        name, _, command = line.partition(":")
        processes[name.strip()] = shlex.split(command)
    return processes


def queue_environment(tmp: Path) -> dict[str, str]:
    """Queue alone in development: a SQLite file of its own, limits off."""
    return {
        "QUEUE_ENV": "development",
        "QUEUE_DATABASE_URL": f"sqlite:///{tmp / 'queue.sqlite3'}",
        "QUEUE_RATELIMIT_ENABLED": "false",
    }


def release(env: dict[str, str]) -> None:
    """Run the Procfile's release command from the root, as Heroku would."""
    path = os.pathsep.join([str(SCRIPTS), os.environ.get("PATH", os.defpath)])
    subprocess.run(
        procfile()["release"],
        cwd=ROOT,
        env={**env, "PATH": path, "PYTHONPATH": str(ROOT)},
        check=True,
        capture_output=True,
    )


@dataclass
class Leg:
    """One way of reaching Queue, with Raptor configured to use it."""

    name: str
    queue_app: Any  # Queue's WSGI app in this process, or None over HTTP
    queue_url: str | None  # Queue's root, when Raptor calls it over HTTP
    public: httpx.Client  # Queue's API as end users reach it
    raptor: httpx.Client  # Raptor, configured for this leg
    clients: list[QueueClient] = field(default_factory=list)

    def client(
        self, secret: str = CLIENT_SECRET, timeout: float = TIMEOUT
    ) -> QueueClient:
        """A Queue client over this leg's transport, as Raptor builds one."""
        options = {"client_id": CLIENT_ID, "client_secret": secret, "timeout": timeout}
        if self.queue_app is not None:
            made = QueueClient.in_process(
                self.queue_app, script_name=wsgi.QUEUE_MOUNT, **options
            )
        else:
            assert self.queue_url is not None
            made = QueueClient.over_http(self.queue_url, **options)
        self.clients.append(made)
        return made

    def sign_up(self) -> dict[str, Any]:
        """A new user, through Queue's public API."""
        email = f"user-{uuid.uuid4().hex[:12]}@example.com"
        body = {"email": email, "password": PASSWORD, "name": "Ada Lovelace"}
        response = self.public.post("/users", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def sign_in(self, user: dict[str, Any]) -> dict[str, Any]:
        """A new session of ``user``: the body of POST /sessions."""
        body = {"email": user["email"], "password": PASSWORD}
        response = self.public.post("/sessions", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def close(self) -> None:
        for made in self.clients:
            made.close()
        self.public.close()
        self.raptor.close()


def _over_wsgi(app: Any, base_url: str) -> httpx.Client:
    return httpx.Client(transport=httpx.WSGITransport(app), base_url=base_url)


@pytest.fixture(scope="session")
def standalone_queue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Queue alone under gunicorn, with the root's gunicorn.conf.py."""
    tmp = tmp_path_factory.mktemp("standalone-queue")
    env = queue_environment(tmp)
    release(env)

    config = ROOT / "gunicorn.conf.py"
    with running(QUEUE_APP, env, log_dir=tmp, cwd=ROOT, config=config) as server:
        yield server


@pytest.fixture(scope="session")
def in_process_leg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Leg]:
    env = queue_environment(tmp_path_factory.mktemp("in-process-queue"))
    release(env)
    queue_config = {
        "ENV": "development",
        "DATABASE_URL": env["QUEUE_DATABASE_URL"],
        "RATELIMIT_ENABLED": False,
    }
    raptor_config = {"ENV": "development", "QUEUE_URL": None}
    composed = wsgi.build_app(
        {"FLAG_QUEUE_V1": "1"}, raptor_config=raptor_config, queue_config=queue_config
    )

    raptor = _over_wsgi(composed, "http://raptor.test")
    public = _over_wsgi(composed, "http://raptor.test" + wsgi.QUEUE_MOUNT)
    leg = Leg("in-process", composed.queue, None, public, raptor)
    yield leg
    leg.close()


@pytest.fixture(scope="session")
def http_leg(standalone_queue: Server) -> Iterator[Leg]:
    # The switch to the extracted Queue is this one variable, read by the
    # same build_app that gunicorn runs; no code is told which leg it is.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPTOR_QUEUE_URL", standalone_queue.url)
        composed = wsgi.build_app({"FLAG_QUEUE_V1": "0"})

    raptor = _over_wsgi(composed, "http://raptor.test")
    public = standalone_queue.client(timeout=TIMEOUT)
    leg = Leg("http", None, standalone_queue.url, public, raptor)
    yield leg
    leg.close()


@pytest.fixture(
    params=["in-process", pytest.param("http", marks=pytest.mark.smoke)],
)
def leg(request: pytest.FixtureRequest) -> Leg:
    """Queue over each transport in turn."""
    fixture = "in_process_leg" if request.param == "in-process" else "http_leg"
    found: Leg = request.getfixturevalue(fixture)
    return found


@pytest.fixture
def user(leg: Leg) -> dict[str, Any]:
    """A user who just signed up, as POST /users answered."""
    return leg.sign_up()


@pytest.fixture
def session(leg: Leg, user: dict[str, Any]) -> dict[str, Any]:
    """A session of :func:`user`, as POST /sessions answered."""
    return leg.sign_in(user)
