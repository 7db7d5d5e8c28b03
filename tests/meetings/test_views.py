"""The meeting pages, driven through real forms with real CSRF tokens: what people see, and
every change with good and bad input."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from assembly.core.db import utcnow
from assembly.core.web import in_zone
from assembly.extensions import db
from assembly.meetings import service
from assembly.meetings.models import AgendaItem, Meeting, MeetingRole, MeetingStatus, Role
from assembly.proposals import service as proposals
from assembly.proposals.models import Phase

from .helpers import (
    QueryCounter,
    field_value,
    flashes,
    free_point,
    meeting_at,
    set_rhythm,
    titles_in_order,
)

NEXT_YEAR = utcnow().year + 1
CANARY = "CANARY-7f3a9c"


@pytest.fixture
def clinic(make):
    collective = make.collective("Clinic")
    anna = make.member(collective, "Anna")
    return collective, anna, make.assembly(collective)


def url(meeting, suffix=""):
    return f"/c/{meeting.collective.slug}/m/{meeting.id}{suffix}"


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


# --- reading -------------------------------------------------------------------------------

def test_meeting_page_shows_the_meeting_in_local_time_with_its_agenda(web, make, clinic):
    collective, anna, body = clinic
    postponed = make.proposal(body, anna, phase="postponed", title="Open on Saturdays")
    meeting = meeting_at(body, anna, datetime(NEXT_YEAR, 7, 5, 19, 0), title="Summer assembly",
                         place="Ground floor", online_link="https://meet.example.org/clinic",
                         languages="el ar", visibility="members", duration_minutes=90)
    free_point(meeting, anna, "Keys of the pharmacy", minutes=10, note="Who has them?")
    web.login(anna)
    response = web.get(url(meeting))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Summer assembly" in page and "Ground floor" in page
    # 16:00 UTC is 19:00 in Athens (Babel puts a narrow space before PM).
    assert f"Jul 5, {NEXT_YEAR}, 7:00:00" in page and "4:00:00" not in page
    assert 'href="https://meet.example.org/clinic"' in page
    assert "Ελληνικά, العربية" in page
    assert "Status: Scheduled" in page
    assert "Members of the collective" in page  # visibility badge in words
    assert f'href="/c/{collective.slug}/p/{postponed.id}-{postponed.slug}"' in page
    assert "Carried over" in page and "More time is needed." in page
    assert "Free point" in page and "Who has them?" in page
    assert titles_in_order(page, ["Keys of the pharmacy", "Open on Saturdays"]) == [
        "Open on Saturdays", "Keys of the pharmacy"]
    assert "Planned: 25 of 90 minutes." in page
    assert "Start meeting" in page and "Cancel meeting" in page and "Close meeting" not in page


def test_anonymous_reads_a_public_meeting_without_controls(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    free_point(meeting, anna, "Posters")
    page = web.text(url(meeting))
    assert "Posters" in page and "Agenda" in page
    for control in ("Start meeting", "Move up", "Move down", "Add a free point", "Assign"):
        assert control not in page


def test_an_overlong_agenda_is_said_in_words(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna, duration_minutes=30)
    free_point(meeting, anna, "One", minutes=20)
    free_point(meeting, anna, "Two", minutes=25)
    page = web.text(url(meeting))
    assert "Planned: 45 of 30 minutes." in page
    assert "The agenda is 15 minutes longer than the meeting." in page


def test_outcomes_show_and_a_closed_meeting_has_no_controls(web, make, clinic):
    _c, anna, body = clinic
    agreed = make.proposal(body, anna, phase="agreed", title="Vaccination days")
    live = db.session.scalars(sa.select(Meeting).where(Meeting.status == MeetingStatus.LIVE)).one()
    web.login(anna)
    assert web.post(url(live, "/close")).status_code == 302
    page = web.text(url(live))
    assert "Vaccination days" in page and agreed.phase == Phase.AGREED
    assert 'class="phase phase-agreed"' in page
    assert "Status: Closed" in page
    for control in ("Move up", "Remove", "Add a free point", "Start meeting", "Close meeting",
                    "Assign"):
        assert control not in page


def test_unknown_meeting_is_404(web, make, clinic):
    collective, anna, body = clinic
    other = make.collective("Other")
    elsewhere = make.meeting(make.assembly(other), make.member(other, "Olga"))
    web.login(anna)
    assert web.get(f"/c/{collective.slug}/m/999999").status_code == 404
    assert web.get(f"/c/{collective.slug}/m/{elsewhere.id}").status_code == 404
    assert web.get(f"/c/no-such-collective/m/{elsewhere.id}").status_code == 404


def test_confidential_meeting_is_404_for_a_non_participant(web, other_web, make, clinic):
    collective, anna, _body = clinic
    bob = make.member(collective, "Bob")
    group = make.working_group(collective, anna, "Support", visibility="confidential")
    meeting = make.meeting(group, anna, title=f"Case {CANARY}")
    for client in (web, other_web):
        response = client.get(url(meeting))
        assert response.status_code == 404
        assert CANARY not in response.get_data(as_text=True)
    other_web.login(bob)
    response = other_web.get(url(meeting))
    assert response.status_code == 404 and CANARY not in response.get_data(as_text=True)
    # Changes look the same as reading: not found, never "forbidden".
    assert other_web.post(url(meeting, "/start")).status_code == 404
    assert fresh(Meeting, meeting.id).status == MeetingStatus.SCHEDULED
    listing = other_web.get(f"/c/{collective.slug}/b/{group.slug}/meetings")
    assert listing.status_code == 404 and CANARY not in listing.get_data(as_text=True)
    web.login(anna)
    assert CANARY in web.text(url(meeting))


def test_titles_of_proposals_a_reader_may_not_see_stay_hidden(web, make, clinic):
    _c, anna, body = clinic
    make.proposal(body, anna, phase="on_agenda", title=f"Members only {CANARY}",
                  visibility="members")
    live = db.session.scalars(sa.select(Meeting).where(Meeting.status == MeetingStatus.LIVE)).one()
    page = web.text(url(live))
    assert CANARY not in page
    assert "A proposal not open to you" in page
    web.login(anna)
    assert CANARY in web.text(url(live))


# --- who may change things -----------------------------------------------------------------

def _change_requests(meeting, item, holder, body):
    slug = meeting.collective.slug
    return [
        (url(meeting, "/start"), {}),
        (url(meeting, "/close"), {}),
        (url(meeting, "/cancel"), {}),
        (url(meeting, "/items"), {"title": "Mine", "time_box_minutes": "5"}),
        (url(meeting, f"/items/{item.id}/move"), {"direction": "up"}),
        (url(meeting, f"/items/{item.id}/time-box"), {f"item{item.id}-time_box_minutes": "30"}),
        (url(meeting, f"/items/{item.id}/remove"), {}),
        (url(meeting, "/roles/facilitator"), {"facilitator-person_id": str(holder.person_id)}),
        (url(meeting, f"/roles/held/{holder.id}/release"), {}),
        (f"/c/{slug}/b/{body.slug}/meetings/new", {"date": f"{NEXT_YEAR}-07-05",
                                                   "time": "19:00", "duration_minutes": "60"}),
        (f"/c/{slug}/b/{body.slug}/meetings/plan", {}),
    ]


def test_non_members_get_403_on_every_change(web, make, clinic):
    collective, anna, body = clinic
    set_rhythm(body, anna)
    meeting = make.meeting(body, anna)
    free_point(meeting, anna, "First")
    item = free_point(meeting, anna, "Second")
    holder = service.assign_role(meeting, anna, Role.NOTE_TAKER, anna)
    db.session.commit()
    stranger = make.member(make.collective("Elsewhere"), "Stranger")
    web.login(stranger)
    assert web.get(f"/c/{collective.slug}/b/{body.slug}/meetings/new").status_code == 403
    for address, data in _change_requests(meeting, item, holder, body):
        response = web.post(address, data)
        assert response.status_code == 403, address
    meeting = fresh(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.cancelled_at is None
    assert [(i.title, i.time_box_minutes) for i in service.agenda(meeting)] == [
        ("First", 10), ("Second", 10)]
    assert len(meeting.roles) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1


def test_anonymous_changes_go_to_sign_in(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    response = web.post(url(meeting, "/start"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert fresh(Meeting, meeting.id).status == MeetingStatus.SCHEDULED


def test_forged_or_missing_csrf_is_refused(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    web.login(anna)
    assert web.post(url(meeting, "/start"), {"csrf_token": "forged"}).status_code == 400
    response = web.post(url(meeting, "/items"), {"title": "Sneaky", "time_box_minutes": "5"},
                        csrf=False)
    assert response.status_code == 400
    assert "expired or was not sent from this site" in response.get_data(as_text=True)
    assert fresh(Meeting, meeting.id).status == MeetingStatus.SCHEDULED
    assert service.agenda(meeting) == []


# --- the agenda ----------------------------------------------------------------------------

def test_time_box_good_and_bad(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    item = free_point(meeting, anna, "Budget", minutes=10)
    name = f"item{item.id}-time_box_minutes"
    web.login(anna)
    response = web.post(url(meeting, f"/items/{item.id}/time-box"), {name: "25"})
    assert response.status_code == 302
    assert fresh(AgendaItem, item.id).time_box_minutes == 25
    for bad in ("0", "10000", "-3"):
        response = web.post(url(meeting, f"/items/{item.id}/time-box"), {name: bad})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, bad
        assert "A time box is between 1 and 240 minutes." in page
        assert field_value(page, name) == bad  # what was typed is kept
        assert f'<a href="#{name}">A time box is between' in page  # named at the top too
    for bad in ("abc", ""):
        response = web.post(url(meeting, f"/items/{item.id}/time-box"), {name: bad})
        assert response.status_code == 422
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert fresh(AgendaItem, item.id).time_box_minutes == 25


def test_add_free_point_good_and_bad(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    web.login(anna)
    response = web.post(url(meeting, "/items"), {
        "title": "Θέρμανση / heating", "time_box_minutes": "12", "note": "Winter is coming"})
    assert response.status_code == 302
    [item] = service.agenda(meeting)
    assert (item.title, item.time_box_minutes, item.note, item.kind) == (
        "Θέρμανση / heating", 12, "Winter is coming", "free")
    assert item.added_by_id == anna.id
    response = web.post(url(meeting, "/items"), {"title": "  ", "time_box_minutes": "5",
                                                 "note": "kept note"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This field is required." in page and "kept note" in page
    response = web.post(url(meeting, "/items"), {"title": "Too long a point",
                                                 "time_box_minutes": "10000"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A time box is between 1 and 240 minutes." in page
    assert field_value(page, "title") == "Too long a point"
    assert field_value(page, "time_box_minutes") == "10000"
    response = web.post(url(meeting, "/items"), {"title": "x" * 201, "time_box_minutes": "5"})
    assert response.status_code == 422
    assert len(service.agenda(meeting)) == 1


def test_reorder_via_the_page(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    a, b, c = (free_point(meeting, anna, f"Point {name}") for name in "ABC")
    titles = ["Point A", "Point B", "Point C"]
    web.login(anna)
    assert titles_in_order(web.text(url(meeting)), titles) == titles
    response = web.post(url(meeting, f"/items/{c.id}/move"), {"direction": "up"})
    assert response.status_code == 302
    assert titles_in_order(web.text(url(meeting)), titles) == ["Point A", "Point C", "Point B"]
    web.post(url(meeting, f"/items/{a.id}/move"), {"direction": "down"})
    assert titles_in_order(web.text(url(meeting)), titles) == ["Point C", "Point A", "Point B"]
    web.post(url(meeting, f"/items/{c.id}/move"), {"direction": "up"})  # already first
    assert [(i.title, i.position) for i in service.agenda(fresh(Meeting, meeting.id))] == [
        ("Point C", 1), ("Point A", 2), ("Point B", 3)]
    assert web.post(url(meeting, f"/items/{b.id}/move"),
                    {"direction": "sideways"}).status_code == 422
    assert web.post(url(meeting, "/items/999999/move"), {"direction": "up"}).status_code == 404
    other = make.meeting(body, anna, days=14)
    stray = free_point(other, anna, "Elsewhere")
    assert web.post(url(meeting, f"/items/{stray.id}/move"),
                    {"direction": "up"}).status_code == 404


def test_remove_via_the_page_is_soft(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    item = free_point(meeting, anna, "Old business")
    web.login(anna)
    assert web.post(url(meeting, f"/items/{item.id}/remove")).status_code == 302
    assert "Old business" not in web.text(url(meeting))
    row = fresh(AgendaItem, item.id)
    assert row.removed_at is not None and row.removed_by_id == anna.id
    assert web.post(url(meeting, f"/items/{item.id}/remove")).status_code == 404


def test_closed_meeting_refuses_changes_through_the_page(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna, days=0, live=True)
    item = free_point(meeting, anna, "Late")
    service.close_meeting(meeting, anna)
    db.session.commit()
    web.login(anna)
    response = web.post(url(meeting, "/items"), {"title": "After", "time_box_minutes": "5"})
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    assert web.post(url(meeting, f"/items/{item.id}/move"), {"direction": "up"}).status_code == 409
    assert web.post(url(meeting, f"/items/{item.id}/remove")).status_code == 409
    assert fresh(AgendaItem, item.id).removed_at is None


# --- roles ---------------------------------------------------------------------------------

def _options(page: str, role: str) -> str:
    start = page.index(f'name="{role}-person_id"')
    return page[start:page.index("</select>", start)]


def test_roles_offer_suggestions_with_their_history(web, make, clinic):
    collective, anna, body = clinic
    bob = make.member(collective, "Bob")
    make.member(collective, "Chloe")
    earlier = make.meeting(body, anna, days=1)
    meeting = make.meeting(body, anna, days=8)
    service.assign_role(earlier, anna, Role.FACILITATOR, bob)
    db.session.commit()
    web.login(anna)
    options = _options(web.text(url(meeting)), "facilitator")
    held_on = format_date(in_zone(earlier.starts_at, collective.timezone).date(), locale="en")
    assert "Chloe (never held this role)" in options
    assert f"Bob (last held on {held_on})" in options
    assert options.index("Chloe") < options.index("Bob")
    assert "Suggested" in options


def test_assign_and_release_roles(web, make, clinic):
    collective, anna, body = clinic
    chloe = make.member(collective, "Chloe")
    outsider = make.member(make.collective("Elsewhere"), "Outsider")
    meeting = make.meeting(body, anna)
    web.login(anna)
    response = web.post(url(meeting, "/roles/facilitator"),
                        {"facilitator-person_id": str(chloe.id)})
    assert response.status_code == 302
    [holder] = fresh(Meeting, meeting.id).roles
    assert (holder.role, holder.person_id) == (Role.FACILITATOR, chloe.id)
    page = web.text(url(meeting))
    assert "Release" in page and "Chloe" in page

    response = web.post(url(meeting, "/roles/note_taker"),
                        {"note_taker-person_id": str(outsider.id)})
    assert response.status_code == 422
    assert "Outsider cannot hold a role in this body." in response.get_data(as_text=True)
    for bad in ("", "abc", "999999"):
        response = web.post(url(meeting, "/roles/note_taker"), {"note_taker-person_id": bad})
        assert response.status_code == 422
    response = web.post(url(meeting, "/roles/interpreter"),
                        {"interpreter-person_id": str(anna.id), "interpreter-language": ""})
    assert response.status_code == 422
    assert "Say which language the interpreter interprets into." in response.get_data(
        as_text=True)
    response = web.post(url(meeting, "/roles/interpreter"),
                        {"interpreter-person_id": str(anna.id), "interpreter-language": "ar"})
    assert response.status_code == 302
    assert "into العربية" in web.text(url(meeting))
    assert web.post(url(meeting, "/roles/chair"), {"chair-person_id": str(anna.id)}
                    ).status_code == 404

    release = url(meeting, f"/roles/held/{holder.id}/release")
    assert web.post(release).status_code == 302
    assert [(h.role, h.person_id) for h in fresh(Meeting, meeting.id).roles] == [
        (Role.INTERPRETER, anna.id)]
    assert web.post(release).status_code == 404
    other = make.meeting(body, anna, days=14)
    foreign = service.assign_role(other, anna, Role.TIME_KEEPER, anna)
    db.session.commit()
    assert web.post(url(meeting, f"/roles/held/{foreign.id}/release")).status_code == 404
    assert db.session.get(MeetingRole, foreign.id) is not None


# --- status --------------------------------------------------------------------------------

def test_start_and_close_buttons_change_the_status(web, make, clinic):
    _c, anna, body = clinic
    postponed = make.proposal(body, anna, phase="postponed", title="Night shifts")
    meeting = make.meeting(body, anna, days=7)
    web.login(anna)
    response = web.post(url(meeting, "/start"))
    assert response.status_code == 302
    meeting = fresh(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.LIVE and meeting.started_at is not None
    # Started through begin_meeting: the postponed proposal is back on the agenda.
    assert db.session.get(type(postponed), postponed.id).phase == Phase.ON_AGENDA
    assert "Status: Live now" in web.text(url(meeting))
    assert web.post(url(meeting, "/start")).status_code == 409
    assert web.post(url(meeting, "/cancel")).status_code == 409
    assert web.post(url(meeting, "/close")).status_code == 302
    assert fresh(Meeting, meeting.id).status == MeetingStatus.CLOSED
    assert "Status: Closed" in web.text(url(meeting))
    assert web.post(url(meeting, "/close")).status_code == 409


def test_cancel_button(web, make, clinic):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna, days=7)
    free_point(meeting, anna, "Moves along")
    nxt = make.meeting(body, anna, days=14)
    web.login(anna)
    assert web.post(url(meeting, "/cancel")).status_code == 302
    assert fresh(Meeting, meeting.id).cancelled_at is not None
    page = web.text(url(meeting))
    assert "Status: Cancelled" in page and "Start meeting" not in page
    assert "Moves along" in web.text(url(nxt))
    assert web.post(url(meeting, "/start")).status_code == 409


# --- a new meeting -------------------------------------------------------------------------

def _new_url(collective, body):
    return f"/c/{collective.slug}/b/{body.slug}/meetings/new"


def _good_meeting(**changes):
    data = {"date": f"{NEXT_YEAR}-07-05", "time": "19:00", "duration_minutes": "90",
            "title": "Summer gathering", "place": "Yard", "online_link": "",
            "languages": ["el", "en"], "visibility": "public"}
    data.update(changes)
    return data


def test_new_meeting_form(web, make, clinic):
    collective, anna, body = clinic
    web.login(anna)
    response = web.get(_new_url(collective, body))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'type="date"' in page and 'type="time"' in page
    assert "Europe/Athens" in page
    response = web.post(_new_url(collective, body), _good_meeting(visibility="members"))
    created = db.session.scalars(sa.select(Meeting).where(Meeting.body_id == body.id)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(url(created))
    assert created.starts_at == datetime(NEXT_YEAR, 7, 5, 16, 0, tzinfo=UTC)
    assert (created.duration_minutes, created.title, created.place, created.languages,
            created.visibility) == (90, "Summer gathering", "Yard", "el en", "members")
    assert f"Jul 5, {NEXT_YEAR}, 7:00:00" in web.text(url(created))


@pytest.mark.parametrize("changes, message", [
    ({"date": f"{NEXT_YEAR}-02-31"}, "Not a valid date value"),
    ({"date": "tomorrow"}, "Not a valid date value"),
    ({"time": "25:99"}, "Not a valid time value"),
    ({"duration_minutes": "5"}, "A meeting lasts between 15 and 600 minutes."),
    ({"duration_minutes": "many"}, None),
    ({"online_link": "javascript:alert(1)"}, "The online link must be a web address"),
    ({"languages": []}, "Choose at least one language."),
    ({"languages": ["el", "xx"]}, "Unknown language."),
    ({"visibility": "confidential"}, "Not a valid choice"),
    ({"date": "2020-01-06"}, "A new meeting cannot start in the past."),
    ({"date": "9999-12-31", "time": "23:59"}, "Choose a date within 10 years from now."),
])
def test_new_meeting_refuses_bad_input_and_keeps_what_was_typed(web, make, clinic, changes,
                                                                message):
    collective, anna, body = clinic
    web.login(anna)
    data = _good_meeting(**changes)
    response = web.post(_new_url(collective, body), data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    if message:
        assert message in page
    assert 'aria-invalid="true"' in page or "field-error" in page
    assert field_value(page, "title") == "Summer gathering"
    assert field_value(page, "place") == "Yard"
    assert field_value(page, "date") == data["date"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_new_meeting_refuses_a_second_meeting_at_the_same_time(web, make, clinic):
    collective, anna, body = clinic
    web.login(anna)
    assert web.post(_new_url(collective, body), _good_meeting()).status_code == 302
    response = web.post(_new_url(collective, body), _good_meeting(title="Again"))
    assert response.status_code == 422
    assert "This body already meets at that time." in response.get_data(as_text=True)


def test_new_meeting_for_an_invisible_body_is_404(web, make, clinic):
    collective, anna, _body = clinic
    bob = make.member(collective, "Bob")
    group = make.working_group(collective, anna, "Support", visibility="confidential")
    web.login(bob)
    assert web.get(_new_url(collective, group)).status_code == 404
    assert web.post(_new_url(collective, group), _good_meeting()).status_code == 404
    assert web.post(f"/c/{collective.slug}/b/{group.slug}/meetings/plan").status_code == 404
    assert web.get(f"/c/{collective.slug}/b/no-such-body/meetings/new").status_code == 404


def test_confidential_body_offers_confidential_meetings(web, make, clinic):
    collective, anna, _body = clinic
    group = make.working_group(collective, anna, "Support", visibility="confidential")
    web.login(anna)
    page = web.text(_new_url(collective, group))
    assert 'value="confidential"' in page and 'value="public"' not in page
    response = web.post(_new_url(collective, group), _good_meeting(visibility="confidential"))
    assert response.status_code == 302


# --- planning from the rhythm --------------------------------------------------------------

def test_plan_meetings_from_the_page(web, make, clinic, app):
    collective, anna, body = clinic
    app.config["MEETING_PLAN_WEEKS"] = 3
    plan = f"/c/{collective.slug}/b/{body.slug}/meetings/plan"
    web.login(anna)
    response = web.post(plan)
    assert response.status_code == 409
    assert "has no meeting rhythm yet" in response.get_data(as_text=True)
    set_rhythm(body, anna, weekday=0, time="19:00")
    response = web.post(plan)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/c/{collective.slug}/b/{body.slug}/")
    planned = db.session.scalar(sa.select(sa.func.count()).where(Meeting.body_id == body.id))
    assert planned in (3, 4)
    assert flashes(web)[-1] == f"{planned} meetings planned from the rhythm."
    web.get("/")  # shows and clears the message
    response = web.post(plan)
    assert response.status_code == 302
    assert flashes(web)[-1] == "No new meetings: the coming 3 weeks are already planned."
    assert db.session.scalar(sa.select(sa.func.count()).where(Meeting.body_id == body.id)) \
        == planned


def test_body_meetings_list(web, make, clinic):
    collective, anna, body = clinic
    make.meeting(body, anna, days=3, title="Coming soon")
    make.meeting(body, anna, days=5, title=f"Members {CANARY}", visibility="members")
    closed = make.meeting(body, anna, days=0, live=True, title="Done already")
    service.close_meeting(closed, anna)
    db.session.commit()
    page = web.text(f"/c/{collective.slug}/b/{body.slug}/meetings")
    assert titles_in_order(page, ["Coming soon", "Done already"]) == [
        "Coming soon", "Done already"]
    assert CANARY not in page and "New meeting" not in page
    web.login(anna)
    page = web.text(f"/c/{collective.slug}/b/{body.slug}/meetings")
    assert CANARY in page and "New meeting" in page


def test_meeting_page_queries_do_not_grow_with_the_agenda(web, make, clinic):
    collective, anna, body = clinic
    people = [make.member(collective, f"Member {n}") for n in range(4)]
    meeting = make.meeting(body, anna)

    def one_of_each():
        # One more proposal, free point and role holder each time.
        nonlocal meeting
        meeting = fresh(Meeting, meeting.id)
        proposals.put_on_agenda(make.proposal(body, anna, phase="drafting"), anna, meeting)
        free_point(meeting, anna, f"Point {len(service.agenda(meeting))}")
        person = people.pop()
        service.assign_role(meeting, anna, Role.INTERPRETER, person, "ar")
        db.session.commit()

    def page_queries():
        with QueryCounter() as counted:
            assert web.get(address).status_code == 200
        return len(counted)

    address = url(meeting)
    web.login(anna)
    one_of_each()
    few = page_queries()
    for _n in range(3):
        one_of_each()
    assert len(service.agenda(meeting)) == 8
    assert page_queries() == few
    assert few <= 25
