"""Figure 2: the composed service against each app served alone, under gunicorn.

Three servers run side by side on loopback, each with 2 gthread workers and
``gunicorn.conf.py``: the composed service, Raptor alone (the flag off) and
Queue alone. For each app one locust run of closed-loop users, each asking
again as soon as it is answered, switches between the composed server and
the app's own every couple of seconds; every slice on the composed server is
a round, set against the slices on the other just before and after it.

A fourth server, a twin of Raptor alone, is measured against Raptor alone
the same way: the control says how far from 1 two identical servers come
out, which is the resolution the figure has on this machine.
"""

from collections import Counter

from ..load import Slice, locust, rounds
from ..measure import Result, at_least, median, spread
from ..servers import Bench

NUMBER = 2
TITLE = "Under gunicorn, on loopback"
GOAL = at_least(0.95)
PHASES = ("composed", "alone")

# app: (server, path) composed, then (server, path) alone
PAIRS = {
    "Raptor": (("composed", "/healthz"), ("raptor", "/healthz")),
    "Queue": (("composed", "/api/v1/healthz"), ("queue", "/healthz")),
}
# Two identical servers measured the same way: how far apart the method
# puts two things that are the same, on this machine, in this run.
CONTROL = (("raptor twin", "/healthz"), ("raptor", "/healthz"))


def method(users: int, seconds: float) -> str:
    return (
        f"GET /healthz of each app, composed against served alone, 2 workers "
        f"each; locust headless, {users} closed-loop users switching server every "
        f"{seconds:g} s; per-slice ratio of throughput (p50, p99 shown) against the "
        f"neighbouring slices, median over slices, the worse app quoted; two "
        f"identical servers as control."
    )


def run(bench: Bench) -> Result:
    figures: dict[str, dict[str, list[float]]] = {}
    samples: dict[str, list[float]] = {}
    refused: Counter[str] = Counter()
    for app, sides in PAIRS.items():
        slices = _load(bench, sides)
        figures[app] = _compare(rounds(slices, "composed", "alone"))
        for part in slices:
            name = f"{app} {part.phase}"
            samples.setdefault(name, []).extend(part.latencies(part.phase))
            refused[name] += len(part.samples) - len(part.latencies(part.phase))

    control = _compare(rounds(_load(bench, CONTROL), "composed", "alone"))
    quoted = {app: median(values["throughput"]) for app, values in figures.items()}
    worst = min(quoted.values())
    shown = ", ".join(
        f"{app} {quoted[app]:.3f} (p50 {median(v['p50']):.2f}, "
        f"p99 {median(v['p99']):.2f})"
        for app, v in figures.items()
    )
    shown += (
        f"; control, Raptor alone against its twin, {median(control['throughput']):.3f}"
    )
    details = [
        f"{app} {name} ratio: {spread(values)}"
        for app, measured in figures.items()
        for name, values in measured.items()
    ]
    details += [
        f"control, Raptor alone against an identical server, {name} ratio: "
        f"{spread(values)}"
        for name, values in control.items()
    ]
    details += [
        f"{series}: {len(values)} requests answered 200, p50 {median(values):.2f} ms, "
        f"{refused.get(series, 0)} refused (Queue's in-flight cap answers 503)"
        for series, values in samples.items()
    ]
    budget = bench.budget
    text = method(budget.users, budget.load_slice)
    return Result(
        NUMBER, TITLE, worst, f"{worst:.3f}: {shown}", GOAL, text, details, samples
    )


def _load(bench: Bench, sides: tuple[tuple[str, str], ...]) -> list[Slice]:
    targets = ",".join(
        f"{phase}={bench.server(name).url}{path}"
        for phase, (name, path) in zip(PHASES, sides, strict=True)
    )
    budget = bench.budget
    slices = locust(
        bench.server(sides[0][0]).url,
        ["Alternate"],
        users=budget.users,
        seconds=budget.load_seconds,
        phases=PHASES,
        slice_seconds=budget.load_slice,
        warmup=budget.warmup_seconds,
        log_dir=bench.log_dir("locust-throughput-"),
        env={"BENCH_TARGETS": targets},
    )
    return slices


def _compare(paired: list[tuple[Slice, Slice]]) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"throughput": [], "p50": [], "p99": []}
    for composed, alone in paired:
        ratio = composed.throughput("composed") / alone.throughput("alone")
        figures["throughput"].append(ratio)
        for share, key in ((0.5, "p50"), (0.99, "p99")):
            figures[key].append(composed.p("composed", share) / alone.p("alone", share))
    return figures
