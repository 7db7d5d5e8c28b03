"""Pages: the member's own load and break form, "taking a break" beside role names, working
groups' load in words where items are delegated, and a body's spread without people in it."""

import html
import re
from datetime import timedelta

from assembly.care import service as care
from assembly.care.models import Break
from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.meetings.models import Role
from tests.care.conftest import delegate_to, give_role


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start:page.index("</section>", start)]


def _breaks() -> list[Break]:
    db.session.expire_all()
    return db.session.query(Break).order_by(Break.id).all()


def test_my_load_page_lists_what_i_carry(web, make, clinic):
    anna = clinic.anna
    group = make.working_group(clinic.collective, anna, "Pharmacy")
    meeting = make.meeting(clinic.assembly, anna, days=5)
    give_role(meeting, anna, Role.NOTE_TAKER, anna)
    delegate_to(make, clinic.assembly, anna, group, "Heating costs")
    web.login(anna)
    page = web.text("/me/care")
    assert "Note-taker" in _section(page, "roles-heading")
    assert "Heating costs" in _section(page, "mandates-heading")
    assert "No implementation task open." in page
    # /me carries a short summary and the way to this page.
    me = web.text("/me")
    assert "1 role in coming meetings" in me and "1 open mandate" in me
    assert 'href="/me/care"' in me


