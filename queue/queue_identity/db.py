"""Queue's database: one engine per app, one session per request.

SQLite in the instance folder is the embedded default; ``QUEUE_DATABASE_URL``
selects Postgres (Heroku's ``postgres://`` form included) through psycopg 3.
Pools are small on purpose: Heroku's Postgres plans allow few connections,
and every worker of every dyno holds its own pool.
"""

import os
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

EXTENSION = "queue.db"


def database_url(app: Flask) -> str:
    """The SQLAlchemy URL Queue uses, normalised for psycopg 3."""
    url = app.config["DATABASE_URL"]
    if not url:
        os.makedirs(app.instance_path, exist_ok=True)
        return "sqlite:///" + os.path.join(app.instance_path, "queue.sqlite3")

    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return str(url)


def make_engine(url: str, config: dict[str, Any]) -> Engine:
    """An engine with explicit, small pools and SQLite set up for threads."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 15},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    return create_engine(
        url,
        pool_size=config["DATABASE_POOL_SIZE"],
        max_overflow=config["DATABASE_MAX_OVERFLOW"],
        pool_timeout=config["DATABASE_POOL_TIMEOUT"],
        pool_pre_ping=True,
        pool_recycle=300,
        # Errors would otherwise log statement parameters: password hashes.
        hide_parameters=True,
        connect_args={"connect_timeout": 5, "application_name": "queue"},
    )


def _sqlite_pragmas(connection: Any, record: Any) -> None:
    # WAL lets readers run beside the one writer; foreign keys are off in
    # SQLite unless asked for on every connection.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def init_app(app: Flask) -> None:
    engine = make_engine(database_url(app), app.config)
    app.extensions[EXTENSION] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine(app: Flask | None = None) -> Engine:
    factory = (app or current_app).extensions[EXTENSION]
    bind = factory.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


def session() -> Session:
    """The current request's session, opened on first use."""
    if "queue_db" not in g:
        g.queue_db = current_app.extensions[EXTENSION]()
    db: Session = g.queue_db
    return db


def _close_session(error: BaseException | None) -> None:
    db = g.pop("queue_db", None)
    if db is not None:
        db.close()
