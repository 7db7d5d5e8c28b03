"""Socket.IO handlers of the live layer (PROTOCOL.md). They only parse the payload, call the live
service, commit, and then emit: ``state`` once to the meeting's room and ``console`` once to its
facilitator room. No exception escapes a handler: a refused action is answered with a translated
reason (in the acknowledgement and an ``action_error`` event to the sender only); anything else is
logged, rolled back and answered with a generic translated error."""

import logging
import threading
import time
from datetime import date
from functools import wraps

from flask import current_app, g, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user
from flask_socketio import join_room
from socketio import RedisManager
from sqlalchemy.exc import OperationalError

from assembly.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from assembly.core.web import too_many_message
from assembly.extensions import db, login_manager, socketio
from assembly.live import service
from assembly.meetings.models import Meeting
from assembly.people.models import Person

log = logging.getLogger(__name__)

# A first bound on any text before the services apply their own limits.
MAX_STRING = 100_000
MAX_ID = 2**31 - 1
CODES = ((Invalid, "invalid"), (NotFound, "not_found"), (Forbidden, "forbidden"),
         (Conflict, "conflict"))

# The fields each action type takes: name -> (type, required). Others are ignored.
TEXT, ID, INDEX, FLAG, DAY = "text", "id", "index", "flag", "day"
FIELDS: dict[str, dict[str, tuple[str, bool]]] = {
    "raise_hand": {"kind": (TEXT, True)},
    "lower_hand": {"hand_id": (ID, False)},
    "leave": {"participant_id": (ID, False)},
    "come_back": {},
    "signal": {"kind": (TEXT, True)},
    "answer": {"check_id": (ID, True), "answer": (TEXT, True), "reason": (TEXT, False)},
    "next_item": {},
    "previous_item": {},
    "goto_item": {"item_id": (ID, True)},
    "call_next": {},
    "end_turn": {},
    "move_hand": {"hand_id": (ID, True), "index": (INDEX, True)},
    "set_policy": {"policy": (TEXT, True)},
    "timer_start": {},
    "timer_pause": {},
    "timer_reset": {},
    "open_check": {"open_names": (FLAG, False)},
    "close_check": {},
    "record_outcome": {"outcome": (TEXT, True), "reason": (TEXT, False),
                       "review_date": (DAY, False), "implementers": (TEXT, False),
                       "working_group_id": (ID, False), "mandate": (TEXT, False),
                       "return_date": (DAY, False)},
    "take_over": {},
    "save_note": {"item_id": (ID, True), "text": (TEXT, True)},
    "close_meeting": {},
}


def meeting_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}"


def facilitator_room(meeting_id: int) -> str:
    return f"meeting:{meeting_id}:facilitator"


def broadcast(meeting: Meeting) -> tuple[dict, dict]:
    """After a commit: the new state to everyone in the meeting, the console to its
    facilitators. Pages that change live state (a guest joining, a meeting closed from its
    page) call this after their commit too. Returns the snapshot and console sent."""
    snapshot = service.snapshot(meeting)
    socketio.emit("state", {"meeting_id": meeting.id, "seq": snapshot["seq"],
                            "snapshot": snapshot}, to=meeting_room(meeting.id))
    # Let the room's writes go out before the facilitators' console (which lists everyone
    # present) is computed: the projector and phones should not wait for it.
    socketio.sleep(0)
    console = service.console(meeting)
    socketio.emit("console", {"meeting_id": meeting.id, "seq": snapshot["seq"],
                              "console": console}, to=facilitator_room(meeting.id))
    return snapshot, console


