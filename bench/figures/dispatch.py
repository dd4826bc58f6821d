"""Figure 1: what the composition costs a request, in this process.

Each app's cheapest route is called three ways, in turn: through the
composed app (ProxyFix, the dispatcher, then the app with everything its
factory installs); on the Flask app itself, with the environ the dispatcher
would hand it; and through the stack the product serves that app alone with
(Raptor: ``wsgi.Composed`` with the flag off; Queue: ProxyFix, as
``queue_identity.wsgi``). A cheap route is the worst case: the layers cost
the same few microseconds whatever the route does.
"""

from werkzeug.middleware.proxy_fix import ProxyFix

import wsgi

from ..calls import WsgiCall
from ..measure import Result, at_most, interleave, median, spread
from ..servers import Bench

NUMBER = 1
TITLE = "Dispatch overhead, in-process"
METHOD = (
    "GET /healthz of each app through wsgi's composed app against the same "
    "Flask app called directly, in blocks of calls taken in turn; per-round "
    "ratio of median latencies, the worse app's median over rounds quoted."
)
GOAL = at_most(1.03)
SIDES = ("composed", "direct", "served alone")


def run(bench: Bench) -> Result:
    composed = bench.composed
    queue_alone = ProxyFix(composed.queue, x_for=1, x_proto=1, x_host=0, x_port=0)
    apps = {
        "Queue": (
            WsgiCall(composed, wsgi.QUEUE_MOUNT + "/healthz"),
            WsgiCall(composed.queue, "/healthz", script_name=wsgi.QUEUE_MOUNT),
            WsgiCall(queue_alone, "/healthz"),
        ),
        "Raptor": (
            WsgiCall(composed, "/healthz"),
            WsgiCall(composed.raptor, "/healthz"),
            WsgiCall(wsgi.Composed(composed.raptor, None), "/healthz"),
        ),
    }
    budget = bench.budget
    ratios: dict[str, dict[str, list[float]]] = {}
    samples: dict[str, list[float]] = {}
    for turn in range(budget.rounds):
        for app, calls in apps.items():
            sides = dict(zip(SIDES, calls, strict=True))
            times = interleave(sides, calls=budget.calls, block=budget.block, turn=turn)
            _keep(ratios.setdefault(app, {}), times)
            for side in ("composed", "direct"):
                samples.setdefault(f"{app} {side}", []).extend(times[side])

    quoted = {app: median(found["direct"]) for app, found in ratios.items()}
    worst = max(quoted.values())
    shown = f"{worst:.3f} (" + ", ".join(f"{n} {v:.3f}" for n, v in quoted.items())
    return Result(
        NUMBER, TITLE, worst, shown + ")", GOAL, METHOD, _details(ratios), samples
    )


def _keep(ratios: dict[str, list[float]], times: dict[str, list[float]]) -> None:
    composed = median(times["composed"])
    ratios.setdefault("direct", []).append(composed / median(times["direct"]))
    ratios.setdefault("alone", []).append(composed / median(times["served alone"]))
    spent = (composed - median(times["direct"])) * 1000
    ratios.setdefault("µs", []).append(spent)


def _details(ratios: dict[str, dict[str, list[float]]]) -> list[str]:
    lines = []
    for app, found in ratios.items():
        lines += [
            f"{app}, composed over direct: {spread(found['direct'])}",
            f"{app}, composed over the stack that serves it alone: "
            f"{spread(found['alone'])}",
            f"{app}, the composition's cost per request: {median(found['µs']):.1f} µs",
        ]
    return lines
