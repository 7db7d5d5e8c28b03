"""Members of a body bringing a proposal jointly, from another collective, take part in drafting
and discussing it (comments, replies, revisions); the proposal's own collective still decides and
moderates. Their rights end when their body withdraws. A members-only proposal is read by them
too, never by anyone else and never when that would name a body they may not read."""

import pytest

from assembly.comments import service as comments
from assembly.core.db import utcnow
from assembly.core.errors import Forbidden
from assembly.extensions import db
from assembly.networks import service as networks
from assembly.networks.models import ProposalCoBringer
from assembly.proposals import service as proposals
from assembly.visibility import ANONYMOUS, can_read_proposal, viewer_for


def _url(p):
    return f"/c/{p.collective.slug}/p/{p.id}-{p.slug}"


@pytest.fixture
def brought(make, net):
    """A clinic proposal in drafting that the school's assembly brings jointly (Eve added it)."""
    proposal = make.proposal(make.assembly(net.clinic), net.ana, "drafting",
                             title="Health lessons for newcomers",
                             text="First paragraph.\n\nSecond paragraph.")
    row = networks.add_co_bringer(proposal, make.assembly(net.school), net.eve,
                                  "Our students asked for it.")
    db.session.commit()
    return proposal, row


def _both(make, net, name="Bo"):
    """A member of the clinic and of the school: the one who can bring a members-only clinic
    proposal jointly with the school."""
    from assembly.people.service import add_member

    person = make.member(net.clinic, name)
    add_member(net.school, person)
    db.session.commit()
    return person


# --- the rules ----------------------------------------------------------------------------------

def test_a_co_bringing_member_comments_replies_and_resolves(net, brought):
    proposal, _row = brought
    ana_says = comments.add_comment(proposal, net.ana, "From the clinic's side.")
    eve_says = comments.add_comment(proposal, net.eve, "From the school's side.",
                                    revision_number=1, paragraph_index=1)
    answer = comments.reply(ana_says, net.eve, "We can host the lessons.")
    comments.edit_own(answer, net.eve, "We can host the lessons on Tuesdays.")
    comments.resolve(ana_says, net.eve)
    db.session.commit()

    assert eve_says.author_id == net.eve.id and eve_says.paragraph_index == 1
    assert answer.parent_id == ana_says.id and ana_says.is_resolved
    assert comments.can_comment(net.eve, proposal)
    assert networks.comment_origins(proposal)[net.eve.id] == ["Language School"]


def test_a_co_bringing_member_revises_and_restores_the_text(net, brought):
    proposal, _row = brought
    proposals.revise(proposal, net.eve, "First paragraph.\n\nThe school's paragraph.",
                     summary="The school's part", base_revision=1)
    proposals.restore_revision(proposal, net.eve, 1, base_revision=2)
    db.session.commit()
    assert [r.author_id for r in proposal.revisions] == [net.ana.id, net.eve.id, net.eve.id]
    assert proposal.current_revision.text == "First paragraph.\n\nSecond paragraph."
    assert proposals.check_consistency(proposal) == []


def test_deciding_and_moderating_stay_with_the_deciding_collective(make, net, brought):
    proposal, _row = brought
    make.meeting(make.assembly(net.clinic), net.ana)
    with pytest.raises(Forbidden):
        proposals.put_on_agenda(proposal, net.eve)
    with pytest.raises(Forbidden):
        proposals.withdraw(proposal, net.eve, "The school wants to stop.")
    said = comments.add_comment(proposal, net.ana, "A clinic comment.")
    with pytest.raises(Forbidden):
        comments.hide(said, net.eve, "Not for us to hide.")
    assert not comments.can_moderate(net.eve, proposal)
    assert comments.can_moderate(net.ana, proposal)
    assert proposal.phase == "drafting"


def test_after_withdrawal_the_body_no_longer_takes_part(net, brought):
    proposal, row = brought
    said = comments.add_comment(proposal, net.eve, "Before we withdrew.")
    networks.withdraw_co_bringer(row, net.eve, "We cannot carry it now.")
    db.session.commit()
    with pytest.raises(Forbidden) as error:
        comments.add_comment(proposal, net.eve, "After.")
    assert "Language School" in str(error.value.message)
    assert "no longer brings this proposal" in str(error.value.message)
    for attempt in (lambda: comments.reply(said, net.eve, "After."),
                    lambda: comments.edit_own(said, net.eve, "Changed after."),
                    lambda: proposals.revise(proposal, net.eve, "New text.", base_revision=1)):
        with pytest.raises(Forbidden):
            attempt()
    assert not comments.can_comment(net.eve, proposal)
    # Their comments stay, with where they came from.
    assert networks.comment_origins(proposal)[net.eve.id] == ["Language School"]


def test_a_member_of_an_unrelated_collective_still_cannot(net, brought):
    proposal, _row = brought
    with pytest.raises(Forbidden) as error:
        comments.add_comment(proposal, net.dora, "From elsewhere.")
    assert "Only members of Social Clinic" in str(error.value.message)
    with pytest.raises(Forbidden):
        proposals.revise(proposal, net.dora, "Other text.", base_revision=1)
    assert not comments.can_comment(None, proposal)


