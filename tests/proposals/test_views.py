"""The proposal pages as a member and as an incomer would use them."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.proposals.models import Phase, Proposal, ProposalEvent


def url(p, suffix=""):
    return f"/c/{p.collective.slug}/p/{p.id}{suffix}"


def page(p):
    return f"/c/{p.collective.slug}/p/{p.id}-{p.slug}"


def fresh(p):
    db.session.expire_all()
    return db.session.get(Proposal, p.id)


@pytest.fixture
def clinic(make):
    collective = make.collective("Clinic")
    maria = make.member(collective, "Maria")
    return collective, maria, make.assembly(collective)


def test_incomer_reads_a_public_proposal_with_history(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = make.proposal(assembly, maria, "agreed", title="Open on Saturdays",
                             text="We open **every** Saturday.")
    text = web.text(page(proposal))
    assert "Open on Saturdays" in text
    assert "<strong>every</strong>" in text
    assert "Agreement" in text and "Revision 1" in text
    assert "History" in text and "Maria" in text
    # incomers see which steps are possible but get no forms
    assert "steps/open_review" not in text


def test_short_and_wrong_slug_redirect_to_the_canonical_address(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = make.proposal(assembly, maria, title="Night shifts")
    for address in (url(proposal), url(proposal, "-wrong")):
        response = web.get(address)
        assert response.status_code == 301
        assert response.headers["Location"].endswith(page(proposal))


def test_unknown_or_foreign_proposal_is_404(web, make, clinic):
    collective, maria, assembly = clinic
    other = make.collective("Other")
    proposal = make.proposal(assembly, maria)
    assert web.get(f"/c/{collective.slug}/p/99999-x").status_code == 404
    assert web.get(f"/c/{other.slug}/p/{proposal.id}-{proposal.slug}").status_code == 404
    assert web.get(f"/c/nowhere/p/{proposal.id}").status_code == 404


def test_member_names_a_proposal(web, clinic):
    collective, maria, assembly = clinic
    web.login(maria)
    form = f"/c/{collective.slug}/b/{assembly.slug}/proposals/new"
    assert web.get(form).status_code == 200
    response = web.post(form, {"title": "Buy a fridge", "text": "For *insulin*.",
                               "visibility": "public"})
    assert response.status_code == 302
    proposal = db.session.scalars(sa.select(Proposal).where(Proposal.title == "Buy a fridge")).one()
    assert proposal.phase == Phase.IDENTIFIED
    assert proposal.current_revision.text == "For *insulin*."


@pytest.mark.parametrize("title, message", [
    ("", "This field is required."),
    ("x" * 5000, "Field cannot be longer than 200 characters."),
    ("bad \x07 bell", "invisible control characters"),
])
def test_bad_proposal_keeps_what_was_typed(web, clinic, title, message):
    collective, maria, assembly = clinic
    web.login(maria)
    response = web.post(f"/c/{collective.slug}/b/{assembly.slug}/proposals/new",
                        {"title": title, "text": "KEEP-THIS-TEXT", "visibility": "public"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and "KEEP-THIS-TEXT" in body
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_non_member_cannot_bring_a_proposal(web, make, clinic):
    collective, maria, assembly = clinic
    stranger = make.member(make.collective("Elsewhere"), "Stranger")
    web.login(stranger)
    response = web.post(f"/c/{collective.slug}/b/{assembly.slug}/proposals/new",
                        {"title": "Mine", "visibility": "public"})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Proposal.id))) == 0


def test_forged_csrf_changes_nothing(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = make.proposal(assembly, maria)
    web.login(maria)
    response = web.post(url(proposal, "/steps/start_drafting"), {"csrf_token": "forged"})
    assert response.status_code == 400
    assert fresh(proposal).phase == Phase.IDENTIFIED


def test_anonymous_step_goes_to_login(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = make.proposal(assembly, maria)
    response = web.post(url(proposal, "/steps/start_drafting"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert fresh(proposal).phase == Phase.IDENTIFIED


def test_step_not_allowed_from_this_phase_is_409(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = make.proposal(assembly, maria)
    web.login(maria)
    response = web.post(url(proposal, "/steps/retire"), {"retire-reason": "old"})
    assert response.status_code == 409
    assert "cannot move" in response.get_data(as_text=True)
    assert fresh(proposal).phase == Phase.IDENTIFIED
    assert web.post(url(proposal, "/steps/explode")).status_code == 404


def test_whole_lifecycle_through_the_pages(web, make, clinic):
    collective, maria, assembly = clinic
    group = make.working_group(collective, maria, "Pharmacy")
    meeting = make.meeting(assembly, maria, days=0, live=True)
    proposal = make.proposal(assembly, maria, title="Medicine stock", text="Keep a stock.")
    web.login(maria)
    today = utcnow().date()

    def step(name, data, expect=302):
        response = web.post(url(proposal, f"/steps/{name}"),
                            {f"{name}-{k}": v for k, v in data.items()})
        errors = re.findall(r"(?:field-error|flash-error)[^<]*<strong>[^<]*</strong>([^<]*)",
                            response.get_data(as_text=True))
        assert response.status_code == expect, (name, errors)
        return response

    step("start_drafting", {"reason": "Let us write it", "meeting_id": ""})
    step("delegate", {"working_group_id": group.id, "mandate": "Count the costs",
                      "return_date": (today + timedelta(days=14)).isoformat(),
                      "return_body_id": assembly.id, "meeting_id": ""})
    assert fresh(proposal).delegated_to_id == group.id
    step("return_from_delegation", {"reason": "Costs counted: 300 euros", "meeting_id": ""})
    step("put_on_agenda", {"meeting_id": meeting.id, "time_box_minutes": "20"})
    step("postpone", {"reason": "Not enough money yet", "meeting_id": meeting.id,
                      "blocks-0-name": "Yusuf", "blocks-0-reason": "Budget is for rent"})
    assert fresh(proposal).phase == Phase.POSTPONED
    step("put_on_agenda", {"meeting_id": meeting.id, "time_box_minutes": "20"})
    review = (today + timedelta(days=90)).isoformat()
    step("agree", {"meeting_id": meeting.id, "review_date": review,
                   "implementers": "Pharmacy group", "present": str(maria.id),
                   "guests_present": "3", "agreed_revision": "1",
                   "positions-0-kind": "stand_aside", "positions-0-name": "Leila",
                   "positions-0-reason": "I was not here"})
    agreed = fresh(proposal)
    assert agreed.phase == Phase.AGREED
    agreement = agreed.agreement
    assert agreement.revision.number == 1 and agreement.guests_present == 3
    kinds = {(p.kind, p.name) for p in agreement.positions}
    assert kinds == {("stand_aside", "Leila"), ("block", "Yusuf")}
    text = web.text(page(proposal))
    assert "Budget is for rent" in text and "I was not here" in text
    step("open_review", {"reason": "Prices went up", "meeting_id": ""})
    step("confirm", {"next_review_date": (today + timedelta(days=365)).isoformat(),
                     "process_note": "Ask the pharmacy earlier", "meeting_id": ""})
    confirmed = fresh(proposal)
    assert confirmed.phase == Phase.AGREED
    assert confirmed.review_date == today + timedelta(days=365)
    assert "Ask the pharmacy earlier" in web.text(page(proposal))
    events = db.session.scalars(sa.select(ProposalEvent).where(
        ProposalEvent.proposal_id == proposal.id)).all()
    assert [e.to_phase for e in events if e.to_phase][-3:] == ["agreed", "under_review", "agreed"]


def test_agreement_with_bad_input_keeps_the_form(web, make, clinic):
    collective, maria, assembly = clinic
    meeting = make.meeting(assembly, maria, days=0, live=True)
    proposal = make.proposal(assembly, maria, "on_agenda")
    web.login(maria)
    response = web.post(url(proposal, "/steps/agree"), {
        "agree-meeting_id": meeting.id, "agree-review_date": "not a date",
        "agree-implementers": "KEEP-IMPLEMENTERS"})
    assert response.status_code == 422
    assert "KEEP-IMPLEMENTERS" in response.get_data(as_text=True)
    past = (utcnow().date() - timedelta(days=3)).isoformat()
    response = web.post(url(proposal, "/steps/agree"), {
        "agree-meeting_id": meeting.id, "agree-review_date": past})
    assert response.status_code == 422
    assert "cannot be in the past" in response.get_data(as_text=True)
    assert fresh(proposal).phase == Phase.ON_AGENDA


def test_concurrent_edit_is_detected_and_keeps_the_typed_text(web, other_web, make, clinic):
    collective, maria, assembly = clinic
    nikos = make.member(collective, "Nikos")
    proposal = make.proposal(assembly, maria, "drafting", text="Version one")
    web.login(maria)
    other_web.login(nikos)
    edit = url(proposal, "/edit")
    assert "Version one" in web.text(edit)
    assert other_web.post(edit, {"text": "Nikos wrote this", "base_revision": "1"}).status_code \
        == 302
    response = web.post(edit, {"text": "MARIA-TYPED-THIS", "base_revision": "1"})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "MARIA-TYPED-THIS" in body and "Nikos wrote this" in body
    assert fresh(proposal).current_revision.text == "Nikos wrote this"
    # saving again from the page (now based on revision 2) works
    assert web.post(edit, {"text": "MARIA-TYPED-THIS", "base_revision": "2"}).status_code == 302
    assert fresh(proposal).revision_number == 3


def test_agreed_text_cannot_be_edited(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = make.proposal(assembly, maria, "agreed")
    web.login(maria)
    response = web.post(url(proposal, "/edit"), {"text": "sneaky", "base_revision": "1"})
    assert response.status_code == 409
    assert fresh(proposal).revision_number == 1


def test_revision_page(web, make, clinic):
    collective, maria, assembly = clinic
    proposal = make.proposal(assembly, maria, text="The *first* words")
    assert "<em>first</em>" in web.text(url(proposal, "/revisions/1"))
    assert web.get(url(proposal, "/revisions/7")).status_code == 404
