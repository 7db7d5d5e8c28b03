"""Every Socket.IO event of the live layer (join, snapshot and each action type of ``act``) fed
random and malformed payloads: wrong types, lone surrogates, NUL, huge and deeply nested values,
unknown fields, ids that do not exist or do not fit. Never an uncaught exception, never the
generic 'server_error' answer, nothing logged as an error, and a refused event writes nothing."""

import logging
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembly.live.events import FIELDS, ID, INDEX, TEXT
from assembly.live.models import Answer, HandKind, Outcome, QueuePolicy, SignalKind
from assembly.live.service import VIEWS
from tests.hostile.conftest import (
    deep_json,
    hostile_id,
    json_text,
    json_value,
    nested,
    row_counts,
    tried,
)
from tests.live.conftest import scene  # noqa: F401  (the live meeting with three screens)

EXAMPLES = 15
# The events that change the most come last: an outcome moves on, closing ends everything.
LAST = ["act:record_outcome", "act:close_meeting"]
EVENTS = ["join", "snapshot",
          *(f"act:{k}" for k in sorted(FIELDS) if f"act:{k}" not in LAST), *LAST]
# Values a real client would send for each text field, so hostile ones sit among valid ones.
CHOICES = {"kind": [*HandKind, *SignalKind], "answer": list(Answer),
           "policy": list(QueuePolicy), "outcome": list(Outcome), "view": list(VIEWS),
           "reason": ["Not ready yet."], "text": ["Notes."], "implementers": ["The group"],
           "mandate": ["Find out."], "review_date": ["2031-01-01"],
           "return_date": ["2031-01-01"]}


class Errors(logging.Handler):
    """Error records of the app's loggers: a handler that caught an exception logs it."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def errors():
    found = Errors()
    logger = logging.getLogger("assembly")
    logger.addHandler(found)
    yield found
    logger.removeHandler(found)


BAD_TEXT = st.sampled_from(["\ud800", "a\udfffb", "\x00", "x\u202e", "\ufeff", " ", ""])
# Who may do what: most payloads come from a screen allowed to act, so they reach the rules.
NOTE_TAKER = {"save_note", "timer_start", "timer_pause", "timer_reset"}
PARTICIPANT = {"raise_hand", "lower_hand", "signal", "answer", "take_over", "join", "snapshot"}


def _field_value(name: str, type_: str, ids: list[int]):
    if type_ in (ID, INDEX):
        plausible = st.sampled_from([0, *ids])
    else:
        plausible = st.sampled_from([str(c) for c in CHOICES.get(name, ["x"])])
    return st.one_of(plausible, plausible, BAD_TEXT, json_value, hostile_id, deep_json,
                     st.builds(lambda c, n: c * n, st.sampled_from("a\x00\ud800"),
                               st.integers(50_000, 300_000)))


@st.composite
def _payload(draw, event: str, meeting_id: int, ids: list[int]):
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(json_value, deep_json))  # not an object at all
    payload = {}
    if draw(st.integers(0, 5)):
        payload["meeting_id"] = draw(st.one_of(st.just(meeting_id), st.just(meeting_id),
                                               hostile_id, json_value))
    if event.startswith("act:"):
        kind = event[4:]
        payload["action_id"] = draw(st.one_of(st.just(uuid.uuid4().hex), st.just(uuid.uuid4().hex),
                                               json_value))
        payload["type"] = draw(st.one_of(st.just(kind), st.just(kind), st.just(kind), json_value))
        fields = FIELDS[kind]
    else:
        fields = {"view": (TEXT, True)} if event == "join" else {}
    for name, (type_, _required) in fields.items():
        if draw(st.integers(0, 4)):
            payload[name] = draw(_field_value(name, type_, ids))
    payload.update(draw(st.dictionaries(json_text, json_value, max_size=3)))  # unknown fields
    return payload


def _valid(event: str, meeting_id: int, item_id: int) -> dict:
    """A payload that is well formed for ``event`` (it may still be refused by the rules)."""
    kind = event.removeprefix("act:")
    fields = FIELDS.get(kind, {"view": (TEXT, True)} if kind == "join" else {})
    payload = {"meeting_id": meeting_id}
    if event.startswith("act:"):
        payload |= {"action_id": uuid.uuid4().hex, "type": kind}
    for name, (type_, _required) in fields.items():
        payload[name] = item_id if type_ in (ID, INDEX) else str(CHOICES.get(name, ["x"])[0])
    return payload


# Each field of a well-formed payload replaced in turn by each of these.
SPOILERS = ["\ud800", "a\udfffb", "\x00", None, True, 2**64, -1, 1.5, [], {"a": 1},
            "x" * 200_000, nested(300)]


def _spoiled(payload: dict):
    for name in payload:
        for bad in SPOILERS:
            yield {**payload, name: bad}


class Checker:
    """Sends one payload and checks the answer, the log and the row counts."""

    def __init__(self, errors):
        self.errors = errors

    def __call__(self, live, screen, name: str, payload) -> None:
        before = row_counts()
        tried("sockets")
        answer = screen.emit(name, payload)
        live.forget()
        assert isinstance(answer, dict), answer
        assert answer.get("code") != "server_error", (name, payload, answer)
        assert not self.errors.records, [r.getMessage() for r in self.errors.records]
        if not answer.get("ok"):
            assert isinstance(answer.get("error"), str) and answer["error"].strip(), answer
            assert row_counts() == before, f"a refused {name} wrote rows: {answer}"


def _explore(check, scene, event: str, screens: list, ids: list[int]) -> None:  # noqa: F811
    name = "act" if event.startswith("act:") else event

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        screen = data.draw(st.sampled_from(screens), label="screen")
        payload = data.draw(_payload(event, scene.meeting.id, ids), label="payload")
        check(scene, screen, name, payload)

    run()


def test_every_event_is_tried():
    assert {e.removeprefix("act:") for e in EVENTS} == {"join", "snapshot", *FIELDS}
    assert EVENTS[-1] == "act:close_meeting", "closing last keeps the others reaching rules"


def test_socket_events_survive_hostile_payloads(scene, errors):  # noqa: F811
    """One live meeting for every event (building it per event took most of the time): the
    events that change the most (an outcome, closing) come last."""
    # On the first item with a consensus check open, so answers and notes reach their rules.
    for step in ("next_item", "open_check"):
        assert scene.console.act(step)["ok"], step
    screens = [scene.console, scene.phone, scene.projector, scene.screen(scene.eleni)]
    ids = [scene.first.id, scene.second.id, scene.free.id, *range(1, 4)]
    check = Checker(errors)
    scene.forget()
    for event in EVENTS:
        kind = event.removeprefix("act:")
        allowed = screens[3] if kind in NOTE_TAKER else screens[1] if kind in PARTICIPANT \
            else screens[0]
        name = "act" if event.startswith("act:") else event
        for payload in _spoiled(_valid(event, scene.meeting.id, scene.first.id)):
            check(scene, allowed, name, payload)

        _explore(check, scene, event, [allowed, allowed, *screens], ids)
