"""Open discussion moments: nothing decided (the live console refuses outcomes), labelled on
the front door and in calendars, notes published like minutes."""

import re

import pytest

from assembly.core.errors import Conflict
from assembly.extensions import db
from assembly.live import service as live
from assembly.live.minutes import generate_minutes
from assembly.meetings import service as meetings


@pytest.fixture
def clinic(make):
    collective = make.collective("Port Clinic")
    return collective, make.member(collective, "Maria")


def test_the_console_refuses_an_outcome_with_a_reason(clinic, make):
    collective, maria = clinic
    proposal = make.proposal(make.assembly(collective), maria, "drafting")
    meeting = make.meeting(make.assembly(collective), maria, open_discussion=True,
                           interpretation_languages="ar fa")
    from assembly.proposals.service import begin_meeting, put_on_agenda

    put_on_agenda(proposal, maria, meeting)
    begin_meeting(meeting, maria)
    participant = live.enter(meeting, maria, None, "facilitator").participant
    live.apply_action(meeting, participant, "takeover-1", "take_over", {})
    live.apply_action(meeting, participant, "next-item-1", "next_item", {})
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        live.apply_action(meeting, participant, "outcome-1", "record_outcome",
                          {"outcome": "agreed", "review_date": "2030-01-01"})
    assert "nothing is decided" in str(refused.value.message)
    db.session.rollback()
    assert proposal.phase == "on_agenda"


def test_marking_refuses_unknown_languages(clinic, make):
    from assembly.core.errors import Invalid

    collective, maria = clinic
    meeting = make.meeting(make.assembly(collective), maria)
    with pytest.raises(Invalid) as refused:
        meetings.set_open_discussion(meeting, maria, True, "xx")
    assert refused.value.field == "interpretation_languages"
    meetings.set_open_discussion(meeting, maria, True, "ar en")
    assert meeting.open_discussion and meeting.interpretation_list == ["ar", "en"]


def test_front_door_calendar_and_minutes_carry_the_label(clinic, make, web):
    collective, maria = clinic
    meeting = make.meeting(make.assembly(collective), maria, title="Welcome evening",
                           open_discussion=True, interpretation_languages="ar fa",
                           languages="en el")  # English minutes, read below
    front = web.text(f"/c/{collective.slug}/")
    assert "Open discussion" in front and "nothing is decided there" in front
    assert "العربية" in front
    calendar = web.text(f"/c/{collective.slug}/meetings.ics")
    assert "CATEGORIES:Open discussion" in calendar
    assert "SUMMARY:Open discussion: Welcome evening" in calendar.replace("\r\n ", "")
    page = web.text(f"/c/{collective.slug}/m/{meeting.id}")
    assert "nothing is decided at this meeting" in page
    # Its notes are published like minutes, saying nothing was decided.
    from assembly.proposals.service import begin_meeting

    begin_meeting(meeting, maria)
    meetings.close_meeting(meeting, maria)
    minutes = generate_minutes(meeting, maria)
    db.session.commit()
    assert "no decisions were taken" in minutes.text and minutes.visibility == "public"
    assert "Interpretation: العربية, فارسی" in minutes.text


def test_the_new_meeting_form_marks_an_open_discussion(clinic, web):
    from datetime import date, timedelta

    import sqlalchemy as sa

    from assembly.meetings.models import Meeting

    collective, maria = clinic
    web.login(maria)
    response = web.post(f"/c/{collective.slug}/b/assembly/meetings/new", {
        "date": (date.today() + timedelta(days=3)).isoformat(), "time": "18:00",
        "duration_minutes": "90", "languages": ["el", "en"], "visibility": "public",
        "open_discussion": "y", "interpretation_languages": ["ar"]})
    assert response.status_code == 302
    meeting = db.session.scalars(sa.select(Meeting)).one()
    assert meeting.open_discussion and meeting.interpretation_languages == "ar"


# --- marking an existing meeting from its page -----------------------------------------------

