"""Minutes: written when the meeting closes, from the notes and the proposal log, readable by
whoever may read the meeting."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.live import service
from assembly.live.minutes import minutes_of
from assembly.live.models import Minutes
from assembly.meetings.models import MeetingStatus
from assembly.visibility import ANONYMOUS, viewer_for


@pytest.fixture(autouse=True)
def english_minutes(request):
    """Minutes are written in the meeting's first language; these tests read English ones."""
    if "scene" in request.fixturenames:
        request.getfixturevalue("scene").meeting.languages = "en el"
        db.session.commit()


def test_minutes_are_written_in_the_meetings_first_language(scene):
    from babel.support import Translations

    from assembly.live.minutes import generate_minutes

    scene.meeting.languages = "el en"
    generate_minutes(scene.meeting)
    text = db.session.scalars(sa.select(Minutes)).one().text
    greek = Translations.load("assembly/translations", ["el"]).gettext("Attendance")
    assert greek != "Attendance" and f"## {greek}" in text and "## Attendance" not in text


def _answer_check(scene, answers):
    scene.console.act("open_check")
    check_id = scene.projector.take("state")[-1]["snapshot"]["check"]["id"]
    for screen, answer, reason in answers:
        assert screen.act("answer", check_id=check_id, answer=answer, reason=reason)["ok"]


def test_minutes_of_a_whole_meeting(scene, make):
    aisha = service.join_as_guest(scene.meeting, "Aisha")
    db.session.commit()
    eleni = scene.screen(scene.eleni)
    review = (utcnow() + timedelta(days=180)).date()
    console = scene.console
    console.act("next_item")
    eleni.act("save_note", item_id=scene.first.id, text="Saturdays from 10 to 14.")
    _answer_check(scene, [(scene.phone, "stand_aside", "I work on Saturdays."),
                          (eleni, "reservations", "Keys?")])
    assert console.act("record_outcome", outcome="agreed", review_date=review.isoformat(),
                       implementers="The Saturday group")["ok"]
    console.act("next_item")
    _answer_check(scene, [(eleni, "block", "The fridge is too loud for the waiting room.")])
    assert console.act("record_outcome", outcome="postponed",
                       reason="Look for a quieter fridge.")["ok"]
    console.act("next_item")
    eleni.act("save_note", item_id=scene.free.id, text="- Nikos: Mondays\n- Eleni: Fridays")
    assert console.act("close_meeting")["ok"]

    db.session.expire_all()
    minutes = db.session.scalars(sa.select(Minutes)).one()
    text = minutes.text
    assert "## Attendance" in text
    assert "Present (3):** Eleni, Maria, Nikos" in text and "Guests (1):** Aisha" in text
    assert aisha.guest_name in text
    sections = text.split("\n## ")
    first, second, free = sections[2], sections[3], sections[4]
    assert first.startswith("1. Open on Saturdays")
    assert "Saturdays from 10 to 14." in first and "**Outcome:** Agreed" in first
    assert "The Saturday group" in first and str(review.year) in first
    assert "Stand aside (Nikos): I work on Saturdays." in first
    assert "Reservations (Eleni): Keys?" in first
    assert second.startswith("2. Buy a fridge") and "**Outcome:** Postponed" in second
    assert "Look for a quieter fridge." in second
    assert "**Block** (Eleni): The fridge is too loud for the waiting room." in second
    assert "*No notes were taken.*" in second
    assert free.startswith("3. Cleaning rota") and "- Nikos: Mondays" in free


def test_delegations_and_items_left_open_in_the_minutes(scene, make):
    group = make.working_group(scene.collective, scene.maria, "Pharmacy group")
    returns = (utcnow() + timedelta(days=30)).date()
    scene.console.act("next_item")
    assert scene.console.act("record_outcome", outcome="delegated", working_group_id=group.id,
                             mandate="Compare *three* suppliers.",
                             return_date=returns.isoformat())["ok"]
    assert scene.console.act("close_meeting")["ok"]
    text = db.session.scalars(sa.select(Minutes.text)).one()
    assert "Delegated to: Pharmacy group" in text
    assert "Mandate: Compare \\*three\\* suppliers." in text
    assert "Returns by:" in text
    assert "none recorded; the proposal returns at the next meeting" in text


def test_closing_from_a_page_winds_down_and_writes_minutes(scene):
    scene.phone.act("raise_hand", kind="new_point")
    scene.console.act("next_item")
    scene.console.act("timer_start")
    before = scene.seq()
    service.close_meeting(scene.meeting, scene.maria)
    db.session.commit()
    assert scene.seq() == before + 1
    assert scene.meeting.status == MeetingStatus.CLOSED
    snapshot = service.snapshot(scene.meeting)
    assert snapshot["queue"] == [] and snapshot["timer"]["running"] is False
    assert db.session.scalars(sa.select(Minutes)).one().meeting_id == scene.meeting.id


@pytest.mark.parametrize("visibility", ["public", "members"])
def test_minutes_read_through_the_meetings_visibility(app, make, visibility):
    collective = make.collective()
    maria = make.member(collective, "Maria")
    outsider = make.person("Outsider")
    meeting = make.meeting(make.assembly(collective), maria, days=0, live=True,
                           visibility=visibility)
    service.close_meeting(meeting, maria)
    db.session.commit()
    assert minutes_of(viewer_for(maria), meeting) is not None
    readable = visibility == "public"
    assert (minutes_of(ANONYMOUS, meeting) is not None) is readable
    assert (minutes_of(viewer_for(outsider), meeting) is not None) is readable
    assert db.session.scalars(sa.select(Minutes.visibility)).one() == visibility


def test_minutes_of_a_confidential_meeting_stay_with_its_participants(app, make):
    collective = make.collective()
    maria = make.member(collective, "Maria")
    nikos = make.member(collective, "Nikos")
    group = make.working_group(collective, maria, visibility="confidential")
    meeting = make.meeting(group, maria, days=0, live=True)
    service.close_meeting(meeting, maria)
    db.session.commit()
    assert minutes_of(viewer_for(maria), meeting) is not None
    assert minutes_of(viewer_for(nikos), meeting) is None
    assert minutes_of(ANONYMOUS, meeting) is None
