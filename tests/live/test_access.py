"""Who may enter which meeting: confidential meetings admit only their participants (and leak
nothing to anyone else), members' meetings only members, public ones guests too."""

import json

import pytest

from assembly.core.errors import Conflict, Invalid, NotFound
from assembly.extensions import db
from assembly.live import service
from tests.live.conftest import Screen, signed_in

CANARY = "CANARY-7f3a9"


def _everything(screen: Screen, answers: list) -> str:
    screen.take("state")
    return json.dumps([screen.seen, answers], ensure_ascii=False)


def test_a_confidential_meeting_admits_only_its_participants(app, make):
    from assembly.collectives.service import add_participant

    collective = make.collective()
    maria = make.member(collective, "Maria")
    nikos = make.member(collective, "Nikos")
    eleni = make.member(collective, "Eleni")
    group = make.working_group(collective, maria, f"Care team {CANARY}",
                               visibility="confidential")
    add_participant(group, maria, eleni)
    meeting = make.meeting(group, maria, days=0, live=True, title=f"Meeting {CANARY}")
    make.proposal(group, maria, "on_agenda", title=f"Proposal {CANARY}",
                  visibility="confidential")
    db.session.commit()

    outsiders = [Screen(app, signed_in(app, nikos), meeting.id),
                 Screen(app, signed_in(app), meeting.id)]
    answers = []
    for screen in outsiders:
        for view in ("participant", "projector", "facilitator"):
            answers.append(screen.join(view))
        answers.append(screen.emit("snapshot", {"meeting_id": meeting.id}))
        answers.append(screen.act("raise_hand", kind="new_point"))
    assert {(a["ok"], a["code"]) for a in answers} == {(False, "not_found")}

    insider = Screen(app, signed_in(app, maria), meeting.id)
    assert insider.join("facilitator")["ok"]
    assert insider.act("next_item")["code"] == "forbidden"  # nobody holds the role yet
    assert insider.act("take_over")["ok"]
    assert insider.act("next_item")["ok"] and insider.act("raise_hand", kind="new_point")["ok"]
    assert CANARY in json.dumps(insider.take("state"), ensure_ascii=False)
    participant = Screen(app, signed_in(app, eleni), meeting.id)
    answer = participant.join("participant")
    assert answer["ok"] and CANARY in json.dumps(answer, ensure_ascii=False)

    for screen in outsiders:
        leaked = _everything(screen, answers)
        assert CANARY not in leaked
        assert not [e for e in screen.seen if e["name"] in ("state", "console")]


def test_a_members_meeting_is_closed_to_anonymous_screens_and_guests(app, make):
    collective = make.collective()
    maria = make.member(collective, "Maria")
    meeting = make.meeting(make.assembly(collective), maria, days=0, live=True,
                           visibility="members")
    anonymous = Screen(app, signed_in(app), meeting.id)
    assert anonymous.join("projector")["code"] == "not_found"
    with pytest.raises(NotFound):
        service.join_as_guest(meeting, "Aisha")
    member = Screen(app, signed_in(app, maria), meeting.id)
    assert member.join("projector")["ok"]


def _guest_screen(app, meeting, participant_id, meeting_key=None) -> Screen:
    client = signed_in(app)
    with client.session_transaction() as session:
        session["live_guests"] = {str(meeting_key or meeting.id): participant_id}
    return Screen(app, client, meeting.id)


def test_a_guest_takes_part_in_a_public_meeting(scene):
    aisha = service.join_as_guest(scene.meeting, "  Aisha  ")
    db.session.commit()
    assert (aisha.guest_name, aisha.person_id, aisha.is_guest) == ("Aisha", None, True)
    guest = _guest_screen(scene.app, scene.meeting, aisha.id)
    scene.clients.append(guest)
    answer = guest.join("participant")
    assert answer["ok"] and answer["participant_id"] == aisha.id
    assert answer["me"]["guest"] is True and answer["me"]["member"] is False
    assert answer["snapshot"]["participants"] == 3
    assert guest.act("raise_hand", kind="point_of_process")["ok"]
    queue = scene.projector.take("state")[-1]["snapshot"]["queue"]
    assert [(h["name"], h["participant_id"]) for h in queue] == [("Aisha", aisha.id)]
    for kind in ("take_over", "next_item", "timer_start"):
        assert guest.act(kind)["code"] == "forbidden"
    assert guest.join("facilitator")["code"] == "forbidden"
    # Guests answer consensus checks, and their own answer comes back to them alone.
    scene.console.act("next_item")
    scene.console.act("open_check")
    check_id = scene.projector.take("state")[-1]["snapshot"]["check"]["id"]
    assert guest.act("answer", check_id=check_id, answer="reservations", reason="Cost")["ok"]
    mine = guest.emit("snapshot", {"meeting_id": scene.meeting.id})["me"]
    assert (mine["participant_id"], mine["answer"]) == (aisha.id, "reservations")
    assert scene.phone.emit("snapshot", {"meeting_id": scene.meeting.id})["me"]["answer"] is None


def test_a_signed_in_non_member_takes_part_as_a_guest(scene, make):
    visitor = make.person("Visitor")
    row = service.join_as_guest(scene.meeting, "Visitor")
    db.session.commit()
    client = signed_in(scene.app, visitor)
    with client.session_transaction() as session:
        session["live_guests"] = {str(scene.meeting.id): row.id}
    screen = Screen(scene.app, client, scene.meeting.id)
    assert screen.join("participant")["participant_id"] == row.id
    assert screen.emit("snapshot", {"meeting_id": scene.meeting.id})["me"]["participant_id"] \
        == row.id
    assert screen.act("raise_hand", kind="new_point")["ok"]
    assert screen.act("take_over")["code"] == "forbidden"


def test_a_guest_session_counts_only_for_its_own_meeting(scene, make):
    other = make.meeting(scene.assembly, scene.maria, days=2)
    elsewhere = service.join_as_guest(other, "Aisha")
    nikos_row = service.participant_for(scene.meeting, person=scene.nikos)
    db.session.commit()
    for screen in (_guest_screen(scene.app, scene.meeting, elsewhere.id),
                   _guest_screen(scene.app, scene.meeting, nikos_row.id),  # a member's row
                   _guest_screen(scene.app, scene.meeting, "1"),
                   _guest_screen(scene.app, scene.meeting, elsewhere.id, other.id)):
        answer = screen.join("participant")
        assert answer["ok"] and answer["participant_id"] is None
        assert screen.act("raise_hand", kind="new_point")["code"] == "forbidden"


def test_a_guest_needs_a_proper_name(app, make):
    collective = make.collective()
    meeting = make.meeting(make.assembly(collective), make.member(collective), days=0,
                           live=True)
    for name in ("", "   ", "x" * 81, "Ai\x00sha", None):
        with pytest.raises(Invalid):
            service.join_as_guest(meeting, name)
        db.session.rollback()
    assert service.participants(meeting) == []


def test_no_guest_joins_a_closed_or_cancelled_meeting(scene, make):
    from assembly.meetings.service import cancel_meeting, close_meeting

    close_meeting(scene.meeting, scene.maria)
    db.session.commit()
    with pytest.raises(Conflict):
        service.join_as_guest(scene.meeting, "Aisha")
    later = make.meeting(scene.assembly, scene.maria, days=5)
    cancel_meeting(later, scene.maria)
    db.session.commit()
    with pytest.raises(Conflict):
        service.join_as_guest(later, "Aisha")