def test_my_load_page_needs_signing_in(web):
    response = web.get("/me/care")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_refused_break_keeps_what_was_typed(web, clinic):
    web.login(clinic.anna)
    yesterday = (utcnow() - timedelta(days=2)).date().isoformat()
    response = web.post("/me/care/break", {"until": yesterday, "note": "Tired *now*"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cannot be in the past" in page
    assert "Tired *now*" in page and f'value="{yesterday}"' in page
    assert 'aria-invalid="true"' in page

    response = web.post("/me/care/break", {"until": "", "note": "Still tired"})
    assert response.status_code == 422
    assert "Still tired" in response.get_data(as_text=True)
    assert _breaks() == []


def test_taking_and_ending_a_break(web, clinic):
    web.login(clinic.anna)
    until = (utcnow() + timedelta(days=20)).date()
    response = web.post("/me/care/break", {"until": until.isoformat(),
                                           "note": "Back **after** the exams."})
    assert response.status_code == 302
    [taken] = _breaks()
    assert (taken.person_id, taken.until, taken.timezone) == (
        clinic.anna.id, until, "Europe/Athens")
    page = web.text("/me/care")
    assert "You are taking a break until" in page
    assert "<strong>after</strong>" in page  # the note is Markdown, rendered safely
    assert "You are taking a break until" in web.text("/me")

    assert web.post("/me/care/back").status_code == 302
    [ended] = _breaks()
    assert ended.ended_at is not None
    assert "You are taking a break until" not in web.text("/me/care")


def test_break_form_refuses_a_missing_csrf_token(web, clinic):
    web.login(clinic.anna)
    response = web.post("/me/care/break", {"until": "2030-01-01"}, csrf=False)
    assert response.status_code == 400
    assert _breaks() == []


def test_role_names_say_who_is_taking_a_break(web, make, clinic):
    anna = clinic.anna
    bob = make.member(clinic.collective, "Bob")
    meeting = make.meeting(clinic.assembly, anna, days=5)
    give_role(meeting, anna, Role.NOTE_TAKER, bob)
    care.take_break(bob, utcnow().date() + timedelta(days=10))
    db.session.commit()
    url = f"/c/{clinic.collective.slug}/m/{meeting.id}"
    # Anonymous readers of the public meeting do not learn who is resting.
    assert "taking a break until" not in web.text(url)
    web.login(anna)
    page = web.text(url)
    holders = _section(page, "roles-heading")
    assert re.search(r"Bob</bdi>\s*<span[^>]*>\(taking a break until ", holders)
    # Bob is not suggested for another role, but can still be chosen, with the same words.
    start = page.index('name="facilitator-person_id"')
    options = html.unescape(page[start:page.index("</select>", start)])
    suggested = options[:options.index("Everyone else")]
    assert "Bob" not in suggested
    assert re.search(r"Bob \(never held this role; taking a break until [^)]+\)", options)


def test_delegation_choices_show_each_groups_load_in_words(web, make, clinic):
    anna = clinic.anna
    bob = make.member(clinic.collective, "Bob")
    busy = make.working_group(clinic.collective, anna, "Accounts")
    make.working_group(clinic.collective, bob, "Zines")
    delegate_to(make, clinic.assembly, anna, busy)
    care.take_break(bob, utcnow().date() + timedelta(days=3))
    proposal = make.proposal(clinic.assembly, anna, phase="drafting", title="Night shifts")
    web.login(anna)
    page = html.unescape(web.text(f"/c/{clinic.collective.slug}/p/{proposal.id}-{proposal.slug}"))
    start = page.index('name="delegate-working_group_id"')
    options = page[start:page.index("</select>", start)]
    assert "Accounts (1 open mandate)" in options
    assert "Zines (no open mandate; everyone in it is taking a break)" in options
    assert options.index("Accounts") < options.index("Zines")  # all resting: last
    meeting = make.meeting(clinic.assembly, anna, days=0, live=True)
    console = html.unescape(web.text(f"/c/{clinic.collective.slug}/m/{meeting.id}/console"))
    assert "Accounts (1 open mandate)" in console


def test_body_page_shows_the_spread_without_people(web, make, clinic):
    anna = clinic.anna
    others = [make.member(clinic.collective, f"Member {n}") for n in "ABCDEFGH"]
    soon = make.meeting(clinic.assembly, anna, days=3)
    give_role(soon, anna, Role.FACILITATOR, others[0])
    give_role(soon, anna, Role.NOTE_TAKER, others[1])
    give_role(make.meeting(clinic.assembly, anna, days=10), anna, Role.FACILITATOR, others[1])
    give_role(make.meeting(clinic.assembly, anna, days=12), anna, Role.FACILITATOR, others[2])
    for person in others[3:5]:
        care.take_break(person, utcnow().date() + timedelta(days=5), f"Note of {person.id}")
    db.session.commit()
    url = f"/c/{clinic.collective.slug}/b/{clinic.assembly.slug}/"
    assert "spread-heading" not in web.text(url)  # not for the open archive
    web.login(anna)
    spread = _section(web.text(url), "spread-heading")
    assert "3 of 9 people who can take roles hold one in the coming month." in spread
    assert "2 are taking a break." in spread
    assert "Time-keeper" in spread  # still unfilled at the first meeting
    # No names, no notes, no counts per person: nothing that could rank anyone.
    for person in [anna, *others]:
        assert person.display_name not in spread
    assert "Note of" not in spread
    assert not re.search(r"\b2 roles\b|\bholds 2\b", spread)


CANARY = "CANARY-CONFIDENTIAL-c4re"


def test_confidential_work_never_reaches_loads_or_spreads_of_others(web, make, clinic):
    anna = clinic.anna
    bob = make.member(clinic.collective, "Bob")
    pharmacy = make.working_group(clinic.collective, anna, "Pharmacy")
    case = make.working_group(clinic.collective, bob, f"Case {CANARY}", visibility="confidential")
    # A case the confidential group hands to the pharmacy: Anna may not read it.
    delegate_to(make, case, bob, pharmacy, f"Medicine for {CANARY}")
    give_role(make.meeting(case, bob, days=2), bob, Role.FACILITATOR, bob)
    web.login(anna)
    mine = web.text("/me/care")
    assert CANARY not in mine and "No open mandate." in mine
    assert CANARY not in web.text("/me")
    body_page = web.text(f"/c/{clinic.collective.slug}/b/{pharmacy.slug}/")
    assert "The group holds 0 open mandates." in _section(body_page, "spread-heading")
    proposal = make.proposal(clinic.assembly, anna, phase="drafting")
    page = html.unescape(web.text(f"/c/{clinic.collective.slug}/p/{proposal.id}-{proposal.slug}"))
    assert CANARY not in page and "Pharmacy (no open mandate)" in page
    # Bob, who may read it, sees it as his own load.
    web.login(bob)
    assert CANARY in web.text("/me/care")
