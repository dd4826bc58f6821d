"""Figure 7: one argon2id hash at Queue's configured parameters.

Time is set against Raptor's cheapest request in the same process, so that
it reads as a number of requests a sign-in costs. Memory is the growth of
the peak resident set of a fresh interpreter across one hash, set against
the memory cost the parameters ask for.
"""

import json
import subprocess
import sys

from queue_identity import security

from ..calls import WsgiCall
from ..measure import Plain, Result, interleave, median, spread
from ..seed import PASSWORD
from ..servers import Bench

NUMBER = 7
TITLE = "Hashing"
METHOD = (
    "PasswordHasher.hash at the configured parameters against Raptor's GET "
    "/healthz in-process, in turn; and peak RSS of a fresh interpreter across "
    "one hash against the configured memory cost; medians over rounds."
)
MIB = 1024 * 1024

# Run in a fresh interpreter, so that nothing else has raised the peak yet.
# VmHWM is that process's own peak; ru_maxrss would start at the parent's.
CHILD = """
import json, sys
from argon2 import PasswordHasher, Type

def peak():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1])

time_cost, memory_cost, parallelism = map(int, sys.argv[1:4])
hasher = PasswordHasher(time_cost, memory_cost, parallelism, type=Type.ID)
before = peak()
hasher.hash("a passphrase to hash once")
print(json.dumps({"kib": peak() - before}))
"""


def run(bench: Bench) -> Result:
    config = bench.composed.queue.config
    hasher = security.Passwords(config).hasher
    sides = {
        "argon2id hash": Plain(lambda: hasher.hash(PASSWORD)),
        "Raptor /healthz": WsgiCall(bench.composed, "/healthz"),
    }
    budget = bench.budget
    hashes, per_request, grown = [], [], []
    samples: dict[str, list[float]] = {"argon2id hash": []}
    for turn in range(budget.rounds):
        times = interleave(sides, calls=budget.block, block=budget.block, turn=turn)
        hashes.append(median(times["argon2id hash"]))
        per_request.append(hashes[-1] / median(times["Raptor /healthz"]))
        samples["argon2id hash"] += times["argon2id hash"]

    for _ in range(min(budget.rounds, 5)):
        grown.append(_peak_growth(hasher) / MIB)

    memory_cost = config["ARGON2_MEMORY_COST"] * 1024 / MIB
    shown = (
        f"{median(hashes):.1f} ms = {median(per_request):.0f} Raptor requests; "
        f"+{median(grown):.1f} MiB peak = {median(grown) / memory_cost:.2f}x the "
        f"configured {memory_cost:g} MiB (t={hasher.time_cost}, "
        f"p={hasher.parallelism})"
    )
    details = [
        f"hash time, ms: {spread(hashes)}",
        f"hash over one Raptor request: {spread(per_request)}",
        f"peak RSS growth, MiB: {spread(grown)}",
    ]
    return Result(NUMBER, TITLE, None, shown, None, METHOD, details, samples)


def _peak_growth(hasher: object) -> int:
    """Bytes the peak RSS of a fresh interpreter grows by across one hash."""
    parameters = [
        str(getattr(hasher, name))
        for name in ("time_cost", "memory_cost", "parallelism")
    ]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *parameters],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return int(json.loads(done.stdout)["kib"]) * 1024
