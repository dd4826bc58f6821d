"""Locust users for the gunicorn figures; :mod:`bench.load` runs them headless.

Time is cut into slices of ``$BENCH_SLICE`` seconds, counted from the epoch
so that every user agrees on them, and the slices take turns as the phases
listed in ``$BENCH_PHASES``. Users that load the server only in some phases
sleep through the others; the probe never stops. Interleaving at this grain
puts both sides of a ratio within seconds of each other, so that the noise
of a shared machine falls on both alike.

Every request is kept as ``[name, start, milliseconds, status]`` and written
as JSON to ``$BENCH_SAMPLES`` when locust quits: locust's own percentiles
round to whole milliseconds, too coarse for a ratio of two p50s.
"""

import json
import os
import time
import uuid
from typing import Any

from locust import FastHttpUser, constant_throughput, events, task

SAMPLES: list[tuple[str, float, float, int]] = []
SLICE = float(os.environ.get("BENCH_SLICE", "1"))
PHASES = os.environ.get("BENCH_PHASES", "idle").split(",")
PASSWORD = "not the password of anyone here"
TARGETS = dict(
    pair.split("=", 1)
    for pair in os.environ.get("BENCH_TARGETS", "").split(",")
    if pair
)


def phase() -> str:
    """The phase the current slice of time belongs to."""
    return PHASES[int(time.time() // SLICE) % len(PHASES)]


def sleep_until(wanted: str) -> None:
    """Sleep, a slice boundary at a time, until a slice of phase ``wanted``."""
    while phase() != wanted:
        time.sleep(SLICE - time.time() % SLICE + 0.001)


@events.request.add_listener
def _keep(
    name: str, start_time: float, response_time: float, response: Any, **_: Any
) -> None:
    status = getattr(response, "status_code", None) or 0
    SAMPLES.append((name, start_time, response_time, int(status)))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    with open(os.environ["BENCH_SAMPLES"], "w") as out:
        json.dump(SAMPLES, out)


class Alternate(FastHttpUser):
    """Asks again as soon as answered, of the target the slice's phase names.

    ``$BENCH_TARGETS`` maps each phase to a URL, as ``phase=url,...``. The
    first request of each slice closes its connection, so that gunicorn
    deals the users out to its workers afresh: a run is not stuck with one
    uneven deal.
    """

    last = ""

    @task
    def get(self) -> None:
        current = phase()
        headers = {"Connection": "close"} if current != self.last else None
        self.last = current
        self.client.get(TARGETS[current], name=current, headers=headers)


class Probe(FastHttpUser):
    """Asks for Raptor's cheap route at a steady pace, as real users would."""

    fixed_count = int(os.environ.get("BENCH_PROBE_USERS", "4"))
    wait_time = constant_throughput(float(os.environ.get("BENCH_PROBE_RATE", "25")))

    @task
    def probe(self) -> None:
        self.client.get("/healthz", name="probe")


class Hammer(FastHttpUser):
    """In ``hammer`` slices, signs in as fast as answered, a new email each time.

    The emails name nobody, so every attempt that gets through the limits
    costs Queue a full argon2 verification, as a guessed password does.
    """

    fixed_count = int(os.environ.get("BENCH_HAMMER_USERS", "8"))

    @task
    def sign_in(self) -> None:
        sleep_until("hammer")
        email = f"nobody-{uuid.uuid4().hex[:16]}@bench.example"
        body = {"email": email, "password": PASSWORD}
        self.client.post("/api/v1/sessions", json=body, name="hammer")


class Flood(FastHttpUser):
    """In ``flood`` slices, asks for Queue's cheapest route as fast as answered.

    A control for :class:`Hammer`, as many users strong: it costs Queue no
    hashing and no database, so what it does to the probe is what any flood
    of that many users does, whatever it asks for.
    """

    fixed_count = int(os.environ.get("BENCH_HAMMER_USERS", "8"))

    @task
    def healthz(self) -> None:
        sleep_until("flood")
        self.client.get("/api/v1/healthz", name="flood")