def test_only_the_participants_of_a_confidential_co_bringing_body(make, net):
    proposal = make.proposal(make.assembly(net.clinic), net.ana, "drafting")
    group = make.working_group(net.school, net.eve, "Case support", visibility="confidential")
    sam = make.member(net.school, "Sam")  # a school member outside the confidential group
    # The services never add a confidential body; the row is written directly, as if the group
    # had become confidential after it began bringing the proposal.
    db.session.add(ProposalCoBringer(proposal=proposal, body=group, added_by_id=net.eve.id,
                                     added_at=utcnow()))
    db.session.commit()
    comments.add_comment(proposal, net.eve, "From the group.")
    with pytest.raises(Forbidden):
        comments.add_comment(proposal, sam, "From the school at large.")
    assert not proposals.may_take_part(sam, proposal)


# --- reading a members-only proposal ----------------------------------------------------------

def test_members_of_the_co_bringing_collective_read_a_members_only_proposal(make, net):
    bo = _both(make, net)
    proposal = make.proposal(make.assembly(net.clinic), net.ana, "drafting",
                             visibility="members")
    assert not can_read_proposal(viewer_for(net.eve), proposal)
    row = networks.add_co_bringer(proposal, make.assembly(net.school), bo)
    db.session.commit()

    assert can_read_proposal(viewer_for(net.eve), proposal)
    comments.add_comment(proposal, net.eve, "The school reads it now.")
    # Never wider: not the public, not a collective outside.
    assert not can_read_proposal(ANONYMOUS, proposal)
    assert not can_read_proposal(viewer_for(net.dora), proposal)

    networks.withdraw_co_bringer(row, bo, "Back to the clinic alone.")
    db.session.commit()
    assert not can_read_proposal(viewer_for(net.eve), proposal)


def test_no_reading_through_co_bringing_that_would_name_a_closed_body(make, net):
    """The page and history name every body that brings it: a members-only clinic group among
    them keeps the school's members out rather than disclosing its name."""
    bo = _both(make, net)
    proposal = make.proposal(make.assembly(net.clinic), net.ana, "drafting",
                             visibility="members")
    networks.add_co_bringer(proposal, make.assembly(net.school), bo)
    staff = make.working_group(net.clinic, net.ana, "Clinic staff", visibility="members")
    networks.add_co_bringer(proposal, staff, net.ana)
    db.session.commit()
    assert not can_read_proposal(viewer_for(net.eve), proposal)
    assert not proposals.may_take_part(net.eve, proposal)
    assert can_read_proposal(viewer_for(bo), proposal)


def test_a_confidential_proposal_is_never_read_through_co_bringing(make, net):
    group = make.working_group(net.clinic, net.ana, "Case", visibility="confidential")
    secret = make.proposal(group, net.ana, "drafting", visibility="confidential")
    db.session.add(ProposalCoBringer(proposal=secret, body=make.assembly(net.school),
                                     added_by_id=net.ana.id, added_at=utcnow()))
    db.session.commit()
    assert not can_read_proposal(viewer_for(net.eve), secret)
    assert not proposals.may_take_part(net.eve, secret)


# --- the page ------------------------------------------------------------------------------------

def test_the_page_offers_the_forms_and_takes_the_comment(web, net, brought):
    proposal, row = brought
    web.login(net.eve)
    page = web.text(_url(proposal))
    assert f'action="/c/clinic/p/{proposal.id}/comments"' in page
    assert f'href="/c/clinic/p/{proposal.id}/edit"' in page  # the revise link
    assert f"/c/clinic/p/{proposal.id}/steps/" not in page  # no lifecycle step forms
    assert "Hide this comment" not in page

    response = web.post(f"/c/clinic/p/{proposal.id}/comments",
                        {"body": "The school can host the lessons."})
    assert response.status_code == 302
    page = web.text(_url(proposal))
    assert "The school can host the lessons." in page
    assert "(from Language School)" in page

    response = web.post(f"/c/clinic/p/{proposal.id}/edit",
                        {"text": "First paragraph.\n\nHosted at the school.",
                         "summary": "Where", "base_revision": "1"})
    assert response.status_code == 302
    assert "Hosted at the school." in web.text(_url(proposal))

    db.session.expire_all()  # the requests above changed the proposal
    networks.withdraw_co_bringer(row, net.eve, "Not now.")
    db.session.commit()
    response = web.post(f"/c/clinic/p/{proposal.id}/comments", {"body": "One more."})
    assert response.status_code == 403
    assert "no longer brings this proposal" in response.get_data(as_text=True)
    page = web.text(_url(proposal))
    assert f'action="/c/clinic/p/{proposal.id}/comments"' not in page
    assert f'href="/c/clinic/p/{proposal.id}/edit"' not in page


def test_the_page_refuses_an_unrelated_member(web, net, brought):
    proposal, _row = brought
    web.login(net.dora)
    assert f'action="/c/clinic/p/{proposal.id}/comments"' not in web.text(_url(proposal))
    response = web.post(f"/c/clinic/p/{proposal.id}/comments", {"body": "From elsewhere."})
    assert response.status_code == 403
