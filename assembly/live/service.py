"""Live meetings: the rules behind the projector, the facilitator's console and the phones.

Plain functions over ``db.session``. Every action goes through :func:`apply_action`, which takes
the meeting's lock (the sequence number is bumped first, so concurrent actions, even from two
server processes, are applied one after the other), refuses a retried ``action_id`` by returning
its earlier result, checks who may do it, applies it through the same services the pages use
(meetings, proposals) and appends it to the action log. The caller commits, then broadcasts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from assembly.collectives.models import Body
from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.core.markup import render_markdown
from assembly.extensions import db
from assembly.live.models import (
    Answer,
    CheckAnswer,
    ConsensusCheck,
    HandKind,
    LiveAction,
    LiveHand,
    LiveMeeting,
    LiveNote,
    LiveParticipant,
    LiveSignal,
    LiveTurn,
    Outcome,
    QueuePolicy,
    SignalKind,
)
from assembly.meetings import service as meetings
from assembly.meetings.models import AgendaItem, Meeting, MeetingStatus, Role
from assembly.people.models import Person
from assembly.people.service import MAX_NAME_LENGTH, clean_text, is_member
from assembly.proposals import service as proposals
from assembly.proposals.models import Phase, PositionKind, Proposal, ProposalEvent, Revision
from assembly.translated import service as translated
from assembly.visibility import ANONYMOUS, viewer_for, visible_bodies, visible_meetings

VIEWS = ("projector", "participant", "facilitator")
MAX_NOTE = 20_000
MAX_REASON = proposals.MAX_REASON
SIGNAL_WINDOW = timedelta(minutes=2)
# The same signal from the same phone within this time is refused: a nudge, not a flood.
SIGNAL_PAUSE = timedelta(seconds=10)
ACTION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Points of process go first, direct responses right after the current speaker.
PRIORITY = {HandKind.POINT_OF_PROCESS: 0, HandKind.DIRECT_RESPONSE: 1}
ANSWER_POSITIONS = {Answer.RESERVATIONS: PositionKind.RESERVATION,
                    Answer.STAND_ASIDE: PositionKind.STAND_ASIDE}
NOTHING_DECIDED = _l("This is an open discussion: nothing is decided here. Bring what came up to "
                     "a meeting of the assembly.")


# --- finding things --------------------------------------------------------------------------

def find_meeting(person: Person | None, meeting_id: int) -> Meeting:
    """The meeting if this person (or an anonymous guest) may read it; otherwise NotFound, the
    same as a meeting that does not exist."""
    meeting = db.session.scalars(
        visible_meetings(viewer_for(person)).where(Meeting.id == meeting_id)).first()
    if meeting is None:
        raise NotFound(_l("%(what)s not found.", what=_l("Meeting")))
    return meeting


def live_state(meeting: Meeting) -> LiveMeeting:
    """The live row of a meeting, created the first time it is needed. ``ON CONFLICT DO
    NOTHING``: another connection may create it at the same moment."""
    live = db.session.get(LiveMeeting, meeting.id)
    if live is not None:
        return live
    insert = (postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)
    db.session.execute(insert(LiveMeeting).values(
        meeting_id=meeting.id, seq=0, policy=QueuePolicy.FIRST_COME.value, timer_seconds=0.0,
        item_seconds={}, created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["meeting_id"]))
    return db.session.get(LiveMeeting, meeting.id)


def participant_for(meeting: Meeting, person: Person | None = None,
                    participant_id: int | None = None) -> LiveParticipant | None:
    """A member's row in this meeting, or a guest's row by id (only a guest row of this very
    meeting: a guest id from another meeting's session finds nothing)."""
    if person is not None:
        return db.session.scalars(sa.select(LiveParticipant).where(
            LiveParticipant.meeting_id == meeting.id,
            LiveParticipant.person_id == person.id)).first()
    if participant_id is None:
        return None
    found = db.session.get(LiveParticipant, participant_id)
    if found is None or found.meeting_id != meeting.id or not found.is_guest:
        return None
    return found


def _is_public(meeting: Meeting) -> bool:
    return db.session.scalars(
        visible_meetings(ANONYMOUS).where(Meeting.id == meeting.id)).first() is not None


def _require_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CLOSED:
        raise Conflict(_l("This meeting is closed."))
    if meeting.cancelled_at is not None:
        raise Conflict(_l("This meeting was cancelled."))


def _require_live(meeting: Meeting) -> None:
    _require_open(meeting)
    if meeting.status != MeetingStatus.LIVE:
        raise Conflict(_l("The meeting has not started yet."))


# --- joining ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    participant: LiveParticipant | None
    created: bool


def join_as_guest(meeting: Meeting, name: str) -> LiveParticipant:
    """An incomer joins a public meeting under a name of their choosing."""
    if not _is_public(meeting):
        raise NotFound(_l("%(what)s not found.", what=_l("Meeting")))
    _require_open(meeting)
    name = clean_text(name, max_length=MAX_NAME_LENGTH, field="name")
    return _add_participant(meeting, guest_name=name)


def _add_participant(meeting: Meeting, *, person: Person | None = None,
                     guest_name: str | None = None) -> LiveParticipant:
    """Attendance is part of the record: each arrival takes a place in the action log."""
    live = lock(meeting)
    if person is not None:
        existing = participant_for(meeting, person=person)
        if existing is not None:  # joined at the same moment from another device
            _unlock(live)
            return existing
    participant = LiveParticipant(meeting_id=meeting.id, person_id=getattr(person, "id", None),
                                  guest_name=guest_name)
    db.session.add(participant)
    db.session.flush()
    _log(live, f"join-{participant.id}", participant, "join",
         {"guest": person is None, "name": participant.name})
    return participant


def enter(meeting: Meeting, person: Person | None, guest_id: int | None, view: str) -> Entry:
    """Someone opens a live view. Members on a phone or a console become participants (one row
    per person per meeting); guests are found by the id their session holds."""
    if view not in VIEWS:
        raise Invalid(_l("Unknown view."), field="view")
    member = person is not None and is_member(person, meeting.collective)
    if view == "facilitator" and not member:
        raise Forbidden(_l("Only members can open the facilitator's console."))
    if member:
        participant = participant_for(meeting, person=person)
    else:
        participant = participant_for(meeting, participant_id=guest_id)
    if participant is None and member and view != "projector" and meeting.cancelled_at is None \
            and meeting.status != MeetingStatus.CLOSED:
        return Entry(_add_participant(meeting, person=person), True)
    return Entry(participant, False)


def own_participant(meeting: Meeting, person: Person | None,
                    guest_id: int | None) -> LiveParticipant | None:
    """Who this client is in the meeting: a member's row, else the guest row its session
    names (a signed-in non-member takes part as a guest)."""
    if person is not None and is_member(person, meeting.collective):
        return participant_for(meeting, person=person)
    return participant_for(meeting, participant_id=guest_id)


def acting_participant(meeting: Meeting, person: Person | None,
                       guest_id: int | None) -> LiveParticipant:
    participant = own_participant(meeting, person, guest_id)
    if participant is None:
        raise Forbidden(_l("Join the meeting first."))
    return participant


# --- the lock, the log and the dispatcher ----------------------------------------------------

def lock(meeting: Meeting) -> LiveMeeting:
    """Bump the sequence number first: the row lock (PostgreSQL) or write lock (SQLite) it takes
    makes concurrent actions wait for each other until commit. State read after this is fresh."""
    live_state(meeting)
    db.session.execute(
        sa.update(LiveMeeting).where(LiveMeeting.meeting_id == meeting.id)
        .values(seq=LiveMeeting.seq + 1).execution_options(synchronize_session=False))
    db.session.refresh(meeting)
    return db.session.get(LiveMeeting, meeting.id, populate_existing=True)


def _unlock(live: LiveMeeting) -> None:
    """Give the number back when nothing was applied after all."""
    live.seq -= 1
    db.session.flush()


def _log(live: LiveMeeting, action_id: str, participant: LiveParticipant | None, kind: str,
         payload: dict) -> LiveAction:
    action = LiveAction(meeting_id=live.meeting_id, seq=live.seq, action_id=action_id,
                        participant_id=getattr(participant, "id", None), type=kind,
                        payload=payload, at=utcnow())
    db.session.add(action)
    db.session.flush()
    return action


@dataclass
class Context:
    meeting: Meeting
    live: LiveMeeting
    participant: LiveParticipant | None  # None only when a page closes the meeting
    now: datetime

    @property
    def person(self) -> Person | None:
        return self.participant.person if self.participant is not None else None


@dataclass(frozen=True)
class ActionResult:
    seq: int
    duplicate: bool


@dataclass(frozen=True)
class ActionRule:
    who: str
    run: Callable[..., dict]


def apply_action(meeting: Meeting, participant: LiveParticipant, action_id: str, kind: str,
                 fields: dict) -> ActionResult:
    """Apply one client action, or find it already applied. The caller commits and broadcasts
    (unless ``duplicate``)."""
    rule = ACTIONS.get(kind)
    if rule is None:
        raise Invalid(_l("Unknown action."), field="type")
    if not isinstance(action_id, str) or not ACTION_ID.match(action_id):
        raise Invalid(_l("Every action needs an id of 8 to 64 letters, digits or dashes."),
                      field="action_id")
    if participant.meeting_id != meeting.id:
        raise Forbidden(_l("Join the meeting first."))
    live = lock(meeting)
    done = db.session.scalars(sa.select(LiveAction).where(
        LiveAction.meeting_id == meeting.id, LiveAction.action_id == action_id)).first()
    if done is not None:
        _unlock(live)
        return ActionResult(done.seq, True)
    _require_live(meeting)
    context = Context(meeting, live, participant, utcnow())
    ROLE_CHECKS[rule.who](context)
    if participant.left_at is not None and kind not in ("leave", "come_back"):
        participant.left_at = None  # whoever acts is in the room
    payload = rule.run(context, **fields)
    _log(live, action_id, participant, kind, payload)
    return ActionResult(live.seq, False)


# --- who may do what -------------------------------------------------------------------------

def facilitator_of(meeting: Meeting, live: LiveMeeting | None = None) -> Person | None:
    """Whoever took over, else the person holding the facilitator role."""
    live = live or db.session.get(LiveMeeting, meeting.id)
    if live is not None and live.facilitator_id is not None:
        return live.facilitator
    holders = meeting.holders(Role.FACILITATOR)
    return holders[0] if holders else None


def _holds(meeting: Meeting, person: Person | None, role: Role) -> bool:
    return person is not None and any(p.id == person.id for p in meeting.holders(role))


def is_facilitator(context: Context) -> bool:
    facilitator = facilitator_of(context.meeting, context.live)
    return context.person is not None and facilitator is not None \
        and facilitator.id == context.person.id


def _anyone(context: Context) -> None:
    return None


def _member(context: Context) -> None:
    if context.person is None or not is_member(context.person, context.meeting.collective):
        raise Forbidden(_l("Only members can do this."))


def _facilitator(context: Context) -> None:
    if not is_facilitator(context):
        raise Forbidden(_l("Only the facilitator can do this."))


def _time_keeper(context: Context) -> None:
    if not (is_facilitator(context)
            or _holds(context.meeting, context.person, Role.TIME_KEEPER)):
        raise Forbidden(_l("Only the facilitator or the time-keeper can do this."))


def _note_taker(context: Context) -> None:
    if not (is_facilitator(context)
            or _holds(context.meeting, context.person, Role.NOTE_TAKER)):
        raise Forbidden(_l("Only the note-taker or the facilitator can write the notes."))


ROLE_CHECKS = {"participant": _anyone, "member": _member, "facilitator": _facilitator,
               "time_keeper": _time_keeper, "note_taker": _note_taker}


def _choice(value, allowed: type, message) -> str:
    if not isinstance(value, str) or value not in {choice.value for choice in allowed}:
        raise Invalid(message)
    return value


# --- the queue -------------------------------------------------------------------------------

def open_hands(meeting: Meeting) -> list[LiveHand]:
    return list(db.session.scalars(
        sa.select(LiveHand).where(LiveHand.meeting_id == meeting.id,
                                  LiveHand.lowered_at.is_(None), LiveHand.called_at.is_(None))
        .options(selectinload(LiveHand.participant).selectinload(LiveParticipant.person))
        .order_by(LiveHand.place, LiveHand.id)))


def _turn_seconds(turn: LiveTurn, now: datetime) -> float:
    return ((turn.ended_at or now) - turn.started_at).total_seconds()


def speaking_record(meeting: Meeting, now: datetime | None = None) -> dict[int, tuple[int, float]]:
    """Turns and seconds spoken per participant in this meeting (the running turn included)."""
    now = now or utcnow()
    record: dict[int, tuple[int, float]] = {}
    for turn in db.session.scalars(sa.select(LiveTurn).where(LiveTurn.meeting_id == meeting.id)):
        turns, seconds = record.get(turn.participant_id, (0, 0.0))
        record[turn.participant_id] = (turns + 1, seconds + _turn_seconds(turn, now))
    return record


def _queue_key(policy: str, hand: LiveHand, spoken: dict) -> tuple:
    """Priority first; then, under the progressive stack, people who have spoken less (fewer
    turns, then fewer seconds) in this meeting; then whoever raised their hand first."""
    priority = PRIORITY.get(hand.kind, 2)
    turns, seconds = (0, 0.0)
    if policy == QueuePolicy.PROGRESSIVE and priority == 2:
        turns, seconds = spoken.get(hand.participant_id, (0, 0.0))
    return (priority, turns, seconds, hand.raised_at, hand.id)


def _renumber(hands: list[LiveHand]) -> None:
    for place, hand in enumerate(hands):
        if hand.place != place:
            hand.place = place


def _sort_queue(context: Context) -> None:
    spoken = speaking_record(context.meeting, context.now)
    hands = open_hands(context.meeting)
    hands.sort(key=lambda h: _queue_key(context.live.policy, h, spoken))
    _renumber(hands)


def raise_hand(context: Context, kind) -> dict:
    kind = _choice(kind, HandKind, _l("Unknown kind of hand."))
    queue = open_hands(context.meeting)
    if any(h.participant_id == context.participant.id and h.kind == kind for h in queue):
        raise Conflict(_l("Your hand is already raised for this."))
    hand = LiveHand(meeting_id=context.meeting.id, participant_id=context.participant.id,
                    item_id=context.live.current_item_id, kind=kind, raised_at=context.now,
                    place=len(queue))
    db.session.add(hand)
    db.session.flush()
    # The new hand goes before the first hand that the policy puts after it; the order the
    # facilitator may have arranged for the others is kept.
    spoken = speaking_record(context.meeting, context.now)
    key = _queue_key(context.live.policy, hand, spoken)
    index = next((i for i, other in enumerate(queue)
                  if _queue_key(context.live.policy, other, spoken) > key), len(queue))
    queue.insert(index, hand)
    _renumber(queue)
    return {"hand_id": hand.id, "kind": kind}


def _find_hand(context: Context, hand_id) -> LiveHand:
    hand = db.session.get(LiveHand, hand_id) if isinstance(hand_id, int) else None
    if hand is None or hand.meeting_id != context.meeting.id or hand.lowered_at is not None \
            or hand.called_at is not None:
        raise NotFound(_l("This hand is no longer in the queue."))
    return hand


def lower_hand(context: Context, hand_id=None) -> dict:
    """Without ``hand_id``: all of one's own open hands."""
    if hand_id is None:
        hands = _open_hands_of(context, context.participant)
        if not hands:
            raise Conflict(_l("Your hand is not raised."))
    else:
        hand = _find_hand(context, hand_id)
        if hand.participant_id != context.participant.id and not is_facilitator(context):
            raise Forbidden(_l("Only the facilitator can lower someone else's hand."))
        hands = [hand]
    _lower(context, hands)
    return {"hand_ids": [h.id for h in hands]}


def _open_hands_of(context: Context, participant: LiveParticipant) -> list[LiveHand]:
    return [h for h in open_hands(context.meeting) if h.participant_id == participant.id]


def _lower(context: Context, hands: list[LiveHand]) -> None:
    for hand in hands:
        hand.lowered_at = context.now
    _renumber(open_hands(context.meeting))


def _leaving(context: Context, participant_id) -> LiveParticipant:
    if participant_id is None:
        return context.participant
    if not is_facilitator(context):
        raise Forbidden(_l("Only the facilitator can note that someone else has left."))
    found = db.session.get(LiveParticipant, participant_id) \
        if isinstance(participant_id, int) else None
    if found is None or found.meeting_id != context.meeting.id:
        raise NotFound(_l("This person is not in the meeting."))
    return found


def leave(context: Context, participant_id=None) -> dict:
    """Someone leaves before the end (without ``participant_id``: oneself; with it, the
    facilitator notes it): no longer counted present, nor recorded present at a decision
    reached after; their raised hands leave the queue. Answers already given stand."""
    leaving = _leaving(context, participant_id)
    if leaving.left_at is not None:
        raise Conflict(_l("%(name)s has already left.", name=leaving.name))
    leaving.left_at = context.now
    hands = _open_hands_of(context, leaving)
    _lower(context, hands)
    return {"participant_id": leaving.id, "hand_ids": [h.id for h in hands]}


def come_back(context: Context) -> dict:
    if context.participant.left_at is None:
        raise Conflict(_l("You are counted present already."))
    context.participant.left_at = None
    return {"participant_id": context.participant.id}


def move_hand(context: Context, hand_id, index) -> dict:
    hand = _find_hand(context, hand_id)
    if not isinstance(index, int) or isinstance(index, bool):
        raise Invalid(_l("Give a place in the queue."), field="index")
    queue = [h for h in open_hands(context.meeting) if h.id != hand.id]
    index = max(0, min(index, len(queue)))
    queue.insert(index, hand)
    _renumber(queue)
    return {"hand_id": hand.id, "index": index}


def set_policy(context: Context, policy) -> dict:
    policy = _choice(policy, QueuePolicy, _l("Unknown queue policy."))
    context.live.policy = policy
    _sort_queue(context)
    return {"policy": policy}


def current_turn(meeting: Meeting) -> LiveTurn | None:
    return db.session.scalars(sa.select(LiveTurn).where(
        LiveTurn.meeting_id == meeting.id, LiveTurn.ended_at.is_(None))
        .order_by(LiveTurn.id.desc())).first()


def _end_turn(context: Context) -> LiveTurn | None:
    turn = current_turn(context.meeting)
    if turn is not None:
        turn.ended_at = context.now
    return turn


def call_next(context: Context) -> dict:
    queue = open_hands(context.meeting)
    if not queue:
        raise Conflict(_l("Nobody is waiting to speak."))
    ended = _end_turn(context)
    hand = queue[0]
    hand.called_at = context.now
    turn = LiveTurn(meeting_id=context.meeting.id, participant_id=hand.participant_id,
                    hand_id=hand.id, item_id=context.live.current_item_id, kind=hand.kind,
                    started_at=context.now)
    db.session.add(turn)
    _renumber(queue[1:])
    db.session.flush()
    return {"hand_id": hand.id, "turn_id": turn.id,
            "ended_turn_id": ended.id if ended is not None else None}


def end_turn(context: Context) -> dict:
    turn = _end_turn(context)
    if turn is None:
        raise Conflict(_l("Nobody is speaking."))
    return {"turn_id": turn.id, "seconds": round(_turn_seconds(turn, context.now), 1)}


def signal(context: Context, kind) -> dict:
    kind = _choice(kind, SignalKind, _l("Unknown signal."))
    recent = db.session.scalar(sa.select(sa.func.count()).where(
        LiveSignal.meeting_id == context.meeting.id,
        LiveSignal.participant_id == context.participant.id, LiveSignal.kind == kind,
        LiveSignal.at > context.now - SIGNAL_PAUSE))
    if recent:
        raise Conflict(_l("You sent this signal a moment ago; the room has seen it."))
    db.session.add(LiveSignal(meeting_id=context.meeting.id,
                              participant_id=context.participant.id, kind=kind, at=context.now))
    return {"kind": kind}


# --- agenda items and the timer --------------------------------------------------------------

def timer_elapsed(live: LiveMeeting, now: datetime | None = None) -> float:
    running = 0.0
    if live.timer_started_at is not None:
        running = max(0.0, ((now or utcnow()) - live.timer_started_at).total_seconds())
    return live.timer_seconds + running


def _go_to(context: Context, item: AgendaItem) -> dict:
    """Moving to another item ends the turn, closes an open check, clears the queue, and puts
    the timer of the item left aside (going back resumes it)."""
    live = context.live
    if item.id == live.current_item_id:
        raise Conflict(_l("This item is already being discussed."))
    _end_turn(context)
    _close_check(context)
    for hand in open_hands(context.meeting):
        hand.lowered_at = context.now
    seconds = dict(live.item_seconds or {})
    if live.current_item_id is not None:
        seconds[str(live.current_item_id)] = timer_elapsed(live, context.now)
    live.timer_seconds = float(seconds.get(str(item.id), 0.0))
    live.timer_started_at = None
    live.item_seconds = seconds
    left = live.current_item_id
    live.current_item_id = item.id
    return {"item_id": item.id, "from_item_id": left}


def _neighbour(context: Context, step: int) -> AgendaItem:
    items = meetings.agenda(context.meeting)
    if not items:
        raise Conflict(_l("The agenda is empty."))
    current = context.live.current_item
    if current is None:
        if step < 0:
            raise Conflict(_l("This is the first item."))
        return items[0]
    if step > 0:
        later = [i for i in items if (i.position, i.id) > (current.position, current.id)]
        if not later:
            raise Conflict(_l("This is the last item."))
        return later[0]
    earlier = [i for i in items if (i.position, i.id) < (current.position, current.id)]
    if not earlier:
        raise Conflict(_l("This is the first item."))
    return earlier[-1]


def next_item(context: Context) -> dict:
    return _go_to(context, _neighbour(context, +1))


def previous_item(context: Context) -> dict:
    return _go_to(context, _neighbour(context, -1))


def goto_item(context: Context, item_id) -> dict:
    return _go_to(context, meetings.find_item(context.meeting, item_id))


def timer_start(context: Context) -> dict:
    live = context.live
    if live.timer_started_at is not None:
        raise Conflict(_l("The timer is already running."))
    live.timer_started_at = context.now
    return {"elapsed_seconds": round(live.timer_seconds, 1)}


def timer_pause(context: Context) -> dict:
    live = context.live
    if live.timer_started_at is None:
        raise Conflict(_l("The timer is not running."))
    live.timer_seconds = timer_elapsed(live, context.now)
    live.timer_started_at = None
    return {"elapsed_seconds": round(live.timer_seconds, 1)}


def timer_reset(context: Context) -> dict:
    context.live.timer_seconds, context.live.timer_started_at = 0.0, None
    return {}


# --- consensus checks ------------------------------------------------------------------------

def latest_check(meeting: Meeting, item_id: int | None) -> ConsensusCheck | None:
    if item_id is None:
        return None
    return db.session.scalars(
        sa.select(ConsensusCheck).where(ConsensusCheck.meeting_id == meeting.id,
                                        ConsensusCheck.item_id == item_id)
        .options(selectinload(ConsensusCheck.answers).selectinload(CheckAnswer.participant)
                 .selectinload(LiveParticipant.person))
        .order_by(ConsensusCheck.id.desc())).first()


def _open_check(meeting: Meeting) -> ConsensusCheck | None:
    return db.session.scalars(sa.select(ConsensusCheck).where(
        ConsensusCheck.meeting_id == meeting.id, ConsensusCheck.closed_at.is_(None))).first()


def _close_check(context: Context) -> ConsensusCheck | None:
    check = _open_check(context.meeting)
    if check is not None:
        check.closed_at = context.now
    return check


def _require_deciding(meeting: Meeting) -> None:
    """An open discussion decides nothing: no consensus check, no outcome."""
    if meeting.open_discussion:
        raise Conflict(NOTHING_DECIDED)


def open_check(context: Context, open_names=False) -> dict:
    _require_deciding(context.meeting)
    if not isinstance(open_names, bool):
        raise Invalid(_l("Say whether names are shown."), field="open_names")
    if context.live.current_item_id is None:
        raise Conflict(_l("Choose an agenda item first."))
    if _open_check(context.meeting) is not None:
        raise Conflict(_l("A consensus check is already open."))
    check = ConsensusCheck(meeting_id=context.meeting.id, item_id=context.live.current_item_id,
                           open_names=open_names, opened_at=context.now,
                           opened_by_id=getattr(context.person, "id", None))
    db.session.add(check)
    db.session.flush()
    return {"check_id": check.id, "open_names": open_names}


def close_check(context: Context) -> dict:
    check = _close_check(context)
    if check is None:
        raise Conflict(_l("No consensus check is open."))
    return {"check_id": check.id}


def answer(context: Context, check_id, answer, reason="") -> dict:
    check = db.session.get(ConsensusCheck, check_id) if isinstance(check_id, int) else None
    if check is None or check.meeting_id != context.meeting.id:
        raise NotFound(_l("This consensus check does not exist."))
    if not check.is_open:
        raise Conflict(_l("This consensus check is closed."))
    answer = _choice(answer, Answer, _l("Unknown answer."))
    reason = clean_text(reason, max_length=MAX_REASON, field="reason",
                        required=answer == Answer.BLOCK)
    given = db.session.scalars(sa.select(CheckAnswer).where(
        CheckAnswer.check_id == check.id,
        CheckAnswer.participant_id == context.participant.id)).first()
    if given is None:
        given = CheckAnswer(check_id=check.id, participant_id=context.participant.id)
        db.session.add(given)
    given.answer, given.reason, given.answered_at = answer, reason, context.now
    db.session.flush()
    db.session.expire(check, ["answers"])
    return {"check_id": check.id, "answer": answer}


# --- outcomes, facilitation, notes, closing --------------------------------------------------

def _present(meeting: Meeting) -> tuple[list[Person], list[LiveParticipant]]:
    """Members present, and guests (anyone present without a membership)."""
    people, guests = [], []
    for participant in participants(meeting):
        if participant.person is not None and is_member(participant.person, meeting.collective):
            people.append(participant.person)
        else:
            guests.append(participant)
    return people, guests


def participants(meeting: Meeting, *, including_left: bool = False) -> list[LiveParticipant]:
    """Who is in the room now (and, ``including_left``, who was and left before the end)."""
    select = sa.select(LiveParticipant).where(LiveParticipant.meeting_id == meeting.id)
    if not including_left:
        select = select.where(LiveParticipant.left_at.is_(None))
    return list(db.session.scalars(
        select.options(selectinload(LiveParticipant.person)).order_by(LiveParticipant.id)))


@dataclass(frozen=True)
class Present:
    participant_id: int
    name: str
    person_id: int | None
    left: bool = False

    @property
    def guest(self) -> bool:
        return self.person_id is None


def roll_call(meeting: Meeting) -> list[Present]:
    """Who is in the meeting as plain rows, in one query: the facilitator's console lists
    hundreds of people after every action. Names as ``LiveParticipant.name`` gives them."""
    rows = db.session.execute(
        sa.select(LiveParticipant.id, LiveParticipant.person_id,
                  sa.func.coalesce(Person.display_name, LiveParticipant.guest_name, ""),
                  LiveParticipant.left_at)
        .outerjoin(Person, Person.id == LiveParticipant.person_id)
        .where(LiveParticipant.meeting_id == meeting.id).order_by(LiveParticipant.id))
    return [Present(id_, name, person_id, left_at is not None)
            for id_, person_id, name, left_at in rows]


def _position(given: CheckAnswer, kind: str) -> dict:
    return {"kind": kind, "name": given.participant.name, "reason": given.reason,
            "person_id": given.participant.person_id}


def _date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid(_l("Give a date as YYYY-MM-DD."), field=field) from None


def record_outcome(context: Context, outcome, reason="", review_date=None, implementers="",
                   working_group_id=None, mandate="", return_date=None) -> dict:
    """The outcome goes straight into the proposal lifecycle, with the check's positions."""
    _require_deciding(context.meeting)
    outcome = _choice(outcome, Outcome, _l("Unknown outcome."))
    item = context.live.current_item
    if item is None:
        raise Conflict(_l("Choose an agenda item first."))
    if item.proposal is None:
        raise Conflict(_l("Only a proposal can have an outcome; write what was said in the "
                          "notes."))
    if item.outcome is not None:
        raise Conflict(_l("An outcome is already recorded for this item."))
    _close_check(context)
    check = latest_check(context.meeting, item.id)
    answers = check.answers if check is not None else []
    blocks = [_position(a, PositionKind.BLOCK) for a in answers if a.answer == Answer.BLOCK]
    proposal, meeting, actor = item.proposal, context.meeting, context.person
    under_review = proposal.phase == Phase.UNDER_REVIEW
    payload = {"item_id": item.id, "proposal_id": proposal.id, "outcome": outcome}
    if outcome == Outcome.AGREED and under_review:
        proposals.confirm_agreement(proposal, actor, next_review_date=_date(
            review_date, "review_date"), reason=reason, meeting=meeting)
    elif outcome == Outcome.AGREED:
        positions = [_position(a, ANSWER_POSITIONS.get(a.answer, PositionKind.BLOCK))
                     for a in answers if a.answer != Answer.AGREE]
        people, guests = _present(meeting)
        agreement = proposals.record_agreement(
            proposal, actor, meeting=meeting, review_date=_date(review_date, "review_date"),
            implementers=implementers, positions=positions, present=people,
            guests_present=len(guests), reason=reason)
        payload["agreement_id"] = agreement.id
    elif outcome == Outcome.POSTPONED:
        proposals.postpone(proposal, actor, reason, meeting=meeting, blocks=blocks)
    elif outcome == Outcome.DELEGATED:
        group = _working_group(context, working_group_id)
        proposals.delegate(proposal, actor, working_group=group, mandate=mandate,
                           return_date=_date(return_date, "return_date"), reason=reason,
                           meeting=meeting)
        payload["working_group_id"] = group.id
    elif under_review:
        proposals.amend_agreement(proposal, actor, reason=reason, meeting=meeting)
    else:
        proposals.back_to_drafting(proposal, actor, reason, meeting=meeting)
    return payload


def _working_group(context: Context, working_group_id) -> Body:
    found = None
    if isinstance(working_group_id, int) and not isinstance(working_group_id, bool):
        found = db.session.scalars(visible_bodies(viewer_for(context.person)).where(
            Body.id == working_group_id,
            Body.collective_id == context.meeting.collective_id)).first()
    if found is None:
        raise NotFound(_l("This working group does not exist."))
    return found


def take_over(context: Context) -> dict:
    if is_facilitator(context):
        raise Conflict(_l("You are already facilitating."))
    before = facilitator_of(context.meeting, context.live)
    context.live.facilitator_id = context.person.id
    return {"person_id": context.person.id, "from_person_id": getattr(before, "id", None)}


def save_note(context: Context, item_id, text) -> dict:
    item = meetings.find_item(context.meeting, item_id)
    text = clean_text(text, max_length=MAX_NOTE, field="text", required=False)
    note = db.session.scalars(sa.select(LiveNote).where(
        LiveNote.meeting_id == context.meeting.id, LiveNote.item_id == item.id)).first()
    if note is None:
        note = LiveNote(meeting_id=context.meeting.id, item_id=item.id)
        db.session.add(note)
    note.text, note.updated_at = text, context.now
    note.updated_by_id = getattr(context.person, "id", None)
    return {"item_id": item.id, "length": len(text)}


def _wind_down(context: Context) -> None:
    live = context.live
    _end_turn(context)
    _close_check(context)
    for hand in open_hands(context.meeting):
        hand.lowered_at = context.now
    if live.timer_started_at is not None:
        live.timer_seconds, live.timer_started_at = timer_elapsed(live, context.now), None


def close(context: Context) -> dict:
    from assembly.live.minutes import generate_minutes

    _wind_down(context)
    meetings.close_meeting(context.meeting, context.person)
    minutes = generate_minutes(context.meeting, context.person)
    return {"minutes_id": minutes.id}


def set_open_discussion(meeting: Meeting, actor: Person, open_discussion: bool,
                        interpretation_languages: str = "") -> bool:
    """Mark or unmark a meeting as an open discussion from its page. At a live meeting this is
    done under the meeting's lock (no outcome slips in meanwhile) as a numbered change in the
    log, so the screens change with it. Returns whether the room must hear of it: the caller
    commits, then broadcasts."""
    if meeting.status != MeetingStatus.LIVE:
        meetings.set_open_discussion(meeting, actor, open_discussion, interpretation_languages)
        return False
    live = lock(meeting)
    meetings.set_open_discussion(meeting, actor, open_discussion, interpretation_languages)
    _log(live, f"open-discussion-{live.seq}", participant_for(meeting, person=actor),
         "open_discussion", {"open_discussion": meeting.open_discussion,
                             "interpretation_languages": meeting.interpretation_languages})
    return True


def close_meeting(meeting: Meeting, actor: Person) -> Meeting:
    """Close a meeting from a page: the live state winds down and the minutes are written."""
    from assembly.live.minutes import generate_minutes

    live = lock(meeting)
    participant = participant_for(meeting, person=actor)  # None if they never joined live
    _wind_down(Context(meeting, live, participant, utcnow()))
    meetings.close_meeting(meeting, actor)
    generate_minutes(meeting, actor)
    _log(live, f"close-{meeting.id}", participant, "close_meeting", {})
    return meeting


ACTIONS: dict[str, ActionRule] = {
    "raise_hand": ActionRule("participant", raise_hand),
    "lower_hand": ActionRule("participant", lower_hand),
    "leave": ActionRule("participant", leave),
    "come_back": ActionRule("participant", come_back),
    "signal": ActionRule("participant", signal),
    "answer": ActionRule("participant", answer),
    "next_item": ActionRule("facilitator", next_item),
    "previous_item": ActionRule("facilitator", previous_item),
    "goto_item": ActionRule("facilitator", goto_item),
    "call_next": ActionRule("facilitator", call_next),
    "end_turn": ActionRule("facilitator", end_turn),
    "move_hand": ActionRule("facilitator", move_hand),
    "set_policy": ActionRule("facilitator", set_policy),
    "timer_start": ActionRule("time_keeper", timer_start),
    "timer_pause": ActionRule("time_keeper", timer_pause),
    "timer_reset": ActionRule("time_keeper", timer_reset),
    "open_check": ActionRule("facilitator", open_check),
    "close_check": ActionRule("facilitator", close_check),
    "record_outcome": ActionRule("facilitator", record_outcome),
    "take_over": ActionRule("member", take_over),
    "save_note": ActionRule("note_taker", save_note),
    "close_meeting": ActionRule("facilitator", close),
}


# --- what the clients see --------------------------------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def join_url(meeting: Meeting) -> str:
    return current_app.config["PUBLIC_URL"].rstrip("/") + f"/live/{meeting.id}"


def _meeting_view(meeting: Meeting) -> dict:
    return {"id": meeting.id, "title": meeting.title or meeting.body.name,
            "body": meeting.body.name, "collective": meeting.collective.name,
            "languages": meeting.languages.split(), "join_url": join_url(meeting),
            # An open discussion decides nothing: screens show so and offer no decision.
            "open_discussion": meeting.open_discussion,
            "interpretation_languages": meeting.interpretation_list}


def _closed_to_room(meeting: Meeting, item: AgendaItem) -> bool:
    """A proposal stricter than its meeting (members-only or confidential at a public meeting):
    the state below is the same for everyone in the room, projector and guests included, so it
    does not name it, as the meeting page and the minutes do not."""
    from assembly.live.minutes import _proposal_is_open  # minutes imports this module

    return item.proposal is not None and not _proposal_is_open(meeting, item)


CLOSED_ITEM = _l("A proposal not open to everyone in this meeting")


def _item_title(meeting: Meeting, item: AgendaItem) -> str:
    return str(CLOSED_ITEM) if _closed_to_room(meeting, item) else item.display_title


def _agenda_view(meeting: Meeting, items: list[AgendaItem]) -> list[dict]:
    return [{"id": i.id, "position": i.position, "title": _item_title(meeting, i), "kind": i.kind,
             "time_box_minutes": i.time_box_minutes, "outcome": i.outcome,
             "proposal_id": i.proposal_id,
             "phase": i.proposal.phase if i.proposal is not None else None} for i in items]


def _note_text(meeting: Meeting, item_id: int) -> str:
    return db.session.scalar(sa.select(LiveNote.text).where(
        LiveNote.meeting_id == meeting.id, LiveNote.item_id == item_id)) or ""


def _current_view(meeting: Meeting, live: LiveMeeting, item: AgendaItem | None,
                  now: datetime) -> dict | None:
    if item is None:
        return None
    proposal = item.proposal
    if _closed_to_room(meeting, item):
        proposal = None  # neither its text nor its translation goes to the room
    newest = proposal.current_revision if proposal is not None else None
    text = newest.text if newest is not None else item.note
    return {"item_id": item.id, "title": _item_title(meeting, item), "text_html": str(
        render_markdown(text)), "time_box_minutes": item.time_box_minutes,
        "elapsed_seconds": round(timer_elapsed(live, now), 1), "proposal_id": item.proposal_id,
        "phase": proposal.phase if proposal is not None else None,
        **_second_language_view(meeting, proposal, newest)}


def _second_language_view(meeting: Meeting, proposal: Proposal | None,
                          revision: Revision | None) -> dict:
    """The projector's second column: the proposal's translation into the meeting's second
    language (assembly.translated), marked when made from an earlier revision. One query."""
    original = proposal.text_language if proposal is not None else \
        meeting.collective.first_language
    view = {"language": original, "language_name": translated.language_name(original),
            "language_2": None, "language_name_2": None, "title_2": None, "text_html_2": None,
            "outdated_2": False}
    second = translated.second_language(meeting.languages.split(), original)
    shown = translated.projector_translation(proposal.id, second) \
        if second and revision is not None else None
    if shown is not None:
        view.update(language_2=second, language_name_2=translated.language_name(second),
                    title_2=shown.title or None, text_html_2=str(render_markdown(shown.text)),
                    outdated_2=shown.source_revision_id != revision.id)
    return view


def _check_view(check: ConsensusCheck | None) -> dict | None:
    if check is None:
        return None
    counts = {answer.value: 0 for answer in Answer}
    names: dict[str, list[str]] = {answer.value: [] for answer in Answer}
    for given in check.answers:
        counts[given.answer] += 1
        names[given.answer].append(given.participant.name)
    view = {"id": check.id, "open": check.is_open, "open_names": check.open_names,
            "counts": counts, "answered": len(check.answers),
            "blocks": [{"name": a.participant.name, "reason": a.reason}
                       for a in check.answers if a.answer == Answer.BLOCK]}
    if check.open_names:
        view["names"] = names
    return view


def _outcome_view(meeting: Meeting, item: AgendaItem | None) -> dict | None:
    if item is None or item.outcome is None:
        return None
    reason = db.session.scalar(
        sa.select(ProposalEvent.reason).where(ProposalEvent.proposal_id == item.proposal_id,
                                              ProposalEvent.meeting_id == meeting.id,
                                              ProposalEvent.to_phase == item.outcome)
        .order_by(ProposalEvent.seq.desc()).limit(1)) \
        if item.proposal_id and not _closed_to_room(meeting, item) else None
    return {"item_id": item.id, "outcome": item.outcome, "reason": reason or ""}


def snapshot(meeting: Meeting) -> dict:
    """The whole state a client needs, the same for everyone in the meeting's room."""
    live = db.session.get(LiveMeeting, meeting.id) or LiveMeeting(
        meeting_id=meeting.id, seq=0, policy=QueuePolicy.FIRST_COME.value, timer_seconds=0.0,
        item_seconds={})
    now = utcnow()
    facilitator = facilitator_of(meeting, live)
    turn = current_turn(meeting)
    check = latest_check(meeting, live.current_item_id)
    signals = db.session.scalars(sa.select(LiveSignal).where(
        LiveSignal.meeting_id == meeting.id, LiveSignal.at > now - SIGNAL_WINDOW)
        .order_by(LiveSignal.id))
    # The current item from the agenda list itself: loading it again costs two more queries.
    agenda = meetings.agenda(meeting)
    item = next((i for i in agenda if i.id == live.current_item_id), None) or live.current_item
    return {
        "seq": live.seq, "status": meeting.status, "policy": live.policy,
        "open_names": bool(check is not None and check.open_names),
        "meeting": _meeting_view(meeting),
        "facilitator": {"id": facilitator.id, "name": facilitator.display_name}
        if facilitator is not None else None,
        "agenda": _agenda_view(meeting, agenda),
        "current": _current_view(meeting, live, item, now),
        "queue": [{"hand_id": h.id, "participant_id": h.participant_id,
                   "name": h.participant.name, "kind": h.kind, "raised_at": _iso(h.raised_at)}
                  for h in open_hands(meeting)],
        "speaker": {"participant_id": turn.participant_id, "name": turn.participant.name,
                    "kind": turn.kind, "elapsed_seconds": round(_turn_seconds(turn, now), 1)}
        if turn is not None else None,
        "timer": {"running": live.timer_started_at is not None,
                  "elapsed_seconds": round(timer_elapsed(live, now), 1),
                  "server_time": now.timestamp()},
        "check": _check_view(check),
        "outcome": _outcome_view(meeting, item),
        "participants": db.session.scalar(sa.select(sa.func.count()).where(
            LiveParticipant.meeting_id == meeting.id, LiveParticipant.left_at.is_(None))),
        "signals": [{"kind": s.kind, "at": _iso(s.at)} for s in signals],
    }


def console(meeting: Meeting) -> dict:
    """What only the facilitator's room sees: speaking time, who signalled, named answers."""
    now = utcnow()
    live = db.session.get(LiveMeeting, meeting.id)
    record = speaking_record(meeting, now)
    present = roll_call(meeting)
    check = latest_check(meeting, live.current_item_id if live is not None else None)
    signals = db.session.scalars(sa.select(LiveSignal).where(
        LiveSignal.meeting_id == meeting.id, LiveSignal.at > now - SIGNAL_WINDOW)
        .options(selectinload(LiveSignal.participant).selectinload(LiveParticipant.person))
        .order_by(LiveSignal.id.desc()))
    return {
        "speaking": sorted(
            ({"participant_id": p.participant_id, "name": p.name, "guest": p.guest,
              "turns": record[p.participant_id][0],
              "seconds": round(record[p.participant_id][1], 1)}
             for p in present if p.participant_id in record),
            key=lambda row: (-row["seconds"], row["name"])),
        # Speaking time counts whoever spoke; the roll call, who is in the room.
        "participants": [{"participant_id": p.participant_id, "name": p.name, "guest": p.guest,
                          "person_id": p.person_id} for p in present if not p.left],
        "signals": [{"kind": s.kind, "at": _iso(s.at), "name": s.participant.name}
                    for s in signals],
        "answers": [{"participant_id": a.participant_id, "name": a.participant.name,
                     "answer": a.answer, "reason": a.reason}
                    for a in (check.answers if check is not None else [])],
        # Notes stay out of the room's state: on an item closed to some of the room they
        # would reach everyone's phone.
        "notes": {"item_id": live.current_item_id,
                  "text": _note_text(meeting, live.current_item_id)}
        if live is not None and live.current_item_id is not None else None,
        "note_takers": [p.id for p in meeting.holders(Role.NOTE_TAKER)],
        "time_keepers": [p.id for p in meeting.holders(Role.TIME_KEEPER)],
    }


def me(meeting: Meeting, participant: LiveParticipant | None, person: Person | None) -> dict:
    """What this one client may do and has done (sent only in its own acknowledgements)."""
    live = db.session.get(LiveMeeting, meeting.id)
    facilitator = facilitator_of(meeting, live)
    mine = None
    check = latest_check(meeting, live.current_item_id if live is not None else None)
    if check is not None and participant is not None:
        mine = next((a.answer for a in check.answers if a.participant_id == participant.id),
                    None)
    facilitating = person is not None and facilitator is not None and facilitator.id == person.id
    return {
        "participant_id": getattr(participant, "id", None),
        "name": participant.name if participant is not None else None,
        "guest": participant.is_guest if participant is not None else None,
        "member": person is not None and is_member(person, meeting.collective),
        "facilitator": facilitating,
        "note_taker": facilitating or _holds(meeting, person, Role.NOTE_TAKER),
        "time_keeper": facilitating or _holds(meeting, person, Role.TIME_KEEPER),
        "answer": mine,
        "left": participant is not None and participant.left_at is not None,
    }