def _commit() -> None:
    """Commit without expiring what the session holds: the handler goes straight on to describe
    the state it has just written under the meeting's lock, and reloading every row first would
    only delay the broadcast (measured in bench/RESULTS.md). A change committed meanwhile by
    another process is in that process's own, later-numbered broadcast."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


# python-socketio logs a message the Redis queue refused and drops it: other server processes'
# screens would silently fall behind. Each publish that fails is noted here (per green thread),
# so the sender of the change hears of it.
_publishing = threading.local()


def _note_failed_publishes(manager) -> None:
    if not isinstance(manager, RedisManager) or getattr(manager, "_failures_noted", False):
        return
    publish = manager._publish

    def publish_noting_failure(data):
        sent = publish(data)
        if sent is None:  # it gave up after its retries (a success is a subscriber count)
            _publishing.failed = True
        return sent

    manager._publish = publish_noting_failure
    manager._failures_noted = True


def _broadcast_committed(meeting: Meeting) -> tuple[dict, dict] | None:
    """The change is committed: a failure to broadcast it must not turn the sender's answer
    into an error, but must not be silent either (None: the caller says so). Clients that
    missed it see the gap in ``seq`` at the next broadcast and ask for a snapshot."""
    _note_failed_publishes(socketio.server.manager)
    _publishing.failed = False
    try:
        sent = broadcast(meeting)
    except Exception:
        log.exception("broadcast of meeting %s failed", meeting.id)
        _rollback()
        return None
    if _publishing.failed:
        log.error("broadcast of meeting %s did not reach the message queue", meeting.id)
        return None
    return sent


def _not_broadcast() -> dict:
    """Added to the answer of an action that was saved but could not be sent to the room."""
    return {"code": "not_broadcast",
            "warning": _("Saved, but the other screens of this meeting could not be reached "
                         "just now. They will catch up when the connection comes back; "
                         "nothing needs to be done again.")}


# --- the wrapper every handler goes through ---------------------------------------------------

def _fresh_request() -> None:
    """In production each event has its own app context; in tests one is shared, so forget
    what an earlier event cached about its sender (the signed-in person, the viewer, the
    language)."""
    g.pop("_login_user", None)
    g.pop("viewer", None)
    refresh()


def _refuse(action_id, error: str, code: str, field: str | None = None) -> dict:
    socketio.emit("action_error", {"action_id": action_id, "error": error, "code": code,
                                   "field": field}, to=request.sid)
    return {"ok": False, "error": error, "code": code, "field": field}


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the database itself may be what failed
        log.exception("rollback failed")


def _code(error: DomainError) -> str:
    return next((code for kind, code in CODES if isinstance(error, kind)), "error")


# Tokens left and when they were counted, per connection (Socket.IO sid). Flask-Limiter sees
# only HTTP requests; one connection sends many events, so each has a bucket of its own here:
# LIVE_ACTIONS_PER_SECOND come back each second, up to LIVE_ACTIONS_BURST. Per process: a
# connection stays with one process (sticky sessions), so nothing needs sharing.
_buckets: dict[str, tuple[float, float]] = {}


def _within_rate() -> bool:
    config = current_app.config
    if not config.get("RATELIMIT_ENABLED", True):
        return True
    rate, burst = config["LIVE_ACTIONS_PER_SECOND"], config["LIVE_ACTIONS_BURST"]
    now = time.monotonic()
    tokens, then = _buckets.get(request.sid, (burst, now))
    tokens = min(burst, tokens + (now - then) * rate)
    allowed = tokens >= 1
    _buckets[request.sid] = (tokens - 1 if allowed else tokens, now)
    return allowed


@socketio.on("disconnect")
def _forget_bucket(*_reason):
    _buckets.pop(request.sid, None)


def handler(event: str):
    def decorate(function):
        @wraps(function)
        def wrapped(data=None, *_ignored):
            action_id = data.get("action_id") if isinstance(data, dict) else None
            if not isinstance(action_id, str) or len(action_id) > 64:
                action_id = None
            try:
                _fresh_request()
                if not _within_rate():
                    return _refuse(action_id, too_many_message(), "rate_limited")
                return function(data)
            except DomainError as error:
                _rollback()
                return _refuse(action_id, str(error.message), _code(error),
                               getattr(error, "field", None))
            except OperationalError:
                log.exception("live event %r: the database cannot be reached", event)
                _rollback()
                # Answer without asking the database who this is (for their language).
                g._login_user = login_manager.anonymous_user()
                return _refuse(action_id, _("The database cannot be reached just now, so "
                                            "nothing was changed. Please try again in a "
                                            "moment."), "unavailable")
            except Exception:
                log.exception("live event %r failed", event)
                _rollback()
                return _refuse(action_id, _("Something went wrong on the server and nothing "
                                            "was changed. Please try again."), "server_error")

        socketio.on_event(event, wrapped)
        return wrapped
    return decorate


# --- parsing ---------------------------------------------------------------------------------

def _payload(data) -> dict:
    if not isinstance(data, dict):
        raise Invalid(_l("This message could not be understood."))
    return data


def _field(data: dict, name: str, kind: str, required: bool = True):
    value = data.get(name)
    if value is None:
        if required:
            raise Invalid(_l("Something is missing: %(field)s.", field=name), field=name)
        return None
    if kind == TEXT:
        if not isinstance(value, str):
            raise Invalid(_l("%(field)s should be text.", field=name), field=name)
        if len(value) > MAX_STRING:
            raise Invalid(_l("What you sent is too long."), field=name)
        if not _encodable(value):
            raise Invalid(_l("This message could not be understood."), field=name)
        return value
    if kind in (ID, INDEX):
        lowest = 1 if kind == ID else 0
        if not isinstance(value, int) or isinstance(value, bool) \
                or not lowest <= value <= MAX_ID:
            raise Invalid(_l("%(field)s should be a number.", field=name), field=name)
        return value
    if kind == FLAG:
        if not isinstance(value, bool):
            raise Invalid(_l("%(field)s should be true or false.", field=name), field=name)
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise Invalid(_l("Give the date as YYYY-MM-DD."), field=name)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(_l("Give the date as YYYY-MM-DD."), field=name) from None


def _encodable(value: str) -> bool:
    """JSON may carry lone surrogates (\\ud800), which no database can store as text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _fields(kind: str, data: dict) -> dict:
    found = {}
    for name, (type_, required) in FIELDS[kind].items():
        value = _field(data, name, type_, required)
        if value is not None:
            found[name] = value
    return found


