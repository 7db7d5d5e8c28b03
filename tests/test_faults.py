"""Faults: the database going away and coming back, Redis unreachable with several processes,
and a server killed during a burst of live actions."""

import threading
import uuid
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import requests
import sqlalchemy as sa

from assembly.extensions import db
from assembly.extensions import socketio as server_socketio
from tests.conftest import POSTGRES_URL, Make, WebClient, make_app, service_missing
from tests.live.test_servers import Client, Server, free_port, prepare_database

DOWN = "The database cannot be reached just now"


# --- (a) PostgreSQL goes away mid-request and comes back --------------------------------------

class Database:
    """A PostgreSQL database of this test's own (never the shared `test` database's
    settings): it can be closed to connections and opened again."""

    def __init__(self):
        self.name = f"assembly_faults_{uuid.uuid4().hex[:10]}"
        self.admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        self.url = sa.make_url(POSTGRES_URL).set(database=self.name).render_as_string(False)

    def run(self, statement: str, **params) -> None:
        with self.admin.connect() as conn:
            conn.execute(sa.text(statement), params)

    def create(self) -> None:
        try:
            self.run(f'CREATE DATABASE "{self.name}"')
        except sa.exc.OperationalError as error:
            service_missing("PostgreSQL", error)

    def cut(self) -> None:
        """No new connections, and the open ones ended, as when the server goes down."""
        self.run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        self.end_connections()

    def end_connections(self) -> None:
        self.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE datname = :name AND pid <> pg_backend_pid()", name=self.name)

    def restore(self) -> None:
        self.run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')

    def drop(self) -> None:
        self.run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture
def own_database():
    found = Database()
    found.create()
    app = make_app({"SQLALCHEMY_DATABASE_URI": found.url, "SQLALCHEMY_ENGINE_OPTIONS": {}})
    try:
        with app.app_context():
            db.create_all()
            yield found, app
            db.session.remove()
            db.engine.dispose()
    finally:
        found.restore()
        found.drop()


@dataclass
class Clinic:
    slug: str
    maria: object
    meeting_id: int


def clinic(app) -> Clinic:
    make = Make()
    collective = make.collective("Clinic")
    maria = make.member(collective, "Maria")
    proposal = make.proposal(make.assembly(collective), maria, "on_agenda")
    # What the login form needs, kept apart from the session about to be closed.
    found = Clinic(collective.slug, SimpleNamespace(display_name=maria.display_name),
                   proposal.events[-1].meeting.id)
    db.session.remove()  # the test's own session must not hold a connection across the cut
    return found


def assert_down(response) -> None:
    assert response.status_code == 503, response.status_code
    page = response.get_data(as_text=True)
    assert DOWN in page and "<html" in page


@pytest.mark.postgresql
def test_pages_answer_503_while_the_database_is_away_and_recover(own_database):
    database, app = own_database
    place = clinic(app)
    page = f"/c/{place.slug}/"
    member, visitor = WebClient(app.test_client()), WebClient(app.test_client())
    member.login(place.maria)
    assert member.get(page).status_code == 200

    database.cut()
    # The signed-in member's request fails first in the login user loader, the visitor's
    # in the page itself: both get the page in words, not a 500.
    assert_down(member.get(page))
    assert_down(visitor.get(page))
    assert_down(member.get("/login"))

    database.restore()
    back = member.get(page)
    assert back.status_code == 200
    assert "Signed in as" in back.get_data(as_text=True)  # the session survived
    assert visitor.get(page).status_code == 200

    # A database restart while nobody was asking: the pooled connections are dead, and
    # testing them before use means the next request does not pay for it.
    database.end_connections()
    assert member.get(page).status_code == 200


@pytest.mark.postgresql
def test_live_actions_are_answered_while_the_database_is_away(own_database):
    database, app = own_database
    place = clinic(app)
    web = WebClient(app.test_client())
    web.login(place.maria)
    phone = server_socketio.test_client(app, flask_test_client=web.client._client)
    try:
        joined = phone.emit("join", {"meeting_id": place.meeting_id, "view": "participant"},
                            callback=True)
        assert joined["ok"], joined
        phone.get_received()

        database.cut()
        for event, data in (
                ("act", {"type": "raise_hand", "kind": "new_point", "action_id": "a" * 12}),
                ("snapshot", {}),
                ("join", {"view": "participant"})):
            answer = phone.emit(event, {"meeting_id": place.meeting_id, **data}, callback=True)
            assert answer["ok"] is False and answer["code"] == "unavailable", answer
            assert DOWN in answer["error"]
        errors = [e for e in phone.get_received() if e["name"] == "action_error"]
        assert [e["args"][0]["code"] for e in errors] == ["unavailable"] * 3

        database.restore()
        answer = phone.emit("act", {"meeting_id": place.meeting_id, "type": "raise_hand",
                                    "kind": "new_point", "action_id": "a" * 12},
                            callback=True)
        assert answer == {"ok": True, "seq": joined["snapshot"]["seq"] + 1}, answer
    finally:
        phone.disconnect()


# --- (b) Redis unreachable with several processes ---------------------------------------------

