"""Backups and restores of the whole database, behind ``flask assembly backup/restore``.

SQLite: SQLite's online backup API (``sqlite3.Connection.backup``) copies every page in one step
under one read transaction, so the copy is the database as it was at one instant, even while
the server keeps writing (WAL mode lets it go on meanwhile). Restoring uses the same API the
other way and needs the server stopped.

PostgreSQL: ``pg_dump --format=custom`` reads everything in one repeatable-read transaction, so
the dump is one consistent moment too. When the connection's search_path names a schema of its
own (``?options=-csearch_path%3Dclinic`` in ``DATABASE_URL``), only that schema is dumped;
otherwise the whole database. Restoring is ``pg_restore --clean --if-exists`` into the
configured database, in one transaction: it succeeds entirely or changes nothing."""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from assembly.core.errors import Invalid


class BackupError(Invalid):
    """A backup or restore that could not be done; the message says why, in words."""


# --- which database ---------------------------------------------------------------------------

def sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError(_l("An in-memory SQLite database cannot be backed up."))
    return Path(url.database)


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise BackupError(_l("%(path)s exists already: choose a new name (for instance with "
                             "the date in it).", path=str(path)))


def _refuse_missing(path: Path) -> None:
    if not path.is_file():
        raise BackupError(_l("There is no backup at %(path)s.", path=str(path)))


# --- SQLite -----------------------------------------------------------------------------------

def _copy_sqlite(source: Path, target: Path) -> None:
    """Every page in one step: one read transaction, one instant of the source."""
    with closing(sqlite3.connect(source, timeout=30)) as reader, \
            closing(sqlite3.connect(target, timeout=30)) as writer:
        reader.backup(writer)


def _check_sqlite(path: Path) -> None:
    try:
        with closing(sqlite3.connect(path)) as conn:
            verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        verdict = str(error)
    if verdict != "ok":
        raise BackupError(_l("The copy at %(path)s is damaged: %(problem)s",
                             path=str(path), problem=verdict))


def backup_sqlite(database: Path, target: Path) -> None:
    """Copy into a temporary file beside ``target``, check it, then rename: a backup that
    stopped half-way never looks like a finished one."""
    if not database.is_file():
        raise BackupError(_l("There is no database at %(path)s.", path=str(database)))
    _refuse_existing(target)
    handle, partial = tempfile.mkstemp(prefix=".backup-", dir=target.parent)
    os.close(handle)
    try:
        _copy_sqlite(database, Path(partial))
        _check_sqlite(Path(partial))
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def restore_sqlite(backup: Path, database: Path) -> None:
    """The backup API the other way: the database's pages are replaced by the backup's, in one
    transaction. The server must be stopped (its open connections would keep stale pages)."""
    _refuse_missing(backup)
    _check_sqlite(backup)
    database.parent.mkdir(parents=True, exist_ok=True)
    _copy_sqlite(backup, database)


# --- PostgreSQL -------------------------------------------------------------------------------

def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(_l("%(tool)s is not installed (it comes with the PostgreSQL client "
                             "programs).", tool=name))
    return found


def _libpq(url: sa.URL) -> tuple[list[str], dict]:
    """Command-line connection arguments and environment for pg_dump/pg_restore (the password
    goes through the environment, never the command line)."""
    host = url.host or url.query.get("host")
    arguments = [f"--dbname={url.database}"]
    if host:
        arguments.append(f"--host={host}")
    if url.port:
        arguments.append(f"--port={url.port}")
    if url.username:
        arguments.append(f"--username={url.username}")
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return arguments, env


def current_schema(engine: sa.Engine) -> str:
    """The schema the application's tables live in: the first of its search_path (which may
    not exist yet, before a first restore into a fresh database)."""
    with engine.connect() as conn:
        found = conn.scalar(sa.text("SELECT current_schema()"))
        if found:
            return found
        path = conn.scalar(sa.text("SHOW search_path"))
    names = [name.strip().strip('"') for name in path.split(",")]
    return next((name for name in names if name and name != "$user"), "public")


def _run(command: list[str], env: Mapping[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(_l("%(tool)s failed: %(problem)s",
                             tool=os.path.basename(command[0]), problem=done.stderr.strip()))


def backup_postgresql(engine: sa.Engine, target: Path) -> None:
    _refuse_existing(target)
    schema = current_schema(engine)
    arguments, env = _libpq(engine.url)
    only = [] if schema == "public" else [f"--schema={schema}"]
    partial = target.with_name(f".{target.name}.partial")
    try:
        _run([_tool("pg_dump"), "--format=custom", f"--file={partial}", *only,
              *arguments], env)
        os.replace(partial, target)
    finally:
        if partial.exists():
            partial.unlink()


TOC_TABLE = re.compile(r"^\d+;\s*\d+\s+\d+\s+TABLE\s+(\S+)\s+\S+", re.MULTILINE)


def dumped_schemas(backup: Path, env: Mapping[str, str] | None = None) -> set[str]:
    """The schemas whose tables the dump holds (from its table of contents)."""
    listing = subprocess.run([_tool("pg_restore"), "--list", str(backup)], env=env,
                             capture_output=True, text=True, check=False)
    if listing.returncode != 0:
        raise BackupError(_l("%(path)s is not a backup made by pg_dump: %(problem)s",
                             path=str(backup), problem=listing.stderr.strip()))
    return set(TOC_TABLE.findall(listing.stdout))


def restore_postgresql(backup: Path, engine: sa.Engine) -> None:
    """Drop what the dump holds and create it again, in one transaction."""
    _refuse_missing(backup)
    schema = current_schema(engine)
    arguments, env = _libpq(engine.url)
    found = dumped_schemas(backup, env)
    if schema not in found:
        raise BackupError(_l("This backup holds the schema %(found)s, but the configured "
                             "database uses %(schema)s.",
                             found=", ".join(sorted(found)) or "-", schema=schema))
    engine.dispose()  # our own idle connections would hold locks the restore needs
    _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", *arguments, str(backup)], env)


# --- either -----------------------------------------------------------------------------------

def backup(engine: sa.Engine, target: str | os.PathLike) -> Path:
    """A consistent snapshot of the running application's database into ``target``."""
    target = Path(target).resolve()
    if not target.parent.is_dir():
        raise BackupError(_l("There is no folder %(path)s.", path=str(target.parent)))
    if engine.dialect.name == "sqlite":
        database = sqlite_path(engine.url).resolve()
        if target == database:
            raise BackupError(_l("The backup cannot be the database itself."))
        backup_sqlite(database, target)
    elif engine.dialect.name == "postgresql":
        backup_postgresql(engine, target)
    else:
        raise BackupError(_l("Backups of %(kind)s databases are not supported.",
                             kind=engine.dialect.name))
    return target


def restore(engine: sa.Engine, source: str | os.PathLike) -> None:
    """Replace the configured database's contents by the backup's (server stopped)."""
    source = Path(source).resolve()
    if engine.dialect.name == "sqlite":
        database = sqlite_path(engine.url).resolve()
        if source == database:
            raise BackupError(_l("The backup cannot be the database itself."))
        engine.dispose()
        restore_sqlite(source, database)
    elif engine.dialect.name == "postgresql":
        restore_postgresql(source, engine)
    else:
        raise BackupError(_l("Backups of %(kind)s databases are not supported.",
                             kind=engine.dialect.name))
