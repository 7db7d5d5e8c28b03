"""Backups are one consistent moment even while the server writes, and restore to exactly it.

A writer thread keeps committing through the services (proposals, comments, live actions) and
records the whole database after each of its commits. A backup taken meanwhile, restored into a
fresh database, must equal one of those recorded states, one committed between the start and
the end of the backup: a copy made table by table, or one missing the newest commits, equals
none of them. Each test has its own SQLite file or PostgreSQL schema."""

import os
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from assembly.backup import backup, restore
from assembly.extensions import db
from tests.conftest import POSTGRES_URL, Make, make_app, service_missing

ROOT = Path(__file__).resolve().parents[1]


# --- databases of this test's own --------------------------------------------------------------

def admin_engine() -> sa.Engine:
    return sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


def admin(statement: str) -> None:
    engine = admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
    except sa.exc.OperationalError as error:
        service_missing("PostgreSQL", error)
    finally:
        engine.dispose()


@dataclass
class Place:
    """Where a database lives: the URL a server would get in DATABASE_URL, and the engine
    options the tests' apps get (conftest's way of choosing a schema)."""
    url: str
    schema: str | None = None
    options: dict = field(default_factory=dict)

    @property
    def environment_url(self) -> str:
        if self.schema is None:
            return self.url
        return f"{self.url}?options={quote('-csearch_path=' + self.schema)}"

    def config(self) -> dict:
        return {"SQLALCHEMY_DATABASE_URI": self.url, "SQLALCHEMY_ENGINE_OPTIONS": self.options}

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url, **self.options)


def pg_place(database_url: str, schema: str) -> Place:
    return Place(database_url, schema,
                 {"connect_args": {"options": f"-csearch_path={schema}"}})


