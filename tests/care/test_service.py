"""Care for the carers: what a person carries, breaks in the collective's time zone, role
suggestions that leave resting people out and favour lighter loads, and a body's spread."""

from datetime import UTC, date, datetime, timedelta

import pytest

from assembly.care import service as care
from assembly.care.models import Break
from assembly.core.db import utcnow
from assembly.core.errors import Invalid
from assembly.extensions import db
from assembly.implementation import service as implementation
from assembly.meetings import service as meetings
from assembly.meetings.models import Role
from assembly.visibility import viewer_for
from tests.care.conftest import agree, delegate_to, give_role

# --- load ----------------------------------------------------------------------------------


def test_load_lists_roles_mandates_tasks_and_reviews(clinic, make):
    anna, assembly = clinic.anna, clinic.assembly
    bob = make.member(clinic.collective, "Bob")
    group = make.working_group(clinic.collective, anna, "Pharmacy")
    other_group = make.working_group(clinic.collective, bob, "Kitchen")
    coming = make.meeting(assembly, anna, days=7)
    give_role(coming, anna, Role.FACILITATOR, anna)
    cancelled = make.meeting(assembly, anna, days=9)
    give_role(cancelled, anna, Role.NOTE_TAKER, anna)
    meetings.cancel_meeting(cancelled, anna)
    delegate_to(make, assembly, anna, group, "Heating costs")
    delegate_to(make, assembly, anna, other_group, "Kitchen rota")  # not her group
    agree(make, assembly, anna, implementer_body=group, title="Poster")
    done = agree(make, assembly, anna, implementer_body=group, title="Leaflet")
    implementation.mark_complete(done, anna)
    agree(make, assembly, anna, review_in_days=10, title="Opening hours")
    reviewed = make.proposal(assembly, anna, phase="under_review", title="Door code")
    db.session.commit()

    load = care.load(anna)
    assert [(r.meeting_id, r.role) for r in load.roles] == [(coming.id, Role.FACILITATOR)]
    assert [p.title for p in load.mandates] == ["Heating costs"]
    assert [p.title for p, _a in load.tasks] == ["Poster"]
    assert {p.title for p in load.reviews} == {"Opening hours", reviewed.title}
    assert load.counts == {"roles": 1, "mandates": 1, "tasks": 1, "reviews": 2}
    # Bob shares the assembly's re-evaluations, and carries his own group's mandate.
    bobs = care.load(bob)
    assert bobs.counts == {"roles": 0, "mandates": 1, "tasks": 0, "reviews": 2}
    assert care.load_sizes([anna.id, bob.id], viewer_for(anna)) == {anna.id: 5, bob.id: 3}


def test_closed_meetings_are_no_longer_load(clinic, make):
    anna = clinic.anna
    live = make.meeting(clinic.assembly, anna, days=0, live=True)
    give_role(live, anna, Role.TIME_KEEPER, anna)
    assert care.load(anna).counts["roles"] == 1
    meetings.close_meeting(live, anna)
    db.session.commit()
    assert care.load(anna).is_empty


def test_a_confidential_role_counts_only_for_those_who_may_read_it(clinic, make):
    anna = clinic.anna
    bob = make.member(clinic.collective, "Bob")
    case = make.working_group(clinic.collective, anna, "Case group", visibility="confidential")
    give_role(make.meeting(case, anna, days=3), anna, Role.NOTE_TAKER, anna)
    assert care.load(anna).counts["roles"] == 1
    assert care.load_sizes([anna.id], viewer_for(anna))[anna.id] == 1
    # Bob cannot read the case group: its role does not weigh in what he is shown.
    assert care.load_sizes([anna.id], viewer_for(bob))[anna.id] == 0


# --- breaks --------------------------------------------------------------------------------

TAKEN_AT = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("zone", "until", "ends_at"), [
    # Athens in summer time (+03:00) …
    ("Europe/Athens", date(2026, 10, 24), datetime(2026, 10, 24, 21, 0, tzinfo=UTC)),
    # … and on the day summer time ends: that day ends at +02:00.
    ("Europe/Athens", date(2026, 10, 25), datetime(2026, 10, 25, 22, 0, tzinfo=UTC)),
    # The day summer time starts (03:00 becomes 04:00): midnight after it is at +03:00.
    ("Europe/Athens", date(2026, 3, 29), datetime(2026, 3, 29, 21, 0, tzinfo=UTC)),
    ("America/New_York", date(2026, 11, 1), datetime(2026, 11, 2, 5, 0, tzinfo=UTC)),
])
def test_a_break_ends_at_the_end_of_the_day_in_the_collectives_zone(make, zone, until, ends_at):
    person = make.member(make.collective(timezone=zone), "Eleni")
    taken = care.take_break(person, until, "Back after the holidays.", now=TAKEN_AT)
    db.session.commit()
    assert (taken.timezone, taken.ends_at) == (zone, ends_at)
    assert care.on_break(person, ends_at - timedelta(seconds=1)) == taken
    assert care.on_break(person, ends_at) is None
    assert care.on_break(person, TAKEN_AT - timedelta(minutes=1)) is None  # not yet taken
    assert care.breaks_of([person.id], ends_at - timedelta(minutes=1)) == {person.id: taken}


def test_today_is_the_collectives_today(clinic):
    # 22:30 UTC on 10 June is already 11 June in Athens: 10 June is in the past there.
    now = datetime(2026, 6, 10, 22, 30, tzinfo=UTC)
    with pytest.raises(Invalid) as refused:
        care.take_break(clinic.anna, date(2026, 6, 10), now=now)
    assert refused.value.field == "until"
    assert care.take_break(clinic.anna, date(2026, 6, 11), now=now).until == date(2026, 6, 11)


