"""Every event and every action type, applied: the state is committed, the acknowledgement
carries the next sequence number, and the other screens receive the new state once."""

from datetime import timedelta

import sqlalchemy as sa
from freezegun import freeze_time

from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.live import service
from assembly.live.models import (
    CheckAnswer,
    ConsensusCheck,
    LiveAction,
    LiveHand,
    LiveNote,
    LiveParticipant,
    LiveSignal,
    LiveTurn,
    Minutes,
)
from assembly.meetings.models import MeetingStatus
from assembly.proposals.models import Phase
from tests.live.conftest import applied


def hands(scene) -> list[LiveHand]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(LiveHand).order_by(LiveHand.id)))


# --- events ----------------------------------------------------------------------------------

def test_member_joining_becomes_a_participant_and_the_room_sees_the_count(scene):
    before = scene.seq()
    eleni = scene.screen(scene.eleni, join=False)
    answer = eleni.join("participant")
    assert answer["ok"] and answer["participant_id"]
    assert answer["snapshot"]["seq"] == before + 1
    assert answer["snapshot"]["participants"] == 3
    assert answer["me"]["note_taker"] and answer["me"]["time_keeper"]
    assert not answer["me"]["facilitator"]
    row = db.session.get(LiveParticipant, answer["participant_id"])
    assert row.person_id == scene.eleni.id and row.meeting_id == scene.meeting.id
    assert [s["snapshot"]["participants"] for s in scene.projector.take("state")] == [3]
    joined = db.session.scalars(sa.select(LiveAction).where(LiveAction.type == "join")).all()
    assert len(joined) == 3  # Maria, Nikos, Eleni; the anonymous projector is not attendance
    # Joining again from another device is the same participant and changes nothing.
    again = scene.screen(scene.eleni, join=False).join("participant")
    assert again["participant_id"] == answer["participant_id"]
    assert scene.seq() == before + 1


def test_console_join_gets_the_console_and_projector_gets_no_participant(scene):
    console = scene.screen(scene.maria, join=False).join("facilitator")
    assert console["ok"] and console["me"]["facilitator"] is True
    assert {p["name"] for p in console["console"]["participants"]} == {"Maria", "Nikos"}
    projector = scene.screen(None, join=False).join("projector")
    assert projector["ok"] and projector["participant_id"] is None
    assert projector["snapshot"]["facilitator"]["name"] == "Maria"


def test_snapshot_is_the_same_state_as_broadcast(scene):
    scene.phone.act("raise_hand", kind="new_point")
    broadcast = scene.projector.take("state")[-1]
    answer = scene.projector.emit("snapshot", {"meeting_id": scene.meeting.id})
    assert answer["ok"] and answer["snapshot"]["seq"] == broadcast["seq"]
    for key in ("queue", "agenda", "current", "check", "participants", "policy"):
        assert answer["snapshot"][key] == broadcast["snapshot"][key]
    assert answer["me"]["participant_id"] is None


# --- the phone -------------------------------------------------------------------------------

def test_raise_hand(scene):
    before = scene.seq()
    snapshot = applied(scene, scene.phone.act("raise_hand", kind="clarifying_question"), before)
    [hand] = hands(scene)
    assert (hand.kind, hand.lowered_at, hand.called_at) == ("clarifying_question", None, None)
    assert [(h["name"], h["kind"]) for h in snapshot["queue"]] == [
        ("Nikos", "clarifying_question")]
    logged = db.session.scalars(sa.select(LiveAction).where(LiveAction.seq == before + 1)).one()
    assert logged.type == "raise_hand" and logged.payload["hand_id"] == hand.id


def test_lower_own_hand_without_an_id(scene):
    scene.phone.act("raise_hand", kind="new_point")
    scene.phone.act("raise_hand", kind="direct_response")
    scene.forget()
    before = scene.seq()
    snapshot = applied(scene, scene.phone.act("lower_hand"), before)
    assert snapshot["queue"] == []
    assert all(h.lowered_at is not None for h in hands(scene))


def test_facilitator_lowers_someone_elses_hand(scene):
    raised = scene.phone.act("raise_hand", kind="new_point")
    assert raised["ok"]
    hand_id = hands(scene)[0].id
    scene.forget()
    before = scene.seq()
    snapshot = applied(scene, scene.console.act("lower_hand", hand_id=hand_id), before)
    assert snapshot["queue"] == [] and hands(scene)[0].lowered_at is not None


