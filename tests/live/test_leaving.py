"""Someone leaves before the end, saying so on their phone or noted by the facilitator: no
longer counted present in the room nor recorded present at a decision reached after, their
hands out of the queue, their answers standing; the minutes say when they left. Acting again
counts them back; a phone reconnecting by itself does not."""

from datetime import timedelta

import sqlalchemy as sa

from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.live.models import LiveHand, LiveParticipant, Minutes
from tests.live.conftest import applied
from tests.live.test_actions import _check_with


def participant(scene, person) -> LiveParticipant:
    db.session.expire_all()
    return db.session.scalars(sa.select(LiveParticipant).where(
        LiveParticipant.person_id == person.id)).one()


def test_leaving_on_the_phone_lowers_hands_and_the_count(scene):
    scene.phone.act("raise_hand", kind="new_point")
    scene.forget()
    before = scene.seq()
    present = scene.projector.emit("snapshot", {"meeting_id": scene.meeting.id})
    counted = present["snapshot"]["participants"]
    snapshot = applied(scene, scene.phone.act("leave"), before)
    assert snapshot["participants"] == counted - 1
    assert snapshot["queue"] == []
    assert participant(scene, scene.nikos).left_at is not None
    assert db.session.scalars(sa.select(LiveHand)).one().lowered_at is not None
    console = scene.console.emit("join", {"meeting_id": scene.meeting.id,
                                          "view": "facilitator"})["console"]
    assert "Nikos" not in [p["name"] for p in console["participants"]]
    # Leaving twice is answered with the reason.
    again = scene.phone.act("leave")
    assert again["ok"] is False and "already left" in again["error"]


def test_a_reconnecting_phone_stays_left_and_acting_counts_one_back(scene):
    scene.phone.act("leave")
    rejoined = scene.phone.join("participant")
    assert rejoined["me"]["left"] is True
    assert participant(scene, scene.nikos).left_at is not None
    scene.forget()
    before = scene.seq()
    snapshot = applied(scene, scene.phone.act("raise_hand", kind="new_point"), before)
    assert participant(scene, scene.nikos).left_at is None
    assert [h["name"] for h in snapshot["queue"]] == ["Nikos"]
    scene.phone.act("leave")
    assert scene.phone.act("come_back")["ok"]
    assert participant(scene, scene.nikos).left_at is None
    refused = scene.phone.act("come_back")
    assert refused["ok"] is False and refused["code"] == "conflict"


def test_only_the_facilitator_notes_that_someone_else_left(scene):
    nikos = participant(scene, scene.nikos)
    eleni = scene.screen(scene.eleni)
    refused = eleni.act("leave", participant_id=nikos.id)
    assert refused["ok"] is False and refused["code"] == "forbidden"
    assert participant(scene, scene.nikos).left_at is None
    assert scene.console.act("leave", participant_id=nikos.id)["ok"]
    assert participant(scene, scene.nikos).left_at is not None
    elsewhere = scene.console.act("leave", participant_id=999_999)
    assert elsewhere["ok"] is False and elsewhere["code"] == "not_found"


def test_a_decision_after_someone_left_records_them_absent_and_their_answer_stands(scene):
    eleni = scene.screen(scene.eleni)
    scene.console.act("next_item")
    _check_with(scene, {scene.phone: ("stand_aside", "I work on Saturdays."),
                        eleni: ("agree", "")})
    assert scene.phone.act("leave")["ok"]
    review = (utcnow() + timedelta(days=180)).date()
    assert scene.console.act("record_outcome", outcome="agreed",
                             review_date=review.isoformat())["ok"]
    proposal = scene.first.proposal
    db.session.refresh(proposal)
    agreement = proposal.agreement
    assert sorted(p.display_name for p in agreement.present) == ["Eleni", "Maria"]
    assert [(p.kind, p.name) for p in agreement.positions] == [("stand_aside", "Nikos")]


def test_the_minutes_say_who_left_and_when(scene):
    scene.meeting.languages = "en el"
    db.session.commit()
    scene.phone.act("leave")
    assert scene.console.act("close_meeting")["ok"]
    db.session.expire_all()
    text = db.session.scalars(sa.select(Minutes)).one().text
    attendance = text[text.index("## Attendance"):].split("\n## ")[0]
    assert "Present (2):** Maria, Nikos (left at " in attendance