def test_an_unreachable_redis_degrades_to_a_clear_answer(tmp_path):
    """A message queue on a port where nothing listens: both processes start and serve pages;
    a live action is applied and saved, the screens of the sender's own process see it, and
    the sender is told that the others could not be reached (they would have drifted apart
    without a word). The decision: apply and report, never refuse what the database took."""
    token = uuid.uuid4().hex[:8]
    database = tmp_path / "live.sqlite3"
    meeting_id = prepare_database(database, token)["meeting"]
    queue = {"SOCKETIO_MESSAGE_QUEUE": f"redis://127.0.0.1:{free_port()}/0",
             "SOCKETIO_CHANNEL": f"assembly-test-{token}"}
    servers = [Server(database, tmp_path / "a.log", queue),
               Server(database, tmp_path / "b.log", queue)]
    clients = []
    try:
        for server in servers:
            for page in ("/", "/login"):
                assert requests.get(server.url + page, timeout=10).status_code == 200
        phone = Client(servers[0], meeting_id, "Nikos", "participant")
        projector = Client(servers[1], meeting_id, None, "projector")
        clients += [phone, projector]
        before = phone.snapshot()["seq"]

        answer = phone.io.call("act", {"meeting_id": meeting_id, "type": "raise_hand",
                                       "kind": "new_point", "action_id": uuid.uuid4().hex},
                               timeout=10)
        assert answer["ok"] is True and answer["seq"] == before + 1, answer
        assert answer["code"] == "not_broadcast"
        assert "could not be reached" in answer["warning"]
        # Saved: the other process reads it from the database when asked.
        assert [h["name"] for h in projector.snapshot()["queue"]] == ["Nikos"]
        # The sender's own process still showed it; the other one could not be told.
        assert phone.state_with(before + 1, token)["queue"][0]["name"] == "Nikos"
        with pytest.raises(AssertionError):
            projector.state_with(before + 1, token, timeout=1)
    finally:
        for client in clients:
            client.close()
        for server in servers:
            server.kill()


# --- (c) SIGKILL during a burst of actions from several clients ---------------------------------

def add_members(path, names) -> None:
    from assembly import create_app
    from assembly.collectives.models import Collective
    from assembly.people.service import add_member, create_person
    from tests.conftest import PASSWORD

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SOCKETIO_ASYNC_MODE": "threading", "SOCKETIO_MESSAGE_QUEUE": None,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        collective = db.session.scalars(sa.select(Collective)).one()
        for name in names:
            add_member(collective, create_person(name, PASSWORD))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@dataclass
class Hands:
    """One client raising and lowering its hand as fast as the server answers."""
    name: str
    sent: list = field(default_factory=list)      # (action_id, fields), in order
    answered: dict = field(default_factory=dict)  # action_id -> seq, acknowledged
    failure: list = field(default_factory=list)

    def fields(self, n: int) -> dict:
        return {"type": "raise_hand", "kind": "new_point"} if n % 2 == 0 \
            else {"type": "lower_hand"}

    def run(self, client: Client, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set():
            action = {"meeting_id": client.meeting_id, "action_id": f"{self.name}-{n:05d}",
                      **self.fields(n)}
            self.sent.append(action)
            try:
                answer = client.io.call("act", action, timeout=5)
            except Exception:  # the server died with this one in flight
                return
            if not answer.get("ok"):
                self.failure.append(answer)
                return
            self.answered[action["action_id"]] = answer["seq"]
            n += 1


def logged_actions(path, meeting_id: int) -> dict[str, int]:
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT action_id, seq FROM live_actions "
                                    "WHERE meeting_id = :m"), {"m": meeting_id}).all()
    engine.dispose()
    return dict(rows)


def test_sigkill_during_a_burst_loses_no_acknowledged_action(tmp_path):
    token = uuid.uuid4().hex[:8]
    database = tmp_path / "live.sqlite3"
    meeting_id = prepare_database(database, token)["meeting"]
    names = ["Maria", "Nikos", "Eleni", "Kostas"]
    add_members(database, names[2:])
    # As fast as the server answers: the per-connection limit on live actions is not tested here.
    unlimited = {"LIVE_ACTIONS_BURST": "100000"}
    first = Server(database, tmp_path / "server.log", unlimited)
    servers = [first]
    try:
        clients = [Client(first, meeting_id, name, "participant") for name in names]
        hands = [Hands(name) for name in names]
        stop = threading.Event()
        threads = [threading.Thread(target=h.run, args=(c, stop), daemon=True)
                   for h, c in zip(hands, clients, strict=True)]
        for thread in threads:
            thread.start()
        for _ in range(3000):
            if sum(len(h.answered) for h in hands) >= 80:
                break
            stop.wait(0.01)
        first.kill()  # SIGKILL, with actions in flight
        stop.set()
        for thread in threads:
            thread.join(15)
        for client in clients:
            client.close()
        assert not any(h.failure for h in hands), [h.failure for h in hands]
        acknowledged = {k: v for h in hands for k, v in h.answered.items()}
        assert len(acknowledged) >= 80

        logged = logged_actions(database, meeting_id)
        # Every acknowledged action is in the log with the number it was acknowledged with,
        # and the log has no holes.
        assert {k: logged.get(k) for k in acknowledged} == acknowledged
        assert sorted(logged.values()) == list(range(1, len(logged) + 1))

        servers.append(Server(database, tmp_path / "server.log", unlimited, port=first.port))
        # What was in flight is sent again with the same id, as the live client does: each is
        # applied at most once, whether or not it made it before the kill.
        for hand, name in zip(hands, names, strict=True):
            unanswered = [a for a in hand.sent if a["action_id"] not in hand.answered]
            assert len(unanswered) <= 1
            if unanswered:
                again = Client(servers[1], meeting_id, name, "participant")
                answer = again.io.call("act", unanswered[0], timeout=10)
                assert answer["ok"], answer
                again.close()
        logged = logged_actions(database, meeting_id)
        sent = {a["action_id"] for h in hands for a in h.sent}
        assert sent <= logged.keys()
        assert sorted(logged.values()) == list(range(1, len(logged) + 1))
        reader = Client(servers[1], meeting_id, None, "projector")
        assert reader.snapshot()["seq"] == max(logged.values())
        reader.close()
    finally:
        for server in servers:
            server.kill()