def test_signal(scene):
    before = scene.seq()
    snapshot = applied(scene, scene.phone.act("signal", kind="translation"), before)
    assert [s["kind"] for s in snapshot["signals"]] == ["translation"]
    assert db.session.scalars(sa.select(LiveSignal)).one().kind == "translation"
    # Signals fade from the room after two minutes.
    with freeze_time(utcnow() + timedelta(minutes=3)):
        later = scene.projector.emit("snapshot", {"meeting_id": scene.meeting.id})
    assert later["snapshot"]["signals"] == []


def test_answer_a_check_and_change_it(scene):
    scene.console.act("next_item")
    scene.console.act("open_check")
    check_id = scene.projector.take("state")[-1]["snapshot"]["check"]["id"]
    scene.forget()
    before = scene.seq()
    snapshot = applied(scene, scene.phone.act("answer", check_id=check_id, answer="agree"),
                       before)
    assert snapshot["check"]["counts"] == {"agree": 1, "reservations": 0, "stand_aside": 0,
                                           "block": 0}
    assert "names" not in snapshot["check"], "names are hidden unless the check shows them"
    snapshot = applied(scene, scene.phone.act("answer", check_id=check_id, answer="block",
                                              reason="We have no one to staff it."), before + 1)
    assert snapshot["check"]["answered"] == 1
    assert snapshot["check"]["blocks"] == [{"name": "Nikos",
                                            "reason": "We have no one to staff it."}]
    [given] = db.session.scalars(sa.select(CheckAnswer)).all()
    assert (given.answer, given.reason) == ("block", "We have no one to staff it.")


# --- the console -----------------------------------------------------------------------------

def test_next_item_shows_the_proposal_text(scene):
    before = scene.seq()
    snapshot = applied(scene, scene.console.act("next_item"), before)
    current = snapshot["current"]
    assert current["item_id"] == scene.first.id and current["title"] == "Open on Saturdays"
    assert "<strong>every</strong>" in current["text_html"]
    assert current["phase"] == "on_agenda"
    assert scene.live().current_item_id == scene.first.id
    snapshot = applied(scene, scene.console.act("next_item"), before + 1)
    assert snapshot["current"]["item_id"] == scene.second.id


def test_previous_item(scene):
    scene.console.act("next_item")
    scene.console.act("next_item")
    scene.forget()
    before = scene.seq()
    snapshot = applied(scene, scene.console.act("previous_item"), before)
    assert snapshot["current"]["item_id"] == scene.first.id


def test_goto_item_clears_the_queue_and_keeps_each_items_time(scene):
    with freeze_time(utcnow()) as clock:
        scene.console.act("next_item")
        scene.console.act("timer_start")
        clock.tick(90)
        scene.phone.act("raise_hand", kind="new_point")
        scene.forget()
        before = scene.seq()
        snapshot = applied(scene, scene.console.act("goto_item", item_id=scene.free.id),
                           before)
        assert snapshot["current"]["title"] == "Cleaning rota"
        assert snapshot["queue"] == [], "a new item starts with an empty queue"
        assert snapshot["timer"] == {"running": False, "elapsed_seconds": 0.0,
                                     "server_time": snapshot["timer"]["server_time"]}
        back = scene.console.act("goto_item", item_id=scene.first.id)
        assert back["ok"]
        assert scene.projector.take("state")[-1]["snapshot"]["timer"]["elapsed_seconds"] == 90


def test_call_next_and_end_turn(scene):
    with freeze_time(utcnow()) as clock:
        scene.phone.act("raise_hand", kind="new_point")
        scene.forget()
        before = scene.seq()
        snapshot = applied(scene, scene.console.act("call_next"), before)
        assert snapshot["speaker"]["name"] == "Nikos" and snapshot["queue"] == []
        clock.tick(42)
        snapshot = applied(scene, scene.console.act("end_turn"), before + 1)
    assert snapshot["speaker"] is None
    [turn] = db.session.scalars(sa.select(LiveTurn)).all()
    assert (turn.ended_at - turn.started_at).total_seconds() == 42


def test_move_hand(scene):
    eleni = scene.screen(scene.eleni)
    for screen in (scene.phone, eleni, scene.console):
        assert screen.act("raise_hand", kind="new_point")["ok"]
    last = hands(scene)[-1]
    scene.forget()
    before = scene.seq()
    snapshot = applied(scene, scene.console.act("move_hand", hand_id=last.id, index=0), before)
    assert [h["name"] for h in snapshot["queue"]] == ["Maria", "Nikos", "Eleni"]
    assert [h.place for h in hands(scene)] == [1, 2, 0]


