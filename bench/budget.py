"""How much each figure measures: a tiny budget for CI, a normal one for results."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Budget:
    """Rounds and sizes; every figure interleaves its sides within a round."""

    name: str
    rounds: int  # rounds of the in-process figures
    calls: int  # calls per side in one round
    block: int  # calls in a row before the other side takes its turn
    load_seconds: int  # figure 2's locust run, for each app
    load_slice: float  # seconds one side is loaded before the other's turn
    pool_seconds: int  # figure 4's locust run
    pool_slice: float  # seconds of each phase before the next
    warmup_seconds: float  # start of each locust run left out of the figures
    users: int  # figure 2's: at most 3 a worker, Queue's in-flight cap, if dealt fairly
    growth: tuple[int, int]  # users (each with a token) in the two databases
    memory_rounds: int  # fresh pairs of servers whose workers are weighed


TINY = Budget(
    name="tiny",
    rounds=2,
    calls=40,
    block=10,
    load_seconds=4,
    load_slice=0.5,
    pool_seconds=8,
    pool_slice=1.0,
    warmup_seconds=0.5,
    users=4,
    growth=(100, 1_000),
    memory_rounds=1,
)

NORMAL = Budget(
    name="normal",
    rounds=15,
    calls=1_000,
    block=20,
    load_seconds=60,
    load_slice=2.0,
    pool_seconds=100,
    pool_slice=4.0,
    warmup_seconds=2.0,
    users=4,
    growth=(1_000, 100_000),
    memory_rounds=3,
)

BUDGETS = {budget.name: budget for budget in (TINY, NORMAL)}
