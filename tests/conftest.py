"""Fixtures that build things, on SQLite and on PostgreSQL.

Every test that asks for ``app`` runs once per backend. Each pytest run makes its own SQLite
file and its own PostgreSQL schema (dropped at the end), so runs never collide; rows are
removed after each test. The ``app`` is built once per backend and run (building one compiles
~500 URL rules: a quarter of a second, which was minutes over the suite); each test gets it
with its config and the extensions' state as built. With ASSEMBLY_REQUIRE_SERVICES=1 an
unreachable PostgreSQL fails."""

import contextvars
import os
import re
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from assembly import create_app
from assembly.extensions import babel, csrf, db, limiter, login_manager, socketio
from tests.hostile import conftest as hostile

POSTGRES_URL = os.environ.get(
    "ASSEMBLY_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("ASSEMBLY_TEST_REDIS", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("ASSEMBLY_REQUIRE_SERVICES") == "1"
PASSWORD = "correct horse battery"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def service_missing(what: str, error: Exception):
    message = f"{what} is not reachable: {error}"
    if REQUIRE_SERVICES:
        pytest.fail(message + " (ASSEMBLY_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


class Databases:
    """One prepared database per backend for the whole run, created on first use."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.prepared: dict[str, dict] = {}
        self.schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    def config(self, backend: str) -> dict:
        if backend not in self.prepared:
            self.prepared[backend] = getattr(self, f"_prepare_{backend}")()
        return self.prepared[backend]

    def _prepare_sqlite(self) -> dict:
        path = self.tmp.mktemp("sqlite") / "assembly.sqlite3"
        return self._create({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})

    def _prepare_postgresql(self) -> dict:
        engine = sa.create_engine(POSTGRES_URL)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        except sa.exc.OperationalError as error:
            service_missing("PostgreSQL", error)
        finally:
            engine.dispose()
        return self._create({
            "SQLALCHEMY_DATABASE_URI": POSTGRES_URL,
            # Durability is not what the suite tests (tests/test_faults.py does, on a database of
            # its own): commits need not wait for the WAL to reach the disk.
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {
                "options": f"-csearch_path={self.schema} -csynchronous_commit=off"}},
        })

    def _create(self, config: dict) -> dict:
        app = make_app(config)
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        return config

    def drop(self):
        if "postgresql" in self.prepared:
            engine = sa.create_engine(POSTGRES_URL)
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            engine.dispose()


def make_app(config: dict):
    return create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SOCKETIO_ASYNC_MODE": "threading",
        "SOCKETIO_MESSAGE_QUEUE": None,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; production uses scrypt
        "PUBLIC_URL": "http://assembly.test",
        "RATELIMIT_ENABLED": False,  # tests/test_rate_limits.py turns them on
        **config,
    })


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    found = Databases(tmp_path_factory)
    yield found
    found.drop()


def _empty_tables(attempts: int = 3):
    """Between tests. PostgreSQL's autovacuum may hold a table of the schema just then, and the
    TRUNCATE is the side chosen to give way in the deadlock: try again (seen on a loaded CI)."""
    tables = db.metadata.sorted_tables
    try:
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(tables):
                    conn.execute(table.delete())
    except sa.exc.OperationalError:
        if attempts <= 1:
            raise
        time.sleep(0.2)
        _empty_tables(attempts - 1)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


# --- the run's tally of hostile inputs, summed over parallel workers -------------------------

def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # a pytest-xdist worker: send the tally back
        session.config.workeroutput["hostile_tried"] = dict(hostile.TRIED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    for kind, number in getattr(node, "workeroutput", {}).get("hostile_tried", {}).items():
        hostile.TRIED[kind] += number


def pytest_terminal_summary(terminalreporter):
    if line := hostile.summary():
        terminalreporter.write_line(line)


# The extensions are module-level objects that keep the last init_app's state (the Socket.IO
# server, the limiter's switch and storage): a test that builds an app of its own changes them.
EXTENSIONS = (babel, csrf, db, limiter, login_manager, socketio)


class SharedApp:
    def __init__(self, config: dict):
        self.app = make_app(config)
        self.config = dict(self.app.config)
        self.extensions = [dict(vars(extension)) for extension in EXTENSIONS]

    def restore(self):
        self.app.config.clear()
        self.app.config.update(self.config)
        for extension, state in zip(EXTENSIONS, self.extensions, strict=True):
            vars(extension).clear()
            vars(extension).update(state)


@pytest.fixture(scope="session")
def shared_apps(databases):
    built: dict[str, SharedApp] = {}

    def get(backend: str) -> SharedApp:
        if backend not in built:
            built[backend] = SharedApp(databases.config(backend))
        return built[backend]
    return get


@pytest.fixture
def app(shared_apps, backend):
    shared = shared_apps(backend)
    shared.restore()
    app = shared.app
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


# --- building things ------------------------------------------------------------------------

class Make:
    """make.collective(), make.member(c), make.proposal(body, phase=…): tests read as stories."""

    def __init__(self):
        self.n = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    def person(self, name=None, language="en"):
        from assembly.people.service import create_person

        person = create_person(name or f"Person {self._next()}", PASSWORD, language=language)
        db.session.commit()
        return person

    def collective(self, name=None, *, network=False, timezone="Europe/Athens",
                   languages="el en ar", **kw):
        from assembly.collectives.models import CollectiveKind
        from assembly.collectives.service import create_collective

        collective = create_collective(
            name or f"Collective {self._next()}", timezone=timezone, languages=languages,
            kind=CollectiveKind.NETWORK if network else CollectiveKind.COLLECTIVE, **kw)
        db.session.commit()
        return collective

    def member(self, collective, name=None, **kw):
        from assembly.people.service import add_member

        person = self.person(name, **kw)
        add_member(collective, person)
        db.session.commit()
        return person

    def assembly(self, collective):
        from assembly.collectives.service import general_assembly

        return general_assembly(collective)

    def working_group(self, collective, by, name=None, visibility="public", purpose=""):
        from assembly.collectives.service import create_working_group

        body = create_working_group(collective, by, name or f"Group {self._next()}",
                                    purpose=purpose, visibility=visibility)
        db.session.commit()
        return body

    def meeting(self, body, by, *, days=7, live=False, **kw):
        from assembly.core.db import utcnow
        from assembly.meetings.service import create_meeting, local_zone
        from assembly.proposals.service import begin_meeting

        start = (utcnow() + timedelta(days=days)).astimezone(local_zone(body))
        start = start.replace(minute=0, second=0, microsecond=0, tzinfo=None)
        meeting = create_meeting(body, by, local_start=start, **kw)
        if live:
            begin_meeting(meeting, by)
        db.session.commit()
        return meeting

    def proposal(self, body, by, phase="identified", *, title=None, text="A first text.",
                 visibility="public"):
        """Walk a new proposal through the real services up to ``phase``."""
        from assembly.proposals import service as proposals

        proposal = proposals.create_proposal(
            body, by, title or f"Proposal {self._next()}", text, visibility=visibility)
        route = PHASE_ROUTES[phase]
        for step in route:
            step(self, proposal, by)
        db.session.commit()
        return proposal


def _live_meeting(make, proposal, by):
    from assembly.meetings.models import Meeting, MeetingStatus

    live = db.session.scalars(sa.select(Meeting).where(
        Meeting.body_id == proposal.body_id, Meeting.status == MeetingStatus.LIVE)).first()
    return live or make.meeting(proposal.body, by, days=0, live=True)


def _on_agenda(make, proposal, by):
    from assembly.proposals.service import put_on_agenda

    put_on_agenda(proposal, by, _live_meeting(make, proposal, by))


def _agree(make, proposal, by):
    from assembly.core.db import utcnow
    from assembly.proposals.service import record_agreement

    record_agreement(proposal, by, meeting=_live_meeting(make, proposal, by),
                     review_date=utcnow().date() + timedelta(days=180),
                     implementers="The pharmacy group", present=[by])


def _step(name, **kwargs):
    def run(make, proposal, by):
        from assembly.proposals import service as proposals

        getattr(proposals, name)(proposal, by, **kwargs)
    return run


def _delegate(make, proposal, by):
    from assembly.core.db import utcnow
    from assembly.proposals.service import delegate

    group = make.working_group(proposal.collective, by)
    delegate(proposal, by, working_group=group, mandate="Find out the costs.",
             return_date=utcnow().date() + timedelta(days=21))


PHASE_ROUTES = {
    "identified": [],
    "drafting": [_step("start_drafting")],
    "delegated": [_step("start_drafting"), _delegate],
    "on_agenda": [_step("start_drafting"), _on_agenda],
    "postponed": [_step("start_drafting"), _on_agenda,
                  _step("postpone", reason="More time is needed.")],
    "agreed": [_step("start_drafting"), _on_agenda, _agree],
    "under_review": [_step("start_drafting"), _on_agenda, _agree,
                     _step("open_review", reason="Asked early.")],
    "withdrawn": [_step("withdraw", reason="No longer needed.")],
    "retired": [_step("start_drafting"), _on_agenda, _agree,
                _step("open_review", reason="Asked early."),
                _step("retire_agreement", reason="Done its time.")],
}


@pytest.fixture
def make(app):
    return Make()


class IsolatedClient:
    """Runs each request outside the test's app context, as in production: its own `g`, its own
    database session, committed or nothing. (Flask reuses an app context already pushed.)"""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name in {"get", "post", "open", "put", "delete", "patch", "head"}:
            return lambda *a, **kw: contextvars.Context().run(attribute, *a, **kw)
        return attribute


class WebClient:
    """The Flask test client, posting real forms with real CSRF tokens."""

    TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

    def __init__(self, client):
        self.client = IsolatedClient(client)

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def token(self) -> str:
        page = self.client.get("/login").get_data(as_text=True)
        return self.TOKEN.search(page).group(1)

    def post(self, url, data=None, *, csrf=True, **kw):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.token()
        return self.client.post(url, data=data, **kw)

    def login(self, person, password=PASSWORD):
        response = self.post("/login", {"name": person.display_name, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def text(self, url) -> str:
        response = self.get(url)
        return response.get_data(as_text=True)


@pytest.fixture
def web(app):
    return WebClient(app.test_client())


@pytest.fixture
def other_web(app):
    return WebClient(app.test_client())
