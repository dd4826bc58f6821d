"""Queue's own migration history, with its own version table.

Alembic is driven from code so that Queue's CLI, the Procfile's release line
and readiness checks all use the same configuration; there is no alembic.ini.
"""

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from ..models import VERSION_TABLE

HERE = Path(__file__).parent


def _config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; a no-op when it is there already."""
    command.upgrade(_config(engine), revision)


@cache
def head() -> str | None:
    """The newest revision this code knows; fixed for the process's life."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"version_table": VERSION_TABLE}
        )
        return context.get_current_revision()