def _mark(web, meeting, marked=True, languages=("ar",)):
    data = {"interpretation_languages": list(languages)}
    if marked:
        data["open_discussion"] = "y"
    return web.post(f"/c/{meeting.collective.slug}/m/{meeting.id}/open-discussion", data)


def test_the_meeting_page_marks_and_unmarks_an_open_discussion(clinic, make, web):
    collective, maria = clinic
    meeting = make.meeting(make.assembly(collective), maria)
    web.login(maria)
    page = web.text(f"/c/{collective.slug}/m/{meeting.id}")
    assert f'action="/c/{collective.slug}/m/{meeting.id}/open-discussion"' in page
    assert "nothing is decided at this meeting" not in page

    response = _mark(web, meeting, languages=("ar", "fa"))
    assert response.status_code == 302
    db.session.expire_all()
    assert meeting.open_discussion and meeting.interpretation_list == ["ar", "fa"]
    page = web.text(f"/c/{collective.slug}/m/{meeting.id}")
    assert "nothing is decided at this meeting" in page
    assert '<input checked id="open_discussion"' in page  # the form shows the current state

    assert _mark(web, meeting, marked=False, languages=()).status_code == 302
    db.session.expire_all()
    assert not meeting.open_discussion and meeting.interpretation_languages == ""


def test_only_members_mark_a_meeting(clinic, make, web):
    collective, maria = clinic
    meeting = make.meeting(make.assembly(collective), maria)
    page = web.text(f"/c/{collective.slug}/m/{meeting.id}")
    assert "/open-discussion" not in page  # incomers see no form
    web.login(make.member(make.collective(), "Elsewhere"))
    assert _mark(web, meeting).status_code == 403
    db.session.expire_all()
    assert not meeting.open_discussion


def test_an_unknown_language_comes_back_in_the_form(clinic, make, web):
    collective, maria = clinic
    meeting = make.meeting(make.assembly(collective), maria)
    web.login(maria)
    response = _mark(web, meeting, languages=("ar", "xx"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Unknown language." in page
    assert re.search(r'<input [^>]*checked id="interpretation_languages-\d+"[^>]*value="ar"',
                     page)
    db.session.expire_all()
    assert not meeting.open_discussion


def test_a_meeting_with_an_outcome_is_refused_and_the_form_keeps_the_choice(clinic, make, web):
    collective, maria = clinic
    assembly = make.assembly(collective)
    proposal = make.proposal(assembly, maria, "on_agenda")
    meeting = proposal.events[-1].meeting
    participant = live.enter(meeting, maria, None, "facilitator").participant
    live.apply_action(meeting, participant, "takeover-1", "take_over", {})
    live.apply_action(meeting, participant, "next-item-1", "next_item", {})
    live.apply_action(meeting, participant, "outcome-1", "record_outcome",
                      {"outcome": "drafting", "reason": "More work"})
    db.session.commit()
    web.login(maria)
    response = _mark(web, meeting, languages=("fa",))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "An outcome was already recorded at this meeting" in page
    assert re.search(r'<input [^>]*checked id="open_discussion"', page)
    assert re.search(r'<input [^>]*checked id="interpretation_languages-\d+"[^>]*value="fa"',
                     page)
    assert '<details class="action" id="open-discussion" open>' in page
    db.session.expire_all()
    assert not meeting.open_discussion
    # Unmarking (or keeping a meeting deciding) is always possible.
    assert _mark(web, meeting, marked=False).status_code == 302


def test_a_closed_meeting_offers_no_form_and_refuses(clinic, make, web):
    collective, maria = clinic
    meeting = make.meeting(make.assembly(collective), maria, live=True)
    live.close_meeting(meeting, maria)
    db.session.commit()
    web.login(maria)
    assert "/open-discussion" not in web.text(f"/c/{collective.slug}/m/{meeting.id}")
    assert _mark(web, meeting).status_code == 409
