"""Real gunicorn processes, for smoke tests, contract tests and benchmarks.

:func:`running` starts ``gunicorn <app>`` the way Heroku does: from a working
directory that holds ``gunicorn.conf.py``, with the code on ``PYTHONPATH``
and nothing else of this process's environment. It waits until the health
endpoint answers, and always kills the process group on the way out::

    with running("wsgi:app", {"FLAG_QUEUE_V1": "1"}, log_dir=tmp) as server:
        server.client().get("/healthz")
        server.stop()  # SIGTERM, as Heroku sends; returns the exit code

Queue alone runs the same way, from its own folder with the shared config::

    running("queue_identity.wsgi:app", env, log_dir=tmp, cwd=ROOT / "queue",
            pythonpath=[ROOT / "queue"], config=ROOT / "gunicorn.conf.py")
"""

import os
import signal
import socket
import subprocess
import sysconfig
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sysconfig.get_path("scripts")) / "gunicorn"
START_TIMEOUT = 30.0  # seconds for the first healthy answer
STOP_TIMEOUT = 30.0  # what Heroku allows between SIGTERM and SIGKILL


class ServerFailed(RuntimeError):
    """gunicorn exited or stayed unhealthy; the message carries its log."""


@dataclass
class Server:
    """A running gunicorn: its base URL, process and captured output."""

    url: str
    process: "subprocess.Popen[bytes]"
    stdout: Path
    stderr: Path

    def client(self, timeout: float = 5.0) -> httpx.Client:
        """An HTTP client for this server; proxy variables cannot divert it."""
        return httpx.Client(base_url=self.url, timeout=timeout, trust_env=False)

    def log(self) -> str:
        """Everything gunicorn wrote so far, stdout then stderr."""
        outputs = (self.stdout, self.stderr)
        return "".join(path.read_text(errors="replace") for path in outputs)

    def wait_for_log(self, *parts: str, timeout: float = 5.0) -> str:
        """The first stdout line holding every one of ``parts``.

        gunicorn writes the access log after the response is sent, so a
        client can read the answer before its log line exists.
        """
        deadline = time.monotonic() + timeout
        while True:
            for line in self.stdout.read_text(errors="replace").splitlines():
                if all(part in line for part in parts):
                    return line

            if time.monotonic() > deadline:
                raise AssertionError(f"no log line with {parts!r}:\n{self.log()}")
            time.sleep(0.05)

    def stop(self, timeout: float = STOP_TIMEOUT) -> int:
        """Send SIGTERM and return the exit code; raise if it outlives ``timeout``."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """Kill gunicorn and its workers if any of them still run."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # the whole group has exited already
        self.process.wait()


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(
    app: str,
    env: Mapping[str, str],
    *,
    log_dir: Path,
    cwd: Path = ROOT,
    pythonpath: Sequence[Path] = (ROOT,),
    config: Path | None = None,
    workers: int = 2,
    health: str = "/healthz",
) -> Iterator[Server]:
    """Run gunicorn serving ``app`` until the block ends, healthy on entry.

    ``env`` is the whole application environment: the parent's is not
    inherited, so a stray ``SCRIPT_NAME`` or ``GUNICORN_CMD_ARGS`` cannot
    change what is tested. Output goes to files in ``log_dir``.
    """
    port = free_port()
    command = [str(GUNICORN), app, "--workers", str(workers)]
    command += ["--bind", f"127.0.0.1:{port}"]
    # Every gunicorn claims the same per-user control socket by default, so
    # servers that run side by side would take it from one another.
    command += ["--no-control-socket"]
    if config is not None:
        command += ["--config", str(config)]

    server = _spawn(command, _environment(env, pythonpath), cwd, log_dir, port)
    try:
        _wait_healthy(server, health)
        yield server
    finally:
        server.kill()


def _environment(env: Mapping[str, str], pythonpath: Sequence[Path]) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "PYTHONPATH": os.pathsep.join(str(path) for path in pythonpath),
        "PYTHONUNBUFFERED": "1",
        **env,
    }


def _spawn(
    command: list[str], env: dict[str, str], cwd: Path, log_dir: Path, port: int
) -> Server:
    stdout, stderr = log_dir / "gunicorn.stdout.log", log_dir / "gunicorn.stderr.log"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        # A session of its own, so that teardown can kill the workers too.
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True
        )

    return Server(f"http://127.0.0.1:{port}", process, stdout, stderr)


def _wait_healthy(server: Server, health: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerFailed(f"gunicorn exited early:\n{server.log()}")

        try:
            with server.client(timeout=1.0) as client:
                if client.get(health).status_code == 200:
                    return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.1)

    raise ServerFailed(f"{health} did not answer 200 in time:\n{server.log()}")
