"""The data migration 93fbc8fe57ba: bodies holding a working table become of kind working_table
(and back on downgrade); every other body keeps its kind. On SQLite and PostgreSQL, in a
database built by the migrations alone."""

from datetime import date

import flask_migrate
import sqlalchemy as sa

from assembly import MIGRATIONS_DIR
from assembly.extensions import db
from tests.test_migrations import empty_database, migrated  # noqa: F401  (fixtures)

BEFORE, REVISION = "9f9183a65472", "93fbc8fe57ba"


def _kinds() -> dict[str, str]:
    with db.engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT name, kind FROM bodies")).all())


def _gathering_with_a_table() -> None:
    from assembly.collectives import service as collectives
    from assembly.collectives.models import CollectiveKind
    from assembly.gatherings import service as gatherings
    from assembly.people.service import create_person

    maria = create_person("Maria", "a long password 123", language="en")
    network = collectives.create_collective("Solidarity Network", founder=maria,
                                            kind=CollectiveKind.NETWORK, languages="en")
    collectives.create_working_group(network, maria, "Medicines group")
    gathering = gatherings.create_gathering(network, maria, title="Spring gathering",
                                            starts_on=date(2030, 4, 1))
    gatherings.add_table(gathering, maria, title="Mobile clinic table")
    db.session.commit()
    db.session.remove()  # the migrations below take their own connection


def test_table_bodies_change_kind_and_back(migrated):  # noqa: F811
    _gathering_with_a_table()
    made = {"Network assembly": "network_assembly", "Medicines group": "working_group",
            "Mobile clinic table": "working_table"}
    assert _kinds() == made
    flask_migrate.downgrade(directory=MIGRATIONS_DIR, revision=BEFORE)
    assert _kinds() == {**made, "Mobile clinic table": "working_group"}
    flask_migrate.upgrade(directory=MIGRATIONS_DIR, revision=REVISION)
    assert _kinds() == made