@pytest.fixture
def source(backend, tmp_path):
    if backend == "sqlite":
        yield Place(f"sqlite:///{tmp_path / 'source.sqlite3'}")
        return
    schema = f"bk_{uuid.uuid4().hex[:10]}"
    admin(f'CREATE SCHEMA "{schema}"')
    yield pg_place(POSTGRES_URL, schema)
    admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def fresh(backend, tmp_path, source):
    """Where to restore, once the writing has stopped: a new SQLite file, or for PostgreSQL the
    source's schema dropped altogether (a dump brings its schema back under its own name)."""
    def empty() -> Place:
        if backend == "sqlite":
            return Place(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
        db.session.remove()
        db.engine.dispose()
        admin(f'DROP SCHEMA "{source.schema}" CASCADE')
        return source
    return empty


@pytest.fixture
def source_app(source):
    app = make_app(source.config())
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


# --- the whole database as values ---------------------------------------------------------------

def contents(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every table (models, the search index and its shadow tables, whatever is there) with
    all its rows, in a stable order."""
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        found = {}
        for name in names:
            rows = conn.execute(sa.text(f'SELECT * FROM "{name}"')).all()
            found[name] = sorted((tuple(row) for row in rows), key=repr)
    return found


def restored_contents(place: Place, path: Path) -> dict[str, list[tuple]]:
    engine = place.engine()
    try:
        restore(engine, path)
        return contents(engine)
    finally:
        engine.dispose()


# --- a server's worth of writing -----------------------------------------------------------------

@dataclass
class Scene:
    ids: dict
    commits: list = field(default_factory=list)  # one entry per commit, appended right after it
    states: list = field(default_factory=list)   # states[n]: the database after n commits
    stop: threading.Event = field(default_factory=threading.Event)
    failure: list = field(default_factory=list)


def build(app) -> Scene:
    from assembly.live import service as live

    make = Make()
    collective = make.collective("Clinic")
    maria, nikos = make.member(collective, "Maria"), make.member(collective, "Nikos")
    body = make.assembly(collective)
    first = make.proposal(body, maria, "on_agenda", title="Open on Saturdays")
    meeting = first.events[-1].meeting
    phone = live.enter(meeting, nikos, None, "participant").participant
    db.session.commit()
    return Scene({"maria": maria.id, "nikos": nikos.id, "body": body.id, "proposal": first.id,
                  "meeting": meeting.id, "phone": phone.id})


def write(app, scene: Scene) -> None:
    """Commit after commit through the services until told to stop, recording the database
    after each commit (nobody else writes, so that is exactly the state it made)."""
    from assembly.collectives.models import Body
    from assembly.comments.service import add_comment
    from assembly.live import service as live
    from assembly.live.models import LiveParticipant
    from assembly.meetings.models import Meeting
    from assembly.people.models import Person
    from assembly.proposals.models import Proposal
    from assembly.proposals.service import create_proposal

    with app.app_context():
        try:
            get = db.session.get
            maria, nikos = get(Person, scene.ids["maria"]), get(Person, scene.ids["nikos"])
            body, proposal = get(Body, scene.ids["body"]), get(Proposal, scene.ids["proposal"])
            meeting = get(Meeting, scene.ids["meeting"])
            steps = [
                lambda n: create_proposal(body, maria, f"Need {n}", f"Written while backing "
                                          f"up, number {n}."),
                lambda n: add_comment(proposal, nikos, f"Comment {n}"),
                lambda n: live.apply_action(
                    meeting, get(LiveParticipant, scene.ids["phone"]), uuid.uuid4().hex,
                    "raise_hand" if n % 2 == 0 else "lower_hand",
                    {"kind": "new_point"} if n % 2 == 0 else {}),
            ]
            n = 0
            while not scene.stop.is_set():
                steps[n % len(steps)](n // len(steps))
                db.session.commit()
                scene.commits.append(n)
                scene.states.append(contents(db.engine))
                n += 1
        except Exception as error:  # reported by the test, not lost in the thread
            scene.failure.append(error)
        finally:
            db.session.remove()


def wait_for(condition, seconds: float = 30) -> None:
    stop = threading.Event()
    for _ in range(int(seconds * 100)):
        if condition():
            return
        stop.wait(0.01)
    raise AssertionError("waited in vain")


def test_a_backup_taken_while_writing_is_one_consistent_moment(source_app, fresh, tmp_path):
    scene = build(source_app)
    scene.states.append(contents(db.engine))
    writer = threading.Thread(target=write, args=(source_app, scene), daemon=True)
    writer.start()
    try:
        wait_for(lambda: len(scene.states) > 6 or scene.failure)
        # A SQLite backup takes a few milliseconds: take them until one overlapped a commit.
        for attempt in range(200):
            path = tmp_path / f"backup-{attempt}"
            before = len(scene.commits)
            backup(db.engine, path)
            after = len(scene.commits)
            if after > before or scene.failure:
                break
            path.unlink()
        else:
            raise AssertionError("no backup overlapped a commit")
        wait_for(lambda: len(scene.states) > after + 2 or scene.failure)
    finally:
        scene.stop.set()
        writer.join(30)
    assert not scene.failure, scene.failure
    assert after > before, "the writer must have committed while the backup ran"

    restored = restored_contents(fresh(), path)

    matches = [n for n, state in enumerate(scene.states) if state == restored]
    assert matches, "the backup equals no state the database was ever in"
    assert before <= matches[-1] <= after, (before, matches, after)
    tables = restored.keys()
    assert {"proposals", "comments", "live_actions", "live_hands"} <= tables
    assert restored["proposals"] and restored["comments"] and restored["live_actions"]


# --- the commands, end to end --------------------------------------------------------------------

def flask(place: Place, *arguments: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": place.environment_url}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "assembly", "assembly",
                           *arguments], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_backup_and_restore_commands(source_app, source, tmp_path):
    """The commands as an operator types them, with the database given by DATABASE_URL only
    (for PostgreSQL, the schema in the URL's options)."""
    from assembly.collectives.models import Body
    from assembly.people.models import Person
    from assembly.proposals.service import create_proposal

    scene = build(source_app)
    saved = contents(db.engine)
    path = tmp_path / "clinic.backup"

    done = flask(source, "backup", str(path))
    assert f"Backup written to {path}." in done.stdout
    cli = source_app.test_cli_runner()
    again = cli.invoke(args=["assembly", "backup", str(path)])
    assert again.exit_code != 0 and "exists already" in again.output

    create_proposal(db.session.get(Body, scene.ids["body"]),
                    db.session.get(Person, scene.ids["maria"]), "After the backup", "New.")
    db.session.commit()
    db.session.remove()
    changed = contents(db.engine)
    assert changed != saved

    assert "Stop the server" in cli.invoke(args=["assembly", "restore", "--help"]).output
    declined = cli.invoke(args=["assembly", "restore", str(path)], input="n\n")
    assert declined.exit_code != 0 and "server stopped?" in declined.output
    assert contents(db.engine) == changed
    db.engine.dispose()  # a restore waits for (PostgreSQL) or bypasses (SQLite) open sessions

    done = flask(source, "restore", "--yes", str(path))
    assert f"Restored from {path}." in done.stdout
    assert contents(db.engine) == saved
