"""Timing side by side, and the result each figure hands to the report."""

import math
import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class Side(Protocol):
    """One thing to time: ``prepare`` is not timed, ``run`` of its value is."""

    def prepare(self) -> Any: ...

    def run(self, prepared: Any) -> object: ...


@dataclass(frozen=True)
class Plain:
    """A side that needs nothing prepared: ``call`` is timed as it is."""

    call: Callable[[], object]

    def prepare(self) -> None:
        return None

    def run(self, prepared: None) -> object:
        return self.call()


def interleave(
    sides: Mapping[str, Side], *, calls: int, block: int, turn: int
) -> dict[str, list[float]]:
    """Milliseconds of ``calls`` calls of each side, ``block`` in a row, in turn.

    The sides take turns in ABBA order, starting from a side that rotates
    with ``turn``, so that none always runs first or after the same side.
    Each side first runs one untimed block, to warm what it touches.
    """
    names = list(sides)
    shift = turn % len(names)
    order = names[shift:] + names[:shift]
    for name in order:
        _time(sides[name], block)

    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(math.ceil(calls / block)):
        for name in order:
            times[name] += _time(sides[name], block)
        order.reverse()
    return times


def _time(side: Side, count: int) -> list[float]:
    spent = []
    for _ in range(count):
        prepared = side.prepare()
        start = time.perf_counter_ns()
        side.run(prepared)
        spent.append((time.perf_counter_ns() - start) / 1e6)
    return spent


def cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: ``share`` 0.99 is the p99."""
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return float(ordered[rank - 1])


@dataclass(frozen=True)
class Goal:
    """What a figure should reach: ``limit`` as an upper or lower bound."""

    limit: float
    upper: bool
    unit: str = "x"

    def met(self, value: float) -> bool:
        return value <= self.limit if self.upper else value >= self.limit

    def __str__(self) -> str:
        sign = "≤" if self.upper else "≥"
        return f"{sign} {self.limit:g}{self.unit}".replace("  ", " ")


def at_most(limit: float, unit: str = "x") -> Goal:
    return Goal(limit, upper=True, unit=unit)


def at_least(limit: float, unit: str = "x") -> Goal:
    return Goal(limit, upper=False, unit=unit)


@dataclass
class Result:
    """One figure as measured: the table row, its method and its distributions.

    ``value`` is what ``goal`` is checked against; ``shown`` is how the table
    prints it. ``samples`` holds latencies in milliseconds, by series, for
    the plot; ``details`` are lines for the results page.
    """

    number: int
    title: str
    value: float | None
    shown: str
    goal: Goal | None
    method: str
    details: list[str] = field(default_factory=list)
    samples: dict[str, list[float]] = field(default_factory=dict)
    error: str | None = None

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "error"
        if self.goal is None or self.value is None:
            return "no goal" if self.goal is None else "not measured"
        return "met" if self.goal.met(self.value) else "missed"


def failed(number: int, title: str, method: str, error: BaseException) -> Result:
    """The row of a figure whose measurement raised ``error``."""
    message = f"{type(error).__name__}: {error}".splitlines()[0][:300]
    return Result(number, title, None, "—", None, method, error=message)


def spread(values: Sequence[float]) -> str:
    """The median and range of per-round values, for the details."""
    return (
        f"median {median(values):.3f}, range {min(values):.3f} to {max(values):.3f} "
        f"over {len(values)} rounds"
    )