def test_set_policy(scene):
    before = scene.seq()
    snapshot = applied(scene, scene.console.act("set_policy", policy="progressive"), before)
    assert snapshot["policy"] == "progressive" and scene.live().policy == "progressive"


def test_timer_start_pause_reset(scene):
    with freeze_time(utcnow()) as clock:
        scene.console.act("next_item")
        scene.forget()
        before = scene.seq()
        snapshot = applied(scene, scene.console.act("timer_start"), before)
        assert snapshot["timer"]["running"] is True
        assert scene.live().timer_started_at is not None
        clock.tick(75)
        snapshot = applied(scene, scene.console.act("timer_pause"), before + 1)
        assert snapshot["timer"]["running"] is False
        assert snapshot["timer"]["elapsed_seconds"] == 75
        assert snapshot["current"]["elapsed_seconds"] == 75
        live = scene.live()
        assert (live.timer_seconds, live.timer_started_at) == (75, None)
        clock.tick(600)  # paused: no time counts
        snapshot = applied(scene, scene.console.act("timer_reset"), before + 2)
    assert snapshot["timer"]["elapsed_seconds"] == 0
    assert scene.live().timer_seconds == 0


def test_time_keeper_runs_the_timer_too(scene):
    eleni = scene.screen(scene.eleni)
    scene.forget()
    before = scene.seq()
    applied(scene, eleni.act("timer_start"), before)


def test_open_and_close_check_with_names(scene):
    scene.console.act("next_item")
    scene.forget()
    before = scene.seq()
    snapshot = applied(scene, scene.console.act("open_check", open_names=True), before)
    check = snapshot["check"]
    assert check["open"] is True and check["open_names"] is True and snapshot["open_names"]
    scene.phone.act("answer", check_id=check["id"], answer="stand_aside")
    scene.forget()
    snapshot = applied(scene, scene.console.act("close_check"), before + 2)
    assert snapshot["check"]["open"] is False
    assert snapshot["check"]["names"]["stand_aside"] == ["Nikos"]
    assert db.session.get(ConsensusCheck, check["id"]).closed_at is not None


def test_console_payload_names_answers_and_speaking_time(scene):
    with freeze_time(utcnow()) as clock:
        scene.console.act("next_item")
        scene.phone.act("raise_hand", kind="new_point")
        scene.console.act("call_next")
        clock.tick(30)
        scene.console.act("end_turn")
        scene.console.act("open_check")
    check_id = scene.projector.take("state")[-1]["snapshot"]["check"]["id"]
    scene.phone.act("answer", check_id=check_id, answer="reservations", reason="Cost")
    console = scene.console.take("console")[-1]["console"]
    assert console["speaking"] == [{"participant_id": console["speaking"][0]["participant_id"],
                                    "name": "Nikos", "guest": False, "turns": 1,
                                    "seconds": 30.0}]
    assert [(a["name"], a["answer"], a["reason"]) for a in console["answers"]] == [
        ("Nikos", "reservations", "Cost")]


def test_take_over(scene):
    before = scene.seq()
    snapshot = applied(scene, scene.phone.act("take_over"), before)
    assert snapshot["facilitator"] == {"id": scene.nikos.id, "name": "Nikos"}
    assert scene.live().facilitator_id == scene.nikos.id
    assert scene.phone.act("next_item")["ok"]
    assert scene.console.act("next_item")["code"] == "forbidden"


def test_save_note_by_the_note_taker(scene):
    eleni = scene.screen(scene.eleni)
    scene.console.act("next_item")
    scene.forget()
    before = scene.seq()
    snapshot = applied(scene, eleni.act("save_note", item_id=scene.first.id,
                                        text="Saturdays from *10 to 14*."), before)
    assert "notes" not in snapshot["current"]  # the room does not receive them
    assert service.console(scene.meeting)["notes"] == {"item_id": scene.first.id,
                                                       "text": "Saturdays from *10 to 14*."}
    applied(scene, eleni.act("save_note", item_id=scene.first.id, text="Corrected."),
            before + 1)
    [note] = db.session.scalars(sa.select(LiveNote)).all()
    assert note.text == "Corrected." and note.updated_by_id == scene.eleni.id


def test_close_meeting_writes_the_minutes(scene):
    before = scene.seq()
    snapshot = applied(scene, scene.console.act("close_meeting"), before)
    assert snapshot["status"] == "closed"
    db.session.expire_all()
    assert scene.meeting.status == MeetingStatus.CLOSED
    minutes = db.session.scalars(sa.select(Minutes)).one()
    assert minutes.meeting_id == scene.meeting.id
    assert minutes.visibility == scene.meeting.visibility
    assert "Maria" in minutes.text and "Open on Saturdays" in minutes.text


