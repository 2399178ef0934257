"""Copies of the whole database and their way back: SQLite through its online backup API (a
consistent copy while the service runs), PostgreSQL through `pg_dump` and `pg_restore` (the
client programs of the server's major version or newer must be on PATH).

A backup holds everything the database holds, including the record keys of people erased
after it was taken; `ouen restore` therefore replays the erasure ledger afterwards
(core/record_keys.py). These functions copy bytes and nothing else."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """A copy could not be made or put back; the message says why (no personal data)."""


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a SQLite URL; None for PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def libpq_url(database_url: str) -> str:
    """The URL for pg_dump and psql: the same database without SQLAlchemy's driver name."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(
        hide_password=False)


def _copy_sqlite(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        # Empties the WAL into the file, so the copy is one self-contained file.
        dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        dst.close()
        src.close()


def _run(args: list[str]) -> None:
    try:
        # A fixed program and arguments made here from settings: no shell, nothing typed.
        done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"{args[0]} is not installed (the PostgreSQL client programs)") from exc
    if done.returncode != 0:
        # Their messages name objects and options, not rows: safe to pass on.
        raise BackupError(f"{args[0]} failed: {done.stderr.strip()[-500:]}")


def backup(database_url: str, target: Path) -> int:
    """Write a copy of the database to `target` (which must not exist); returns its size."""
    if target.exists():
        raise BackupError(f"{target} exists already; a backup never overwrites a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    database = sqlite_file(database_url)
    if database is not None:
        if not database.exists():
            raise BackupError(f"there is no database at {database}")
        _copy_sqlite(database, target)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              f"--file={target}", libpq_url(database_url)])
    target.chmod(0o600)
    return target.stat().st_size


def restore(database_url: str, source: Path) -> None:
    """Replace the database's whole content by the backup `source`. Stop the service first:
    a running instance would keep writing into what is being replaced."""
    if not source.is_file():
        raise BackupError(f"there is no backup at {source}")
    database = sqlite_file(database_url)
    if database is not None:
        try:
            check = sqlite3.connect(source)
            try:
                check.execute("SELECT count(*) FROM alembic_version").fetchone()
            finally:
                check.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not an ouen SQLite backup") from exc
        database.parent.mkdir(parents=True, exist_ok=True)
        _copy_sqlite(source, database)
        return
    url = libpq_url(database_url)
    _run(["pg_restore", "--list", str(source)])  # refuses anything that is not a dump
    # Everything of the schema goes first, so tables a newer version added do not linger.
    _run(["psql", "--quiet", "--no-psqlrc", "--set=ON_ERROR_STOP=1", "--command",
          "DROP SCHEMA public CASCADE; CREATE SCHEMA public;", url])
    _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={url}", str(source)])
