"""A live meeting with three screens: the facilitator's console (Maria), a phone (Nikos) and an
anonymous projector, each a Socket.IO test client sharing its Flask test client's session."""

import uuid
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from assembly.extensions import db, socketio
from assembly.live.models import LiveAction, LiveMeeting
from tests.conftest import WebClient


def signed_in(app, person=None):
    """A Flask test client, signed in as ``person`` through the real login form."""
    web = WebClient(app.test_client())
    if person is not None:
        web.login(person)
    return web.client


class Screen:
    """One Socket.IO client. Events it receives are kept until taken, by name."""

    def __init__(self, app, flask_client, meeting_id: int):
        self.client = socketio.test_client(app, flask_test_client=flask_client)
        self.meeting_id = meeting_id
        self.kept: list[dict] = []
        self.seen: list[dict] = []  # everything ever received, for leak checks

    def emit(self, event: str, data=None):
        if data is None:
            return self.client.emit(event, callback=True)
        return self.client.emit(event, data, callback=True)

    def join(self, view="participant", meeting_id=None):
        return self.emit("join", {"meeting_id": meeting_id or self.meeting_id, "view": view})

    def act(self, action_type: str, action_id: str | None = None, **fields):
        return self.emit("act", {"meeting_id": self.meeting_id,
                                 "action_id": action_id or uuid.uuid4().hex,
                                 "type": action_type, **fields})

    def _drain(self) -> None:
        fresh = self.client.get_received()
        self.kept += fresh
        self.seen += fresh

    def take(self, name: str) -> list:
        self._drain()
        found = [e["args"][0] for e in self.kept if e["name"] == name]
        self.kept = [e for e in self.kept if e["name"] != name]
        return found

    def forget(self) -> None:
        self._drain()
        self.kept = []


@dataclass
class Scene:
    app: object
    collective: object
    assembly: object
    meeting: object
    maria: object  # facilitator
    nikos: object  # member on a phone
    eleni: object  # note-taker and time-keeper
    first: object  # proposal items and a free point, in agenda order
    second: object
    free: object
    console: Screen = None
    phone: Screen = None
    projector: Screen = None
    clients: list = field(default_factory=list)

    def seq(self) -> int:
        db.session.expire_all()
        live = db.session.get(LiveMeeting, self.meeting.id)
        return live.seq if live is not None else 0

    def live(self) -> LiveMeeting:
        db.session.expire_all()
        return db.session.get(LiveMeeting, self.meeting.id)

    def logged(self) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(LiveAction).where(
            LiveAction.meeting_id == self.meeting.id))

    def screen(self, person=None, view="participant", join=True) -> Screen:
        flask_client = signed_in(self.app, person)
        screen = Screen(self.app, flask_client, self.meeting.id)
        self.clients.append(screen)
        if join:
            answer = screen.join(view)
            assert answer["ok"], answer
            screen.forget()
        return screen

    def forget(self) -> None:
        for screen in self.clients:
            screen.forget()


@pytest.fixture
def scene(app, make):
    from assembly.meetings import service as meetings
    from assembly.meetings.models import Role

    collective = make.collective("Κοινωνικό Ιατρείο")
    maria = make.member(collective, "Maria")
    nikos = make.member(collective, "Nikos")
    eleni = make.member(collective, "Eleni")
    assembly = make.assembly(collective)
    first = make.proposal(assembly, maria, "on_agenda", title="Open on Saturdays",
                          text="We open **every** Saturday.")
    meeting = first.events[-1].meeting
    second = make.proposal(assembly, maria, "on_agenda", title="Buy a fridge")
    meetings.add_free_point(meeting, maria, "Cleaning rota", 10, "Who cleans when.")
    meetings.assign_role(meeting, maria, Role.FACILITATOR, maria)
    meetings.assign_role(meeting, maria, Role.NOTE_TAKER, eleni)
    meetings.assign_role(meeting, maria, Role.TIME_KEEPER, eleni)
    db.session.commit()
    items = meetings.agenda(meeting)
    assert [i.proposal_id for i in items] == [first.id, second.id, None]
    found = Scene(app, collective, assembly, meeting, maria, nikos, eleni, *items)
    found.console = found.screen(maria, "facilitator")
    found.phone = found.screen(nikos)
    found.projector = found.screen(None, "projector")
    found.forget()
    yield found
    for screen in found.clients:
        if screen.client.is_connected():
            screen.client.disconnect()


def applied(scene: Scene, answer: dict, before: int) -> dict:
    """The action was applied once: acknowledged with the next number, committed, and the
    projector and the console each received it once. Returns the broadcast snapshot."""
    assert answer == {"ok": True, "seq": before + 1}, answer
    assert scene.seq() == before + 1
    states = scene.projector.take("state")
    assert [s["seq"] for s in states] == [before + 1], states
    assert [c["seq"] for c in scene.console.take("console")] == [before + 1]
    assert scene.phone.take("state")[-1]["seq"] == before + 1
    assert scene.projector.take("console") == [], "the projector is not in the console room"
    return states[0]["snapshot"]


def refused(scene: Scene, screen: Screen, answer: dict, code: str, before: int) -> str:
    """Refused with a reason in words: nothing changed, nothing was broadcast, and the sender
    alone got an ``action_error``."""
    assert answer["ok"] is False, answer
    assert answer["code"] == code, answer
    assert isinstance(answer["error"], str) and answer["error"].strip()
    assert scene.seq() == before
    errors = screen.take("action_error")
    assert len(errors) == 1 and errors[0]["error"] == answer["error"], errors
    for other in scene.clients:
        assert other.take("state") == [], "a refused action must not be broadcast"
        if other is not screen:
            assert other.take("action_error") == []
    return answer["error"]
