"""The rules of meetings: rhythm across daylight-saving changes, planning, carrying items
forward, the agenda, roles and the meeting's status."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.meetings import service
from assembly.meetings.models import AgendaItem, ItemKind, Meeting, MeetingStatus, Role
from assembly.proposals import service as proposals
from assembly.proposals.models import Phase

from .helpers import free_point, local_start, meeting_at, set_rhythm

ATHENS = ZoneInfo("Europe/Athens")


@pytest.fixture
def clinic(make):
    collective = make.collective("Clinic")
    anna = make.member(collective, "Anna")
    return collective, anna, make.assembly(collective)


def items_of(meeting):
    return db.session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                              .order_by(AgendaItem.id)).all()


def waiting_items_for(proposal):
    """Items for this proposal on agendas of meetings that have not started."""
    return db.session.scalars(sa.select(AgendaItem).join(Meeting).where(
        AgendaItem.proposal_id == proposal.id, AgendaItem.removed_at.is_(None),
        AgendaItem.outcome.is_(None), Meeting.status == MeetingStatus.SCHEDULED)).all()


# --- rhythm --------------------------------------------------------------------------------

def test_rhythm_keeps_local_time_across_both_daylight_saving_changes(clinic):
    _c, anna, body = clinic
    set_rhythm(body, anna, weekday=0, time="19:00")
    found = service.occurrences(body, datetime(2026, 3, 16, tzinfo=UTC),
                                datetime(2026, 11, 3, tzinfo=UTC))
    by_day = {moment.astimezone(ATHENS).date(): moment for moment in found}
    # Winter (UTC+2) before the last Sunday of March, summer (UTC+3) until the last of October.
    assert by_day[date(2026, 3, 23)].hour == 17
    assert by_day[date(2026, 3, 30)].hour == 16
    assert by_day[date(2026, 10, 19)].hour == 16
    assert by_day[date(2026, 10, 26)].hour == 17
    assert by_day[date(2026, 11, 2)].hour == 17
    for moment in found:
        local = moment.astimezone(ATHENS)
        assert (local.weekday(), local.hour, local.minute) == (0, 19, 0)
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    assert len(found) == 34  # every Monday from 16 March to 2 November, both included


def test_rhythm_every_two_weeks_does_not_drift_with_the_start(clinic):
    _c, anna, body = clinic
    set_rhythm(body, anna, weekday=2, time="18:30", every_weeks=2)
    start = datetime(2026, 5, 1, tzinfo=UTC)
    found = service.occurrences(body, start, start + timedelta(weeks=10))
    assert len(found) == 5
    assert all(b - a == timedelta(weeks=2) for a, b in zip(found, found[1:], strict=False))
    assert all(m.astimezone(ATHENS).strftime("%a %H:%M") == "Wed 18:30" for m in found)
    # Starting a week later gives the same fortnight, not a shifted one.
    later = service.occurrences(body, start + timedelta(weeks=1), start + timedelta(weeks=10))
    assert later == found[1:]


def test_no_rhythm_no_occurrences(clinic):
    _c, _anna, body = clinic
    assert service.occurrences(body, utcnow(), utcnow() + timedelta(weeks=8)) == []
    assert service.plan_meetings(body, weeks=8) == []


# --- planning ------------------------------------------------------------------------------

def test_plan_meetings_is_idempotent(clinic):
    _c, anna, body = clinic
    set_rhythm(body, anna, weekday=0, time="19:00", place="Ground floor")
    with freeze_time("2026-03-18 10:00:00"):
        created = service.plan_meetings(body, weeks=4)
        db.session.commit()
        assert [m.starts_at.astimezone(ATHENS).date() for m in created] == [
            date(2026, 3, 23), date(2026, 3, 30), date(2026, 4, 6), date(2026, 4, 13)]
        assert all(m.from_rhythm and m.place == "Ground floor" for m in created)
        assert service.plan_meetings(body, weeks=4) == []
        db.session.commit()
    with freeze_time("2026-03-25 10:00:00"):
        again = service.plan_meetings(body, weeks=4)
        db.session.commit()
        assert [m.starts_at.astimezone(ATHENS).date() for m in again] == [date(2026, 4, 20)]
    total = db.session.scalar(sa.select(sa.func.count()).where(Meeting.body_id == body.id))
    assert total == 5


def test_plan_does_not_recreate_a_cancelled_meeting(clinic):
    _c, anna, body = clinic
    set_rhythm(body, anna)
    with freeze_time("2026-06-03 10:00:00"):
        first, *_rest = service.plan_meetings(body, weeks=3)
        service.cancel_meeting(first, anna)
        db.session.commit()
        assert service.plan_meetings(body, weeks=3) == []


def test_plan_body_meetings_needs_a_rhythm_and_a_member(clinic, make):
    collective, anna, body = clinic
    outsider = make.member(make.collective(), "Outsider")
    with pytest.raises(Conflict, match="no meeting rhythm"):
        service.plan_body_meetings(body, anna)
    set_rhythm(body, anna)
    with pytest.raises(Forbidden):
        service.plan_body_meetings(body, outsider)
    assert len(service.plan_body_meetings(body, anna, weeks=2)) in (2, 3)


# --- one-off meetings ----------------------------------------------------------------------

def test_create_meeting_converts_local_time(clinic):
    _c, anna, body = clinic
    year = utcnow().year + 1
    summer = meeting_at(body, anna, datetime(year, 7, 6, 19, 0))
    winter = meeting_at(body, anna, datetime(year, 12, 7, 19, 0))
    assert summer.starts_at == datetime(year, 7, 6, 16, 0, tzinfo=UTC)
    assert winter.starts_at == datetime(year, 12, 7, 17, 0, tzinfo=UTC)
    assert summer.languages == "el en ar"


@pytest.mark.parametrize("kw, field", [
    ({"duration_minutes": 10}, "duration_minutes"),
    ({"duration_minutes": 601}, "duration_minutes"),
    ({"online_link": "javascript:alert(1)"}, "online_link"),
    ({"online_link": "https://x.test/" + "a" * 300}, "online_link"),
    ({"languages": ""}, "languages"),
    ({"languages": "en xx"}, "languages"),
    ({"visibility": "secret"}, "visibility"),
    ({"title": "x" * 201}, "title"),
])
def test_create_meeting_refuses_bad_input(clinic, kw, field):
    _c, anna, body = clinic
    with pytest.raises(Invalid) as refused:
        service.create_meeting(body, anna, local_start=local_start(), **kw)
    assert refused.value.field == field


def test_create_meeting_refuses_same_time_and_the_past(clinic, make):
    _c, anna, body = clinic
    start = local_start(days=10)
    meeting_at(body, anna, start)
    with pytest.raises(Invalid) as twice:
        service.create_meeting(body, anna, local_start=start)
    assert twice.value.field == "time"
    with pytest.raises(Invalid) as past:
        service.create_meeting(body, anna, local_start=local_start(days=-2),
                               not_before=utcnow())
    assert past.value.field == "date"
    with pytest.raises(Forbidden):
        service.create_meeting(body, make.person("Stranger"), local_start=local_start(days=3))


# --- carrying items forward ----------------------------------------------------------------

def test_carry_over_puts_postponed_proposals_on_the_next_meeting_once(clinic, make):
    _c, anna, body = clinic
    postponed = make.proposal(body, anna, phase="postponed", title="Open on Saturdays")
    drafting = make.proposal(body, anna, phase="drafting")
    nxt = make.meeting(body, anna, days=7)
    later = make.meeting(body, anna, days=14)
    carried = [i for i in items_of(nxt) if i.proposal_id == postponed.id]
    assert len(carried) == 1
    assert carried[0].kind == ItemKind.CARRIED_OVER
    assert carried[0].note == "More time is needed."
    assert not [i for i in items_of(nxt) if i.proposal_id == drafting.id]
    # Asking again, on this meeting or a later one, adds nothing.
    assert service.carry_over(nxt) == []
    assert service.carry_over(later) == []
    service.plan_meetings(body)
    assert len(waiting_items_for(postponed)) == 1
    assert items_of(later) == []


def test_carry_over_puts_due_reviews_on_the_agenda(clinic, make):
    _c, anna, body = clinic
    agreed = make.proposal(body, anna, phase="agreed", title="Vaccination days")
    soon = make.meeting(body, anna, days=7)
    assert [i.proposal_id for i in items_of(soon)] == []  # review date is 180 days away
    service.cancel_meeting(soon, anna)
    db.session.commit()
    due = make.meeting(body, anna, days=181)
    review = [i for i in items_of(due) if i.proposal_id == agreed.id]
    assert [i.kind for i in review] == [ItemKind.REVIEW]
    assert service.carry_over(due) == []
    assert len(waiting_items_for(agreed)) == 1


def test_a_proposal_taken_off_an_agenda_is_not_put_back_on_it(clinic, make):
    _c, anna, body = clinic
    postponed = make.proposal(body, anna, phase="postponed")
    nxt = make.meeting(body, anna, days=7)
    item = next(i for i in items_of(nxt) if i.proposal_id == postponed.id)
    service.remove_item(item, anna)
    assert service.carry_over(nxt) == []
    assert [i.removed_at is not None for i in items_of(nxt)] == [True]


def test_cancel_meeting_moves_its_items_to_the_next_meeting(clinic, make):
    _c, anna, body = clinic
    postponed = make.proposal(body, anna, phase="postponed", title="Night shifts")
    cancelled = make.meeting(body, anna, days=7)
    free_point(cancelled, anna, "Cleaning rota", minutes=12, note="Bring the list")
    nxt = make.meeting(body, anna, days=14)
    assert items_of(nxt) == []
    service.cancel_meeting(cancelled, anna)
    db.session.commit()
    assert cancelled.cancelled_at is not None
    assert cancelled.status == MeetingStatus.SCHEDULED  # soft: kept in the record
    old = items_of(cancelled)
    assert len(old) == 2 and all(i.removed_at and i.removed_by_id == anna.id for i in old)
    moved = service.agenda(nxt)
    assert [(i.kind, i.proposal_id) for i in moved] == [
        (ItemKind.CARRIED_OVER, postponed.id), (ItemKind.FREE, None)]
    assert (moved[1].title, moved[1].time_box_minutes, moved[1].note) == (
        "Cleaning rota", 12, "Bring the list")
    with pytest.raises(Conflict):
        service.cancel_meeting(cancelled, anna)


def test_only_scheduled_meetings_can_be_cancelled(clinic, make):
    _c, anna, body = clinic
    live = make.meeting(body, anna, days=0, live=True)
    with pytest.raises(Conflict):
        service.cancel_meeting(live, anna)


def test_closing_carries_proposals_without_an_outcome(clinic, make):
    _c, anna, body = clinic
    live = make.meeting(body, anna, days=0, live=True)
    proposal = make.proposal(body, anna, phase="on_agenda", title="Waiting room")
    nxt = make.meeting(body, anna, days=7)
    assert items_of(nxt) == []
    service.close_meeting(live, anna)
    db.session.commit()
    assert [i.proposal_id for i in items_of(nxt)] == [proposal.id]


# --- the agenda ----------------------------------------------------------------------------

def test_move_item_renumbers(clinic, make):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    a, b, c = (free_point(meeting, anna, title) for title in "ABC")
    service.move_item(c, anna, 0)
    db.session.commit()
    assert [(i.title, i.position) for i in service.agenda(meeting)] == [
        ("C", 1), ("A", 2), ("B", 3)]
    service.move_item(c, anna, 99)  # past the end: last
    assert [i.title for i in service.agenda(meeting)] == ["A", "B", "C"]
    service.remove_item(a, anna)
    service.move_item(c, anna, 0)
    assert [(i.title, i.position) for i in service.agenda(meeting)] == [("C", 1), ("B", 2)]
    assert [i.title for i in meeting.items] == ["C", "B"]


def test_remove_item_is_soft(clinic, make):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    item = free_point(meeting, anna, "Heating")
    service.remove_item(item, anna)
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(AgendaItem, item.id)
    assert row is not None and row.removed_at is not None and row.removed_by_id == anna.id
    assert service.agenda(meeting) == [] and meeting.items == []
    with pytest.raises(NotFound):
        service.remove_item(row, anna)
    with pytest.raises(NotFound):
        service.find_item(meeting, item.id)


def test_time_box_limits(clinic, make):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    item = free_point(meeting, anna, "Budget")
    for bad in (0, -5, 241, 10_000):
        with pytest.raises(Invalid) as refused:
            service.set_time_box(item, anna, bad)
        assert refused.value.field == "time_box_minutes"
    service.set_time_box(item, anna, 240)
    assert item.time_box_minutes == 240
    with pytest.raises(Invalid):
        service.add_free_point(meeting, anna, "Too long", time_box_minutes=0)
    with pytest.raises(Invalid):
        service.add_free_point(meeting, anna, "   ")


def test_closed_and_cancelled_meetings_refuse_changes(clinic, make):
    collective, anna, body = clinic
    bob = make.member(collective, "Bob")
    meeting = make.meeting(body, anna, days=0, live=True)
    item = free_point(meeting, anna, "Keys")
    holder = service.assign_role(meeting, anna, Role.FACILITATOR, bob)
    service.close_meeting(meeting, anna)
    db.session.commit()
    changes = [
        lambda: service.add_free_point(meeting, anna, "Late point"),
        lambda: service.move_item(item, anna, 0),
        lambda: service.set_time_box(item, anna, 20),
        lambda: service.remove_item(item, anna),
        lambda: service.assign_role(meeting, anna, Role.NOTE_TAKER, anna),
        lambda: service.release_role(holder, anna),
        lambda: service.close_meeting(meeting, anna),
        lambda: service.start_meeting(meeting, anna),
    ]
    for change in changes:
        with pytest.raises(Conflict):
            change()
    cancelled = make.meeting(body, anna, days=9)
    service.cancel_meeting(cancelled, anna)
    with pytest.raises(Conflict):
        service.add_free_point(cancelled, anna, "After cancelling")
    with pytest.raises(Conflict):
        service.start_meeting(cancelled, anna)


def test_agenda_changes_need_a_member(clinic, make):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    item = free_point(meeting, anna, "Posters")
    stranger = make.member(make.collective(), "Stranger")
    for change in (lambda: service.add_free_point(meeting, stranger, "Mine"),
                   lambda: service.move_item(item, stranger, 0),
                   lambda: service.remove_item(item, stranger),
                   lambda: service.start_meeting(meeting, stranger)):
        with pytest.raises(Forbidden):
            change()


def test_start_and_close(clinic, make):
    _c, anna, body = clinic
    meeting = make.meeting(body, anna)
    with pytest.raises(Conflict):
        service.close_meeting(meeting, anna)
    service.start_meeting(meeting, anna)
    assert meeting.status == MeetingStatus.LIVE and meeting.started_at is not None
    with pytest.raises(Conflict):
        service.start_meeting(meeting, anna)
    service.close_meeting(meeting, anna)
    assert meeting.status == MeetingStatus.CLOSED and meeting.closed_at is not None


def test_begin_meeting_takes_up_the_agenda(clinic, make):
    _c, anna, body = clinic
    postponed = make.proposal(body, anna, phase="postponed")
    nxt = make.meeting(body, anna, days=7)
    proposals.begin_meeting(nxt, anna)
    db.session.commit()
    assert postponed.phase == Phase.ON_AGENDA
    assert nxt.status == MeetingStatus.LIVE


# --- roles ---------------------------------------------------------------------------------

def test_suggest_for_role_prefers_never_then_least_recent(clinic, make):
    collective, anna, body = clinic
    bob, chloe, dimitra = (make.member(collective, name) for name in ("Bob", "Chloe", "Dimitra"))
    first = make.meeting(body, anna, days=1)
    second = make.meeting(body, anna, days=2)
    target = make.meeting(body, anna, days=3)
    service.assign_role(first, anna, Role.FACILITATOR, anna)
    service.assign_role(second, anna, Role.FACILITATOR, bob)
    service.assign_role(second, anna, Role.NOTE_TAKER, chloe)  # another role: still "never"
    db.session.commit()
    suggested = service.suggest_for_role(target, Role.FACILITATOR, limit=4)
    # Roles in coming meetings are load (care.service): Dimitra, who holds none, comes first;
    # among equal loads, never held comes first, then least recently held.
    assert [(p.display_name, last) for p, last in suggested] == [
        ("Dimitra", None), ("Chloe", None), ("Anna", first.starts_at), ("Bob", second.starts_at)]
    assert all(last.tzinfo is not None and last.utcoffset() == timedelta(0)
               for _p, last in suggested if last is not None)
    assert [p.display_name for p, _ in service.suggest_for_role(target, "facilitator")] == [
        "Dimitra", "Chloe", "Anna"]
    # Someone who already holds a role at this meeting is not suggested for another.
    service.assign_role(target, anna, Role.TIME_KEEPER, chloe)
    assert [p.display_name for p, _ in service.suggest_for_role(target, Role.FACILITATOR)] == [
        "Dimitra", "Anna", "Bob"]
    # A later meeting does not count as "held" for an earlier one.
    assert [(p.display_name, last) for p, last in service.suggest_for_role(first, "facilitator")
            ] == [("Dimitra", None), ("Bob", None), ("Chloe", None)]


def test_role_candidates_list_everyone_with_last_held(clinic, make):
    collective, anna, body = clinic
    bob = make.member(collective, "Bob")
    earlier = make.meeting(body, anna, days=1)
    target = make.meeting(body, anna, days=8)
    service.assign_role(earlier, anna, Role.INTERPRETER, bob, "ar")
    service.assign_role(target, anna, Role.INTERPRETER, anna, "el")
    candidates = service.role_candidates(target, Role.INTERPRETER)
    assert [(p.display_name, last) for p, last in candidates] == [("Bob", earlier.starts_at)]
    assert candidates[0][1].tzinfo is not None


def test_assign_role_refuses_people_outside_the_body(clinic, make):
    collective, anna, body = clinic
    outsider = make.member(make.collective(), "Outsider")
    meeting = make.meeting(body, anna)
    with pytest.raises(Invalid) as refused:
        service.assign_role(meeting, anna, Role.FACILITATOR, outsider)
    assert refused.value.field == "person_id"
    with pytest.raises(Invalid):
        service.assign_role(meeting, anna, Role.FACILITATOR, None)
    # In a working group only its participants can hold a role.
    bob = make.member(collective, "Bob")
    group = make.working_group(collective, anna, "Pharmacy")
    group_meeting = make.meeting(group, anna)
    with pytest.raises(Invalid):
        service.assign_role(group_meeting, anna, Role.NOTE_TAKER, bob)
    assert service.assign_role(group_meeting, anna, Role.NOTE_TAKER, anna).person_id == anna.id


def test_interpreter_needs_a_language(clinic, make):
    collective, anna, body = clinic
    meeting = make.meeting(body, anna)
    for language in ("", "xx"):
        with pytest.raises(Invalid) as refused:
            service.assign_role(meeting, anna, Role.INTERPRETER, anna, language)
        assert refused.value.field == "language"
    holder = service.assign_role(meeting, anna, Role.INTERPRETER, anna, "ar")
    assert holder.language == "ar"
    again = service.assign_role(meeting, anna, Role.INTERPRETER, anna, "fa")
    assert again.id == holder.id and again.language == "fa"
    facilitator = service.assign_role(meeting, anna, Role.FACILITATOR, anna, "el")
    assert facilitator.language == ""  # only interpreters carry a language
    service.release_role(facilitator, anna)
    db.session.commit()
    assert [(h.role, h.language) for h in meeting.roles] == [("interpreter", "fa")]
