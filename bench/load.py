"""Load from locust, headless and bounded in time, with every request kept.

A run is cut into the slices of time its phases took turns in (see the
locustfile); figures compare neighbouring slices of different phases.
"""

import json
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from .measure import percentile

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
GRACE = 60  # seconds locust may take beyond its run time to start and stop


@dataclass(frozen=True)
class Sample:
    """One request: which user made it, when it started, how long it took."""

    name: str
    start: float  # seconds since the epoch
    ms: float
    status: int


@dataclass(frozen=True)
class Slice:
    """The requests that started in one slice of time, all of one phase."""

    phase: str
    seconds: float
    samples: list[Sample]

    def of(self, name: str) -> list[Sample]:
        return [sample for sample in self.samples if sample.name == name]

    def throughput(self, name: str) -> float:
        """Requests by ``name`` started per second of this slice, answered 200."""
        return len(self.latencies(name)) / self.seconds

    def latencies(self, name: str) -> list[float]:
        """Milliseconds of ``name``'s requests that were answered 200."""
        return [s.ms for s in self.of(name) if s.status == 200]

    def p(self, name: str, share: float) -> float:
        return percentile(self.latencies(name), share)


@dataclass
class Locust:
    """A locust process running headless; :meth:`slices` waits for its end."""

    process: "subprocess.Popen[bytes]"
    samples: Path
    output: Path
    phases: Sequence[str]
    slice_seconds: float
    warmup: float
    timeout: float
    cpu_seconds: float = 0.0  # locust's own, user and system, as last seen

    def watch(self) -> None:
        """Keep locust's own CPU time up to date while it runs, on a thread.

        Once it has exited there is no process left to ask.
        """
        watched = psutil.Process(self.process.pid)

        def poll() -> None:
            while self.process.poll() is None:
                self.cpu_seconds = _cpu_seconds(watched, self.cpu_seconds)
                time.sleep(0.25)

        threading.Thread(target=poll, name="locust-cpu", daemon=True).start()

    def stop(self) -> None:
        """Kill locust if it still runs; its samples are lost."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def slices(self) -> list[Slice]:
        """Wait for locust to finish; its requests, cut into whole slices.

        Slices that began less than ``warmup`` seconds into the run, and any
        cut short by its start or end, are left out. Raise with locust's
        output if it failed.
        """
        try:
            code = self.process.wait(timeout=self.timeout)
        finally:
            self.stop()
        if code != 0 or not self.samples.exists():
            log = self.output.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"locust failed ({code}):\n{log}")

        rows = json.loads(self.samples.read_text())
        self.samples.unlink()
        found = [Sample(*row) for row in rows]
        return _slices(found, self.phases, self.slice_seconds, self.warmup)


def _cpu_seconds(process: psutil.Process, last: float) -> float:
    try:
        times = process.cpu_times()
    except psutil.Error:  # it has just exited
        return last
    return float(times.user + times.system)


def start(
    host: str,
    classes: Sequence[str],
    *,
    users: int,
    seconds: int,
    phases: Sequence[str],
    slice_seconds: float,
    warmup: float,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
) -> Locust:
    """Start locust's ``classes`` against ``host`` for ``seconds``, all users at once.

    ``phases`` take turns in slices of ``slice_seconds`` (see the locustfile).
    """
    samples = log_dir / "samples.json"
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["-u", str(users), "-r", str(users), "-t", f"{seconds}s"]
    command += ["--host", host, "--only-summary", "--loglevel", "WARNING"]
    # Throttled and refused requests are the point of some runs, not faults.
    command += ["--exit-code-on-error", "0", *classes]
    environment = {
        **os.environ,
        **(env or {}),
        "BENCH_SAMPLES": str(samples),
        "BENCH_PHASES": ",".join(phases),
        "BENCH_SLICE": str(slice_seconds),
    }

    output = log_dir / "locust.log"
    with output.open("wb") as out:
        process = subprocess.Popen(
            command, env=environment, stdout=out, stderr=subprocess.STDOUT
        )
    run = Locust(
        process, samples, output, phases, slice_seconds, warmup, seconds + GRACE
    )
    run.watch()
    return run


def locust(host: str, classes: Sequence[str], **options: Any) -> list[Slice]:
    """Run locust as :func:`start` does and wait for its slices."""
    return start(host, classes, **options).slices()


def _slices(
    samples: list[Sample], phases: Sequence[str], seconds: float, warmup: float
) -> list[Slice]:
    if not samples:
        raise RuntimeError("locust made no requests")

    first = math.ceil((min(s.start for s in samples) + warmup) / seconds)
    last = math.floor(max(s.start for s in samples) / seconds) - 1
    grouped: dict[int, list[Sample]] = {k: [] for k in range(first, last + 1)}
    for sample in samples:
        k = math.floor(sample.start / seconds)
        if k in grouped:
            grouped[k].append(sample)
    return [
        Slice(phases[k % len(phases)], seconds, grouped[k]) for k in sorted(grouped)
    ]


def rounds(
    slices: Sequence[Slice], phase: str, other: str
) -> list[tuple[Slice, Slice]]:
    """Each ``phase`` slice with its neighbouring ``other`` slices merged into one.

    Each pair is a round: ``phase`` set against what the other side did just
    before and just after it, so that a drift in the machine cancels out.
    """
    paired = []
    for k, current in enumerate(slices):
        if current.phase != phase:
            continue

        around = [
            slices[j]
            for j in (k - 1, k + 1)
            if 0 <= j < len(slices) and slices[j].phase == other
        ]
        if around:
            joined = [sample for part in around for sample in part.samples]
            seconds = sum(part.seconds for part in around)
            paired.append((current, Slice(other, seconds, joined)))
    return paired
