"""Real server processes (wsgi.py under eventlet, a SQLite file, free ports) and real Socket.IO
clients: killing the server mid-meeting loses nothing, and two processes sharing the Redis
message queue share rooms."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests
import socketio

from tests.conftest import PASSWORD, REDIS_URL, service_missing

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
STABLE = ("seq", "status", "policy", "queue", "agenda", "check", "outcome", "participants",
          "facilitator", "meeting")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(path: Path, token: str) -> dict:
    """A live meeting with an agenda, built through the services into a fresh SQLite file (the
    schema from the models: the live tables may be newer than the last migration)."""
    from assembly import create_app
    from assembly.collectives.service import create_collective, general_assembly
    from assembly.core.db import utcnow
    from assembly.extensions import db
    from assembly.meetings import service as meetings
    from assembly.meetings.models import Role
    from assembly.people.service import add_member, create_person
    from assembly.proposals import service as proposals

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SOCKETIO_ASYNC_MODE": "threading", "SOCKETIO_MESSAGE_QUEUE": None,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.create_all()
        collective = create_collective("Clinic", timezone="UTC", languages="en el")
        maria, nikos = (create_person(name, PASSWORD) for name in ("Maria", "Nikos"))
        for person in (maria, nikos):
            add_member(collective, person)
        body = general_assembly(collective)
        start = (utcnow() + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        meeting = meetings.create_meeting(body, maria, title=f"Meeting {token}",
                                          local_start=datetime(*start.timetuple()[:5]))
        proposals.begin_meeting(meeting, maria)
        meetings.assign_role(meeting, maria, Role.FACILITATOR, maria)
        proposal = proposals.create_proposal(body, maria, "Open on Saturdays", "Every week.")
        proposals.start_drafting(proposal, maria)
        proposals.put_on_agenda(proposal, maria, meeting)
        meetings.add_free_point(meeting, maria, "Cleaning rota")
        db.session.commit()
        ids = {"meeting": meeting.id}
        db.session.remove()
        db.engine.dispose()
    return ids


class Server:
    def __init__(self, database: Path, log: Path, extra_env: dict | None = None,
                 port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
               "SECRET_KEY": "live-test-secret", "HOST": "127.0.0.1", "PORT": str(self.port),
               "PUBLIC_URL": self.url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
               "SOCKETIO_ASYNC_MODE": "eventlet", "SOCKETIO_MESSAGE_QUEUE": "",
               **(extra_env or {})}
        self.log = log
        with open(log, "a") as out:
            self.process = subprocess.Popen([sys.executable, "wsgi.py"], env=env, cwd=ROOT,
                                            stdout=out, stderr=subprocess.STDOUT)
        for _ in range(150):
            try:
                requests.get(self.url + "/login", timeout=1)
                return
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not start: {log.read_text()}")

    def kill(self) -> None:
        """kill -9: no chance to save anything on the way out."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def servers():
    started: list[Server] = []
    yield started
    for server in started:
        server.kill()


def cookie_for(server: Server, name: str | None) -> str:
    """Sign in over HTTP with the real login form; the session cookie goes to the socket."""
    http = requests.Session()
    if name is not None:
        token = TOKEN.search(http.get(server.url + "/login", timeout=10).text).group(1)
        answer = http.post(server.url + "/login", timeout=10, allow_redirects=False,
                           data={"name": name, "password": PASSWORD, "csrf_token": token})
        assert answer.status_code == 302, answer.text
    return "; ".join(f"{c.name}={c.value}" for c in http.cookies)


