"""Figure 6: introspection as Queue's tables grow a hundredfold.

For each backend two databases are made side by side, one with the small
and one with the large number of users, each user with a live token, and a
Queue app is built on each. Introspection calls alternate between the two,
each for a token drawn at random from all of that database's tokens, so the
large one cannot serve from a small hot set. The touch interval is raised
past the run so that every call is the read it is nearly always in life: a
token's last use is written at most once a minute.
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, text

import queue_identity
from queue_identity import config, migrations
from queue_identity.db import make_engine

from ..calls import WsgiCall, introspection
from ..measure import Result, at_most, interleave, median, spread
from ..seed import seed
from ..servers import Bench

NUMBER = 6
TITLE = "Growth"
GOAL = at_most(1.2)
# A database for so many users, as a URL, made on entry and gone on exit.
Database = Callable[[int], AbstractContextManager[str]]


def method(small: int, large: int) -> str:
    return (
        f"POST /tokens/introspect on Queue's app in-process, {large:,} users and "
        f"tokens against {small:,}, a random token each call, SQLite and Postgres, "
        f"in blocks taken in turn; per-round ratio of median latencies, median "
        f"over rounds, the worse backend quoted."
    )


@dataclass
class Seeded:
    """A Queue app on a database of its own, and the tokens it holds."""

    app: Flask
    tokens: list[str]

    def introspection(self) -> WsgiCall:
        return introspection(self.app, self.tokens)


def run(bench: Bench) -> Result:
    small, large = bench.budget.growth
    quoted: dict[str, float] = {}
    details, samples = [], {}
    backends, notes = _backends(bench)
    for name, database in backends.items():
        with ExitStack() as stack:
            pair = [
                _seeded(bench, stack.enter_context(database(size)), size)
                for size in (small, large)
            ]
            ratios = _compare(bench, pair, samples, name)
            for seeded in pair:
                seeded.app.extensions["queue.db"].kw["bind"].dispose()
        quoted[name] = median(ratios)
        details.append(f"{name}: {spread(ratios)}")

    worst = max(quoted.values())
    shown = f"{worst:.3f} (" + ", ".join(f"{n} {v:.3f}" for n, v in quoted.items())
    shown += ")" + "".join(f" {note}" for note in notes)
    return Result(
        NUMBER,
        TITLE,
        worst,
        shown,
        GOAL,
        method(small, large),
        details + notes,
        samples,
    )


def _backends(bench: Bench) -> tuple[dict[str, Database], list[str]]:
    """The backends to measure, and a note for each one left out."""
    backends: dict[str, Database] = {"SQLite": partial(sqlite_database, bench.tmp)}
    if bench.postgres_url is None:
        return backends, ["Postgres skipped: no URL given."]
    if not _reachable(bench.postgres_url):
        return backends, ["Postgres skipped: not reachable."]

    backends["Postgres"] = partial(postgres_database, bench.postgres_url)
    return backends, []


def _compare(
    bench: Bench, pair: list[Seeded], samples: dict[str, list[float]], name: str
) -> list[float]:
    budget = bench.budget
    small, large = budget.growth
    sides = {
        f"{small:,}": pair[0].introspection(),
        f"{large:,}": pair[1].introspection(),
    }
    ratios = []
    for turn in range(budget.rounds):
        times = interleave(
            sides, calls=budget.calls // 2, block=budget.block, turn=turn
        )
        ratios.append(median(times[f"{large:,}"]) / median(times[f"{small:,}"]))
        for side, spent in times.items():
            samples.setdefault(f"{name} {side}", []).extend(spent)
    return ratios


def _seeded(bench: Bench, url: str, count: int) -> Seeded:
    app = queue_identity.create_app(
        {"ENV": "development", "DATABASE_URL": url, "TOKEN_TOUCH_INTERVAL": 86_400}
    )
    engine = make_engine(_sqlalchemy_url(url), app.config)
    try:
        tokens = seed(
            engine, count, config=app.config, password_hash=bench.password_hash
        )
    finally:
        engine.dispose()
    return Seeded(app, tokens)


@contextmanager
def sqlite_database(folder: Path, size: int) -> Iterator[str]:
    """A migrated SQLite database in ``folder``, for ``size`` users."""
    url = f"sqlite:///{folder / f'growth-{size}.sqlite3'}"
    engine = make_engine(url, config.DEFAULTS)
    migrations.upgrade(engine)
    engine.dispose()
    yield url


@contextmanager
def postgres_database(base_url: str, size: int) -> Iterator[str]:
    """A migrated schema of its own in ``base_url``'s database, dropped after."""
    schema = f"bench_{size}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(_sqlalchemy_url(base_url))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = f"{base_url}?options=-csearch_path%3D{schema}"
        engine = make_engine(_sqlalchemy_url(url), config.DEFAULTS)
        migrations.upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _reachable(url: str) -> bool:
    engine = create_engine(_sqlalchemy_url(url), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure to connect means: skip Postgres
        return False
    finally:
        engine.dispose()


def _sqlalchemy_url(url: str) -> str:
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url