def _person() -> Person | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


def _guest_id(meeting_id: int) -> int | None:
    guests = session.get("live_guests")
    found = guests.get(str(meeting_id)) if isinstance(guests, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else None


def _meeting(data: dict) -> Meeting:
    return service.find_meeting(_person(), _field(data, "meeting_id", ID))


# --- the events ------------------------------------------------------------------------------

@handler("join")
def join(data):
    data = _payload(data)
    meeting = _meeting(data)
    view = _field(data, "view", TEXT)
    person = _person()
    entry = service.enter(meeting, person, _guest_id(meeting.id), view)
    _commit()
    join_room(meeting_room(meeting.id))
    if view == "facilitator":
        join_room(facilitator_room(meeting.id))
    sent = _broadcast_committed(meeting) if entry.created else None  # the count changed
    snapshot, console = sent or (service.snapshot(meeting), None)
    answer = {"ok": True, "participant_id": getattr(entry.participant, "id", None),
              "snapshot": snapshot, "me": service.me(meeting, entry.participant, person)}
    if view == "facilitator":
        answer["console"] = console or service.console(meeting)
    if entry.created and sent is None:
        answer.update(_not_broadcast())
    return answer


@handler("snapshot")
def snapshot(data):
    meeting = _meeting(_payload(data))
    person = _person()
    participant = service.own_participant(meeting, person, _guest_id(meeting.id))
    return {"ok": True, "snapshot": service.snapshot(meeting),
            "me": service.me(meeting, participant, person)}


@handler("act")
def act(data):
    data = _payload(data)
    action_id = _field(data, "action_id", TEXT)
    kind = _field(data, "type", TEXT)
    if kind not in FIELDS:
        raise Invalid(_l("Unknown action."), field="type")
    fields = _fields(kind, data)
    meeting = _meeting(data)
    participant = service.acting_participant(meeting, _person(), _guest_id(meeting.id))
    result = service.apply_action(meeting, participant, action_id, kind, fields)
    _commit()
    answer = {"ok": True, "seq": result.seq}
    if not result.duplicate and _broadcast_committed(meeting) is None:
        answer.update(_not_broadcast())
    return answer