# --- outcomes into the proposal lifecycle ----------------------------------------------------

def _check_with(scene, answers: dict):
    """Open a check on the current item and have people answer it."""
    scene.console.act("open_check")
    check_id = scene.projector.take("state")[-1]["snapshot"]["check"]["id"]
    for screen, (answer, reason) in answers.items():
        result = screen.act("answer", check_id=check_id, answer=answer, reason=reason)
        assert result["ok"], result
    scene.forget()
    return check_id


def test_record_agreement_with_positions_and_presence(scene, make):
    from assembly.live.service import join_as_guest

    join_as_guest(scene.meeting, "Aisha")
    db.session.commit()
    eleni = scene.screen(scene.eleni)
    scene.console.act("next_item")
    check_id = _check_with(scene, {scene.phone: ("stand_aside", "I was not here last time."),
                                   eleni: ("reservations", "Who holds the keys?"),
                                   scene.console: ("agree", "")})
    before = scene.seq()
    review = (utcnow() + timedelta(days=180)).date()
    snapshot = applied(scene, scene.console.act(
        "record_outcome", outcome="agreed", review_date=review.isoformat(),
        implementers="The Saturday group", reason="Consensus reached."), before)
    assert snapshot["outcome"] == {"item_id": scene.first.id, "outcome": "agreed",
                                   "reason": "Consensus reached."}
    assert snapshot["check"]["open"] is False and snapshot["check"]["id"] == check_id
    assert snapshot["agenda"][0]["outcome"] == "agreed"
    proposal = scene.first.proposal
    db.session.refresh(proposal)
    agreement = proposal.agreement
    assert proposal.phase == Phase.AGREED and agreement.review_date == review
    assert agreement.meeting_id == scene.meeting.id
    assert agreement.implementers == "The Saturday group"
    assert sorted(p.display_name for p in agreement.present) == ["Eleni", "Maria", "Nikos"]
    assert agreement.guests_present == 1
    assert sorted((p.kind, p.name, p.reason) for p in agreement.positions) == [
        ("reservation", "Eleni", "Who holds the keys?"),
        ("stand_aside", "Nikos", "I was not here last time.")]


def test_record_postponement_carries_the_blocks(scene):
    eleni = scene.screen(scene.eleni)
    scene.console.act("next_item")
    _check_with(scene, {eleni: ("block", "It breaks our rule on rest days.")})
    before = scene.seq()
    applied(scene, scene.console.act("record_outcome", outcome="postponed",
                                     reason="A block was raised."), before)
    proposal = scene.first.proposal
    db.session.refresh(proposal)
    assert proposal.phase == Phase.POSTPONED and proposal.phase_reason == "A block was raised."
    assert proposal.events[-1].data["blocks"] == [{
        "kind": "block", "name": "Eleni", "reason": "It breaks our rule on rest days.",
        "person_id": scene.eleni.id}]


def test_an_agreement_over_a_block_is_refused(scene):
    scene.console.act("next_item")
    _check_with(scene, {scene.phone: ("block", "No.")})
    answer = scene.console.act("record_outcome", outcome="agreed",
                               review_date=(utcnow() + timedelta(days=90)).date().isoformat())
    assert answer["code"] == "conflict"
    db.session.refresh(scene.first.proposal)
    assert scene.first.proposal.phase == Phase.ON_AGENDA


def test_record_delegation_with_mandate(scene, make):
    group = make.working_group(scene.collective, scene.maria, "Pharmacy group")
    scene.console.act("next_item")
    scene.forget()
    before = scene.seq()
    returns = (utcnow() + timedelta(days=30)).date()
    applied(scene, scene.console.act(
        "record_outcome", outcome="delegated", working_group_id=group.id,
        mandate="Find a second fridge supplier.", return_date=returns.isoformat()), before)
    proposal = scene.first.proposal
    db.session.refresh(proposal)
    assert proposal.phase == Phase.DELEGATED and proposal.delegated_to_id == group.id
    assert (proposal.mandate, proposal.return_date) == ("Find a second fridge supplier.", returns)


def test_record_back_to_drafting(scene):
    scene.console.act("next_item")
    scene.forget()
    before = scene.seq()
    snapshot = applied(scene, scene.console.act("record_outcome", outcome="drafting",
                                                reason="Rewrite the hours."), before)
    assert snapshot["current"]["phase"] == "drafting"
    db.session.refresh(scene.first.proposal)
    assert scene.first.proposal.phase == Phase.DRAFTING