class Client:
    def __init__(self, server: Server, meeting_id: int, name: str | None, view: str):
        self.io = socketio.SimpleClient()
        self.io.connect(server.url, headers={"Cookie": cookie_for(server, name)},
                        transports=["websocket"], wait_timeout=10)
        self.meeting_id = meeting_id
        self.joined = self.io.call("join", {"meeting_id": meeting_id, "view": view}, timeout=10)
        assert self.joined["ok"], self.joined

    def act(self, action_type: str, action_id: str | None = None, **fields) -> dict:
        answer = self.io.call("act", {"meeting_id": self.meeting_id, "type": action_type,
                                      "action_id": action_id or uuid.uuid4().hex, **fields},
                              timeout=10)
        assert answer["ok"], (action_type, answer)
        return answer

    def snapshot(self) -> dict:
        return self.io.call("snapshot", {"meeting_id": self.meeting_id}, timeout=10)["snapshot"]

    def state_with(self, seq: int, token: str, timeout: float = 10) -> dict:
        """Wait for the state of our meeting with this number (a shared Redis may carry other
        test runs' rooms of the same name: they are told apart by the meeting's title)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event = self.io.receive(timeout=max(0.1, deadline - time.monotonic()))
            except socketio.exceptions.TimeoutError:
                break
            if event[0] == "state" and token in event[1]["snapshot"]["meeting"]["title"] \
                    and event[1]["seq"] == seq:
                return event[1]["snapshot"]
        raise AssertionError(f"no state with seq {seq} arrived")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.io.disconnect()


def test_a_server_killed_mid_meeting_loses_nothing(tmp_path, servers):
    token = uuid.uuid4().hex[:8]
    database = tmp_path / "live.sqlite3"
    meeting_id = prepare_database(database, token)["meeting"]
    servers.append(Server(database, tmp_path / "server.log"))
    console = Client(servers[0], meeting_id, "Maria", "facilitator")
    phone = Client(servers[0], meeting_id, "Nikos", "participant")
    console.act("next_item")
    raised = phone.act("raise_hand", action_id="raised-before-the-crash", kind="new_point")
    console.act("raise_hand", kind="direct_response")
    console.act("set_policy", policy="progressive")
    console.act("call_next")
    console.act("timer_start")
    console.act("open_check", open_names=True)
    check_id = phone.snapshot()["check"]["id"]
    phone.act("answer", check_id=check_id, answer="stand_aside", reason="Busy on Saturdays")
    phone.act("raise_hand", kind="clarifying_question")
    item_id = phone.snapshot()["current"]["item_id"]
    console.act("save_note", item_id=item_id, text="Saturdays, 10 to 14.")
    before = console.snapshot()
    for client in (console, phone):
        client.close()

    servers[0].kill()
    servers.append(Server(database, tmp_path / "server.log", port=servers[0].port))
    console = Client(servers[1], meeting_id, "Maria", "facilitator")
    phone = Client(servers[1], meeting_id, "Nikos", "participant")
    after = console.snapshot()
    for key in STABLE:
        assert after[key] == before[key], key
    assert after["seq"] == before["seq"] >= 11
    assert after["check"]["counts"]["stand_aside"] == 1
    assert after["check"]["names"]["stand_aside"] == ["Nikos"]
    assert console.joined["console"]["notes"]["text"] == "Saturdays, 10 to 14."
    assert after["speaker"]["name"] == "Maria"
    assert [h["kind"] for h in after["queue"]] == ["new_point", "clarifying_question"]
    assert after["timer"]["running"] is True
    assert after["timer"]["elapsed_seconds"] >= before["timer"]["elapsed_seconds"]
    assert phone.joined["participant_id"] == console.snapshot()["queue"][0]["participant_id"]
    # A retry of an action from before the crash is still recognised; new ones go on counting.
    again = phone.act("raise_hand", action_id="raised-before-the-crash", kind="new_point")
    assert again == raised
    moved_on = console.act("close_check")
    assert moved_on["seq"] == before["seq"] + 1
    assert phone.state_with(moved_on["seq"], token)["check"]["open"] is False
    for client in (console, phone):
        client.close()


def test_two_server_processes_share_rooms_through_redis(tmp_path, servers):
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        service_missing("Redis", error)
    token = uuid.uuid4().hex[:8]
    database = tmp_path / "live.sqlite3"
    meeting_id = prepare_database(database, token)["meeting"]
    # A channel of this run's own: proves the setting is used, and that installations sharing
    # one Redis stay apart.
    channel = f"assembly-test-{token}"
    listener = redis.Redis.from_url(REDIS_URL).pubsub()
    listener.subscribe(channel)
    queue = {"SOCKETIO_MESSAGE_QUEUE": REDIS_URL, "SOCKETIO_CHANNEL": channel}
    servers.append(Server(database, tmp_path / "a.log", queue))
    servers.append(Server(database, tmp_path / "b.log", queue))
    phone = Client(servers[0], meeting_id, "Nikos", "participant")
    projector = Client(servers[1], meeting_id, None, "projector")
    console = Client(servers[1], meeting_id, "Maria", "facilitator")

    raised = phone.act("raise_hand", kind="new_point")
    seen = projector.state_with(raised["seq"], token)
    assert [(h["name"], h["kind"]) for h in seen["queue"]] == [("Nikos", "new_point")]
    called = console.act("call_next")
    assert phone.state_with(called["seq"], token)["speaker"]["name"] == "Nikos"
    published = [listener.get_message(timeout=1) for _ in range(5)]
    assert any(m and m["type"] == "message" for m in published), published
    listener.close()
    for client in (phone, projector, console):
        client.close()
