"""What the figures run against: the service in this process and under gunicorn.

One :class:`Bench` holds, for the whole run, a temporary SQLite database of
Queue's (migrated by Queue's own CLI, then seeded), the composed app built in
this process on that database, and gunicorn servers on loopback ports that
share it: the composed service, Raptor alone (the flag off) and Queue alone.
Servers start on first use and are all killed when the bench closes.
"""

import os
import subprocess
import sys
import sysconfig
import tempfile
from contextlib import AbstractContextManager, ExitStack
from functools import cached_property
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine

import wsgi
from backend_v2.api import create_app as create_raptor
from queue_identity import security
from tests.servers import ROOT, Server, running

from .budget import Budget
from .seed import PASSWORD, seed

SCRIPTS = Path(sysconfig.get_path("scripts"))
SEEDED_USERS = 100  # in the shared database, for the figures that need tokens

# Development mode fills in every secret, so nothing here needs one.
DEVELOPMENT = {"RAPTOR_ENV": "development", "QUEUE_ENV": "development"}

# gunicorn app, extra environment, working directory for each way to serve.
SERVED = {
    "composed": ("wsgi:app", {"FLAG_QUEUE_V1": "1"}),
    "raptor": ("wsgi:app", {"FLAG_QUEUE_V1": "0"}),
    "raptor twin": ("wsgi:app", {"FLAG_QUEUE_V1": "0"}),  # a control for figure 2
    "queue": ("queue_identity.wsgi:app", {}),
}


class Bench:
    """The run's shared database, in-process app and servers; close it after."""

    def __init__(self, budget: Budget, postgres_url: str | None) -> None:
        self.budget = budget
        self.postgres_url = postgres_url
        self._stack = ExitStack()
        self._servers: dict[str, Server] = {}
        self.tmp = Path(self._stack.enter_context(tempfile.TemporaryDirectory()))
        self.database_url = f"sqlite:///{self.tmp / 'queue.sqlite3'}"
        try:
            migrate(self.database_url)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> "Bench":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()

    @cached_property
    def composed(self) -> wsgi.Composed:
        """The composed service in this process, Queue mounted, limits on."""
        return build_composed(self.database_url)

    @cached_property
    def password_hash(self) -> str:
        """One hash of the seeded users' password, at Queue's parameters."""
        return security.Passwords(self.composed.queue.config).hasher.hash(PASSWORD)

    @cached_property
    def tokens(self) -> list[str]:
        """Secrets of live tokens in the shared database, one per seeded user."""
        engine = create_engine(self.database_url)
        try:
            config = self.composed.queue.config
            return seed(
                engine, SEEDED_USERS, config=config, password_hash=self.password_hash
            )
        finally:
            engine.dispose()

    def server(self, name: str) -> Server:
        """The gunicorn server ``name`` (a key of :data:`SERVED`), started once."""
        if name not in self._servers:
            started = self.serve(name, workers=2)
            self._servers[name] = self._stack.enter_context(started)
        return self._servers[name]

    def serve(
        self, name: str, *, workers: int, env: dict[str, str] | None = None
    ) -> AbstractContextManager[Server]:
        """A fresh gunicorn server ``name`` on the shared database.

        ``env`` adds to or overrides the environment it starts with.
        """
        app, extra = SERVED[name]
        log_dir = self.log_dir(f"{name}-")
        env = {**self.environment(), **extra, **(env or {})}
        config = ROOT / "gunicorn.conf.py"
        return running(
            app, env, log_dir=log_dir, cwd=ROOT, config=config, workers=workers
        )

    def environment(self) -> dict[str, str]:
        """What every server is started with: development, the shared database."""
        return {**DEVELOPMENT, "QUEUE_DATABASE_URL": self.database_url}

    def log_dir(self, prefix: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=self.tmp))


def build_composed(database_url: str, **queue: Any) -> wsgi.Composed:
    """The composed app as gunicorn builds it, on ``database_url``."""
    return wsgi.build_app(
        {"FLAG_QUEUE_V1": "1"},
        raptor_config={"ENV": "development", "QUEUE_URL": None},
        queue_config={"ENV": "development", "DATABASE_URL": database_url, **queue},
    )


def build_raptor(queue_url: str) -> Flask:
    """Raptor alone, calling the Queue at ``queue_url`` over HTTP."""
    return create_raptor({"ENV": "development", "QUEUE_URL": queue_url})


def migrate(database_url: str) -> None:
    """Bring a database to Queue's newest revision with Queue's own CLI."""
    env = {
        "PATH": os.pathsep.join([str(SCRIPTS), os.environ.get("PATH", os.defpath)]),
        "PYTHONPATH": str(ROOT),
        **DEVELOPMENT,
        "QUEUE_DATABASE_URL": database_url,
    }
    command = [str(SCRIPTS / "flask"), "--app", "queue_identity", "queue", "migrate"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        output = (done.stdout + done.stderr).decode(errors="replace")
        sys.stderr.write(output)
        raise RuntimeError(f"Queue's migrate command failed ({done.returncode})")
