"""Alembic glue: `ouen migrate` and the test suite upgrade through here."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

from core.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str, settings: Settings | None = None) -> Config:
    """Where the migrations are and which database; `settings` gives the migrations that
    re-seal stored values their keys (without it they read the environment, as `ouen
    migrate` does)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    config.attributes["settings"] = settings
    return config


def upgrade(database_url: str, revision: str = "head", settings: Settings | None = None
            ) -> None:
    """Bring the schema to `revision` (env.py runs its own event loop)."""
    command.upgrade(alembic_config(database_url, settings), revision)


def downgrade(database_url: str, revision: str = "base", settings: Settings | None = None
              ) -> None:
    command.downgrade(alembic_config(database_url, settings), revision)


async def upgrade_async(database_url: str, revision: str = "head",
                        settings: Settings | None = None) -> None:
    """For callers already inside an event loop: run Alembic in a worker thread."""
    await asyncio.to_thread(upgrade, database_url, revision, settings)
