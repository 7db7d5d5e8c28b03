"""The Alembic migrations build exactly the schema the models describe, on SQLite and on
PostgreSQL, starting from an empty database."""

import logging.config
import os
import uuid

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from assembly import MIGRATIONS_DIR
from assembly.extensions import db
from assembly.search.models import include_object
from tests.conftest import POSTGRES_URL, make_app, service_missing


@pytest.fixture
def empty_database(backend, tmp_path):
    """Settings of a new, empty database for this backend, removed afterwards."""
    if backend == "sqlite":
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrated.sqlite3'}"}
        return
    schema = f"m_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(POSTGRES_URL)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as error:
        engine.dispose()
        service_missing("PostgreSQL", error)
    try:
        yield {"SQLALCHEMY_DATABASE_URI": POSTGRES_URL,
               "SQLALCHEMY_ENGINE_OPTIONS": {
                   "connect_args": {"options": f"-csearch_path={schema}"}}}
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def migrated(empty_database, monkeypatch):
    """An app whose database was built by ``upgrade head`` alone."""
    # migrations/env.py reconfigures logging from alembic.ini, which would silence the loggers
    # of every later test; the migrations themselves do not need it.
    monkeypatch.setattr(logging.config, "fileConfig", lambda *args, **kw: None)
    app = make_app(empty_database)
    with app.app_context():
        flask_migrate.upgrade(directory=MIGRATIONS_DIR)
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences() -> list:
    with db.engine.connect() as conn:
        # include_object: as `flask db migrate` compares (the search index's FTS5 table).
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "include_object": include_object})
        return compare_metadata(context, db.metadata)


def test_migrations_build_the_schema_of_the_models(migrated):
    with db.engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    missing = {t.name for t in db.metadata.sorted_tables} - tables
    assert not missing, f"tables the migrations do not create: {sorted(missing)}"
    assert "alembic_version" in tables
    assert schema_differences() == []


def test_the_comparison_notices_a_missing_column(migrated):
    """The check above can fail: take a column away and it is reported."""
    with db.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE proposals DROP COLUMN phase_reason"))
    differences = schema_differences()
    assert [(d[0], d[2], d[3].name) for d in differences if d[0] == "add_column"] == [
        ("add_column", "proposals", "phase_reason")]