@pytest.mark.parametrize(("until", "note", "field"), [
    (None, "", "until"),
    (date(2026, 3, 19), "", "until"),
    (date(2027, 3, 22), "", "until"),  # more than a year ahead
    (date(2026, 4, 1), "x" * (care.MAX_NOTE + 1), "note"),
])
def test_a_break_is_refused_with_the_field_named(clinic, until, note, field):
    with pytest.raises(Invalid) as refused:
        care.take_break(clinic.anna, until, note, now=TAKEN_AT)
    assert refused.value.field == field
    assert db.session.query(Break).count() == 0


def test_a_new_break_replaces_the_old_and_ending_one_keeps_it(clinic):
    anna = clinic.anna
    first = care.take_break(anna, date(2026, 4, 1), now=TAKEN_AT)
    later = TAKEN_AT + timedelta(days=1)
    second = care.take_break(anna, date(2026, 4, 10), "Longer.", now=later)
    assert first.ended_at == later and second.ended_at is None
    assert care.on_break(anna, later + timedelta(hours=1)) == second
    back = later + timedelta(days=2)
    assert care.end_break(anna, now=back) == second
    assert second.ended_at == back
    assert care.on_break(anna, back + timedelta(hours=1)) is None
    assert care.end_break(anna, now=back) is None  # nothing to end is not an error
    assert db.session.query(Break).count() == 2  # kept, not deleted


# --- role suggestions ----------------------------------------------------------------------

def test_suggestions_leave_out_people_on_a_break_and_favour_lighter_loads(clinic, make):
    anna, assembly = clinic.anna, clinic.assembly
    bob, chloe, dimitra = (make.member(clinic.collective, n) for n in ("Bob", "Chloe", "Dimitra"))
    earlier = make.meeting(assembly, anna, days=1)
    target = make.meeting(assembly, anna, days=7)
    later = make.meeting(assembly, anna, days=14)
    give_role(earlier, anna, Role.FACILITATOR, chloe)  # held it; one role to come
    give_role(later, anna, Role.NOTE_TAKER, dimitra)  # never facilitated; two roles to come
    give_role(later, anna, Role.TIME_KEEPER, dimitra)
    care.take_break(bob, utcnow().date() + timedelta(days=30), "Exams.")
    db.session.commit()
    viewer = viewer_for(anna)

    suggested = meetings.suggest_for_role(target, Role.FACILITATOR, limit=4, viewer=viewer)
    # Rotation alone would give Anna, Bob, Dimitra, Chloe; load puts Chloe before Dimitra,
    # and Bob is resting.
    assert [p.display_name for p, _last in suggested] == ["Anna", "Chloe", "Dimitra"]
    assert suggested[1][1] == earlier.starts_at
    # Everyone can still be chosen by hand: the full list keeps Bob.
    assert "Bob" in [p.display_name for p, _ in meetings.role_candidates(target, "facilitator")]

    care.end_break(bob)
    db.session.commit()
    assert [p.display_name for p, _ in meetings.suggest_for_role(
        target, Role.FACILITATOR, limit=4, viewer=viewer)] == ["Anna", "Bob", "Chloe", "Dimitra"]


# --- delegation choices --------------------------------------------------------------------

def test_working_groups_lighter_first_with_who_is_resting(clinic, make):
    anna, assembly = clinic.anna, clinic.assembly
    bob = make.member(clinic.collective, "Bob")
    busy = make.working_group(clinic.collective, anna, "Accounts")
    calm = make.working_group(clinic.collective, bob, "Zines")
    delegate_to(make, assembly, anna, busy)
    agree(make, assembly, anna, implementer_body=busy)
    care.take_break(bob, utcnow().date() + timedelta(days=3))
    db.session.commit()
    loads = care.group_loads([busy, calm], viewer_for(anna))
    assert [(g.body.name, g.mandates, g.tasks, g.participants, g.on_break) for g in loads] == [
        ("Accounts", 1, 1, 1, 0), ("Zines", 0, 0, 1, 1)]
    # A group whose participants are all resting comes last, however light its load.
    assert loads[1].all_resting


# --- a body's spread -----------------------------------------------------------------------

def test_body_spread_counts_the_group_not_people(clinic, make):
    anna, assembly = clinic.anna, clinic.assembly
    others = [make.member(clinic.collective, f"Member {n}") for n in range(8)]
    soon = make.meeting(assembly, anna, days=3)
    next_week = make.meeting(assembly, anna, days=10)
    far = make.meeting(assembly, anna, days=45)
    give_role(soon, anna, Role.FACILITATOR, anna)
    give_role(soon, anna, Role.NOTE_TAKER, others[0])
    give_role(next_week, anna, Role.FACILITATOR, others[1])
    give_role(next_week, anna, Role.NOTE_TAKER, anna)  # the same person twice counts once
    give_role(far, anna, Role.FACILITATOR, others[2])  # beyond the coming month
    for person in others[3:5]:
        care.take_break(person, utcnow().date() + timedelta(days=10))
    db.session.commit()

    spread = care.body_spread(assembly, viewer_for(anna))
    assert (spread.participants, spread.holding_roles, spread.on_break) == (9, 3, 2)
    unfilled = dict((m.id, roles) for m, roles in spread.unfilled)
    assert set(unfilled) == {soon.id, next_week.id}
    assert Role.TIME_KEEPER in unfilled[soon.id]
    assert Role.FACILITATOR not in unfilled[soon.id] and Role.NOTE_TAKER not in unfilled[soon.id]
    # The collective speaks three languages: an interpreter is needed.
    assert Role.INTERPRETER in unfilled[soon.id]
