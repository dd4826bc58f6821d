"""Figure 4: Raptor's latency while sign-ins are hammered in the same workers.

The composed service runs as shipped: 2 gthread workers, Queue's rate limits
on (counted per worker, the embedded default), at most
``QUEUE_HASH_CONCURRENCY`` argon2 hashes and ``QUEUE_MAX_IN_FLIGHT`` Queue
requests at once per worker. Probe users ask for Raptor's cheap route at a
steady pace through one locust run whose slices of time take turns: idle,
hammered (attackers sign in as fast as answered, a new email each time, from
one address), idle, and flooded, a control in which as many users ask for
Queue's cheapest route instead. Each hammered or flooded slice is a round,
set against the idle slices on either side of it.
"""

from collections import Counter

from ..load import Slice, locust, rounds, start
from ..measure import Result, at_most, cpus, median, percentile, spread
from ..servers import Bench

NUMBER = 4
TITLE = "The shared worker pool"
GOAL = at_most(2)
PHASES = ("idle", "hammer", "idle", "flood")
PROBE_USERS, PROBE_RATE = 4, 25  # 100 requests a second in all
ATTACKERS = 8  # users of the hammer, and of the flood

# What an attempt's status says happened to it.
OUTCOMES = {201: "hashed", 401: "hashed", 429: "throttled", 503: "refused"}


def method(seconds: float) -> str:
    return (
        f"p99 of Raptor's GET /healthz from {PROBE_USERS} locust users at "
        f"{PROBE_RATE}/s each while {ATTACKERS} users sign in as fast as answered, "
        f"against idle, in {seconds:g} s slices taking turns (a flood of Queue's "
        f"/healthz by as many users as control), rate limits and caps on; "
        f"per-slice ratio, median over slices."
    )


def run(bench: Bench) -> Result:
    probed, attacks, attackers_cpu = _load(bench)
    hammered = rounds(probed, "hammer", "idle")
    flooded = rounds(probed, "flood", "idle")
    ratios = {
        "p99": [_ratio(pair, 0.99) for pair in hammered],
        "p50": [_ratio(pair, 0.5) for pair in hammered],
        "flood p99": [_ratio(pair, 0.99) for pair in flooded],
    }
    outcomes = Counter(
        OUTCOMES.get(sample.status, "other")
        for part in attacks
        for sample in part.of("hammer")
    )
    samples = {
        phase: [
            ms
            for part in probed
            if part.phase == phase
            for ms in part.latencies("probe")
        ]
        for phase in ("idle", "hammer", "flood")
    }

    ratio = median(ratios["p99"])
    attempts = sum(outcomes.values())
    tally = ", ".join(f"{outcomes[kind]} {kind}" for kind in sorted(outcomes))
    p99 = {phase: percentile(values, 0.99) for phase, values in samples.items()}
    shown = (
        f"{ratio:.2f} (p50 {median(ratios['p50']):.2f}; flood control "
        f"{median(ratios['flood p99']):.2f}; p99 idle {p99['idle']:.1f} ms, hammered "
        f"{p99['hammer']:.1f} ms; {attempts} sign-ins: {tally})"
    )
    details = [f"{name} over idle: {spread(values)}" for name, values in ratios.items()]
    details.append(f"sign-in attempts: {attempts}: {tally}")
    details.append(
        "the attackers' own locust process used "
        f"{attackers_cpu:.0%} of the machine's CPU over the run (attacking in half "
        "of its slices), "
        "which remote attackers would not take from the server"
    )
    text = method(bench.budget.pool_slice)
    return Result(NUMBER, TITLE, ratio, shown, GOAL, text, details, samples)


def _ratio(pair: tuple[Slice, Slice], share: float) -> float:
    loaded, idle = pair
    return loaded.p("probe", share) / idle.p("probe", share)


def _load(bench: Bench) -> tuple[list[Slice], list[Slice], float]:
    """The probe's slices, the attackers' and their share of the CPU.

    Apart, the attackers' event loop cannot delay the probe's timing; both
    count slices from the epoch, so their phases agree.
    """
    budget = bench.budget
    url = bench.server("composed").url
    options = {
        "seconds": budget.pool_seconds,
        "phases": PHASES,
        "slice_seconds": budget.pool_slice,
        "warmup": budget.warmup_seconds,
        "env": {
            "BENCH_PROBE_USERS": str(PROBE_USERS),
            "BENCH_PROBE_RATE": str(PROBE_RATE),
            "BENCH_HAMMER_USERS": str(ATTACKERS),
        },
    }
    attackers = start(
        url,
        ["Hammer", "Flood"],
        users=2 * ATTACKERS,
        log_dir=bench.log_dir("locust-attackers-"),
        **options,
    )
    try:
        probed = locust(
            url,
            ["Probe"],
            users=PROBE_USERS,
            log_dir=bench.log_dir("locust-probe-"),
            **options,
        )
        attacks = attackers.slices()
    finally:
        attackers.stop()
    share = attackers.cpu_seconds / budget.pool_seconds / cpus()

    failed = [s for part in probed for s in part.of("probe") if s.status != 200]
    if failed:
        raise RuntimeError(f"{len(failed)} of Raptor's cheap requests failed")
    return probed, attacks, share
