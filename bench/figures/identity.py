"""Figure 3: the identity call from Raptor, in-process against over HTTP.

The same contract client, built by Raptor's own ``identity.build_client``,
introspects live tokens in-process through the Queue app mounted in this
process, and over HTTP to Queue alone under gunicorn on loopback (2 workers,
the same database). Two more sides show where the time goes: Queue's WSGI
app called with no client at all, the least any in-process transport could
cost, and, as the floor, Queue's service layer called directly.
"""

import random
from collections.abc import Callable

import wsgi
from backend_v2.api import identity
from queue_identity import services
from queue_identity.client import QueueClient

from ..calls import introspection
from ..measure import Plain, Result, at_least, interleave, median, spread
from ..servers import Bench, build_raptor

NUMBER = 3
TITLE = "The identity call from Raptor"
METHOD = (
    "QueueClient.introspect of a live token in-process (Queue's WSGI app) "
    "against the same client over HTTP to Queue alone under gunicorn, with "
    "Queue's app called bare and its services.introspect as the floor, in "
    "blocks taken in turn; per-round ratio of median latencies, median over "
    "rounds."
)
GOAL = at_least(5, "x faster")


def run(bench: Bench) -> Result:
    composed = bench.composed
    tokens = bench.tokens
    in_process = composed.raptor.extensions[identity.EXTENSION]
    over_http = build_raptor(bench.server("queue").url).extensions[identity.EXTENSION]

    def floor() -> None:
        with composed.queue.app_context():
            _active(services.introspect(random.choice(tokens)))

    sides = {
        "in-process": Plain(_introspect(in_process, tokens)),
        "HTTP": Plain(_introspect(over_http, tokens)),
        "Queue's app, no client": introspection(
            composed.queue, tokens, script_name=wsgi.QUEUE_MOUNT
        ),
        "service layer": Plain(floor),
    }
    budget = bench.budget
    calls, block = max(budget.calls // 4, budget.block), budget.block
    speedups, above_floor, bounds = [], [], []
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for turn in range(budget.rounds):
        times = interleave(sides, calls=calls, block=block, turn=turn)
        mid = {name: median(spent) for name, spent in times.items()}
        speedups.append(mid["HTTP"] / mid["in-process"])
        above_floor.append(mid["in-process"] / mid["service layer"])
        bounds.append(mid["HTTP"] / mid["Queue's app, no client"])
        for name, spent in times.items():
            samples[name] += spent

    over_http.close()
    speedup = median(speedups)
    p50 = {name: median(spent) for name, spent in samples.items()}
    shown = (
        f"{speedup:.2f}x faster in-process (p50 "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in p50.items())
        + f"; in-process is {median(above_floor):.2f}x the floor)"
    )
    details = [
        f"HTTP over in-process: {spread(speedups)}",
        f"in-process over the service layer: {spread(above_floor)}",
        "HTTP over Queue's WSGI app called with no client at all, the most an "
        f"in-process transport could reach: {spread(bounds)}",
    ]
    return Result(NUMBER, TITLE, speedup, shown, GOAL, METHOD, details, samples)


def _introspect(client: QueueClient, tokens: list[str]) -> Callable[[], None]:
    return lambda: _active(client.introspect(random.choice(tokens)))


def _active(answer: object) -> None:
    if answer is None or (isinstance(answer, dict) and not answer.get("active")):
        raise AssertionError("a seeded token was not active")
