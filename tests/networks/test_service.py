"""Co-bringing across collectives of one network, and how members take up network agreements."""

import pytest
import sqlalchemy as sa

from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.networks import service
from assembly.networks.models import NetworkAdoption, ProposalCoBringer
from assembly.proposals.models import EventKind, ProposalEvent
from assembly.proposals.service import check_consistency
from assembly.visibility import ANONYMOUS, viewer_for


def _kinds(proposal):
    return [e.kind for e in db.session.scalars(
        sa.select(ProposalEvent).where(ProposalEvent.proposal_id == proposal.id)
        .order_by(ProposalEvent.seq))]


# --- co-bringing ------------------------------------------------------------------------------

def test_bodies_of_two_collectives_bring_a_network_proposal(make, net):
    proposal = make.proposal(make.assembly(net.network), net.ana, "drafting")
    school = make.assembly(net.school)
    clinic_group = make.working_group(net.clinic, net.ana, "Health education")
    service.add_co_bringer(proposal, school, net.eve, "Our students asked for it.")
    service.add_co_bringer(proposal, clinic_group, net.ana)
    db.session.commit()

    assert proposal.body_id == make.assembly(net.network).id  # the network still decides
    bringing = service.co_bringers(ANONYMOUS, proposal)
    assert [c.body for c in bringing] == [school, clinic_group]
    assert _kinds(proposal)[-2:] == [EventKind.CO_BRINGER_ADDED, EventKind.CO_BRINGER_ADDED]
    assert check_consistency(proposal) == []


def test_a_body_of_a_sister_collective_brings_a_clinic_proposal(make, net):
    proposal = make.proposal(make.assembly(net.clinic), net.ana)
    service.add_co_bringer(proposal, make.assembly(net.school), net.eve)
    db.session.commit()
    assert len(service.co_bringers(ANONYMOUS, proposal)) == 1


def test_bodies_outside_the_network_are_refused(make, net):
    proposal = make.proposal(make.assembly(net.clinic), net.ana)
    with pytest.raises(Invalid) as error:
        service.add_co_bringer(proposal, make.assembly(net.outside), net.dora)
    assert error.value.field == "body_id"


def test_only_members_of_the_bodys_collective_add_it(make, net):
    proposal = make.proposal(make.assembly(net.clinic), net.ana)
    with pytest.raises(Forbidden):
        service.add_co_bringer(proposal, make.assembly(net.school), net.ana)


def test_the_deciding_body_and_duplicates_are_refused(make, net):
    assembly = make.assembly(net.clinic)
    proposal = make.proposal(assembly, net.ana)
    with pytest.raises(Invalid):
        service.add_co_bringer(proposal, assembly, net.ana)
    service.add_co_bringer(proposal, make.assembly(net.school), net.eve)
    with pytest.raises(Conflict):
        service.add_co_bringer(proposal, make.assembly(net.school), net.eve)


def test_withdrawal_is_soft_recorded_and_can_be_undone(make, net):
    proposal = make.proposal(make.assembly(net.network), net.ana)
    school = make.assembly(net.school)
    first = service.add_co_bringer(proposal, school, net.eve)
    with pytest.raises(Forbidden):  # a clinic member cannot speak for the school
        service.withdraw_co_bringer(first, net.ana)
    service.withdraw_co_bringer(first, net.eve, "We cannot carry it now.")
    with pytest.raises(Conflict):
        service.withdraw_co_bringer(first, net.eve)
    again = service.add_co_bringer(proposal, school, net.eve)
    db.session.commit()

    rows = db.session.scalars(sa.select(ProposalCoBringer)
                              .where(ProposalCoBringer.proposal_id == proposal.id)).all()
    assert len(rows) == 2 and first.withdrawn_at is not None and again.is_active
    assert _kinds(proposal)[-3:] == [EventKind.CO_BRINGER_ADDED, EventKind.CO_BRINGER_WITHDRAWN,
                                     EventKind.CO_BRINGER_ADDED]
    assert check_consistency(proposal) == []


def test_no_change_once_the_proposal_is_agreed(make, net):
    proposal = net.agreed(make)
    with pytest.raises(Conflict):
        service.add_co_bringer(proposal, make.assembly(net.school), net.eve)


def test_closed_bodies_and_confidential_proposals_do_not_co_bring(make, net):
    proposal = make.proposal(make.assembly(net.network), net.ana)
    members_group = make.working_group(net.school, net.eve, "Staff", visibility="members")
    # Readers of the public proposal could not see a members-only body's name.
    with pytest.raises(Invalid):
        service.add_co_bringer(proposal, members_group, net.eve)
    secret_group = make.working_group(net.clinic, net.ana, "Case", visibility="confidential")
    secret = make.proposal(secret_group, net.ana, visibility="confidential")
    with pytest.raises(Conflict):
        service.add_co_bringer(secret, make.assembly(net.clinic), net.ana)
    assert members_group not in service.candidate_bodies(net.eve, proposal)


def test_candidates_are_the_persons_own_converging_bodies(make, net):
    proposal = make.proposal(make.assembly(net.network), net.ana)
    found = service.candidate_bodies(net.eve, proposal)
    assert make.assembly(net.school) in found
    assert make.assembly(net.clinic) not in found  # Eve is not a member of the clinic
    assert service.candidate_bodies(net.dora, proposal) == []
    with pytest.raises(Forbidden):
        service.require_may_co_bring(net.dora, proposal)


def test_comment_origins_name_each_commenters_collective(make, net):
    from assembly.comments.service import add_comment

    proposal = make.proposal(make.assembly(net.network), net.ana, "drafting")
    service.add_co_bringer(proposal, make.assembly(net.school), net.eve)
    add_comment(proposal, net.ana, "From the clinic's side.")
    add_comment(proposal, net.eve, "From the school's side.")
    db.session.commit()
    origins = service.comment_origins(proposal)
    assert origins == {net.ana.id: ["Social Clinic"], net.eve.id: ["Language School"]}
    plain = make.proposal(make.assembly(net.clinic), net.ana)
    add_comment(plain, net.ana, "Only us here.")
    assert service.comment_origins(plain) == {}


# --- network agreements -----------------------------------------------------------------------

def test_a_network_agreement_shows_in_every_member_collective(make, net):
    proposal = net.agreed(make)
    for collective in (net.clinic, net.school):
        found = service.network_agreements(ANONYMOUS, collective)
        assert [(f.proposal, f.adoption) for f in found] == [(proposal, None)]
        assert found[0].network == net.network
    assert service.network_agreements(ANONYMOUS, net.outside) == []
    with pytest.raises(NotFound):
        service.get_network_agreement(ANONYMOUS, net.outside, proposal.agreement.id)


def test_adoption_states_keep_their_history(make, net):
    agreement = net.agreed(make).agreement
    meeting = make.meeting(make.assembly(net.clinic), net.ana, days=0, live=True)
    service.record_adoption(net.clinic, agreement.id, net.ana, "under_discussion")
    local = make.proposal(make.assembly(net.clinic), net.ana, title="Our way of sharing")
    service.record_adoption(net.clinic, agreement.id, net.ana, "adapted",
                            note="We buy **monthly**, not weekly.", meeting=meeting,
                            local_proposal=local)
    db.session.commit()

    history = service.adoption_history(net.clinic, agreement)
    assert [a.state for a in history] == ["adapted", "under_discussion"]  # newest first
    assert history[0].meeting_id == meeting.id and history[0].local_proposal_id == local.id
    current = service.network_agreements(ANONYMOUS, net.clinic)[0].adoption
    assert current.state == "adapted"
    # The school's own lifecycle is untouched by the clinic's steps.
    assert service.network_agreements(ANONYMOUS, net.school)[0].adoption is None
    # History is append-only.
    history[1].note = "rewritten"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def test_adoption_rules(make, net):
    agreement = net.agreed(make).agreement
    with pytest.raises(Forbidden):  # Eve is not a member of the clinic
        service.record_adoption(net.clinic, agreement.id, net.eve, "adopted")
    with pytest.raises(Invalid) as error:
        service.record_adoption(net.clinic, agreement.id, net.ana, "ignored")
    assert error.value.field == "state"
    with pytest.raises(Invalid) as error:  # an adaptation says what changes
        service.record_adoption(net.clinic, agreement.id, net.ana, "adapted", note=" ")
    assert error.value.field == "note"
    school_meeting = make.meeting(make.assembly(net.school), net.eve)
    with pytest.raises(Invalid) as error:
        service.record_adoption(net.clinic, agreement.id, net.ana, "adopted",
                                meeting=school_meeting)
    assert error.value.field == "meeting_id"
    service.record_adoption(net.clinic, agreement.id, net.ana, "adopted")
    with pytest.raises(Invalid):  # the same step twice is no step
        service.record_adoption(net.clinic, agreement.id, net.ana, "adopted")
    with pytest.raises(NotFound):
        service.record_adoption(net.outside, agreement.id, net.dora, "adopted")
    assert db.session.scalar(sa.select(sa.func.count(NetworkAdoption.id))) == 1


def test_members_only_network_agreements_stay_with_members(make, net):
    proposal = net.agreed(make, visibility="members")
    assert service.network_agreements(ANONYMOUS, net.clinic) == []
    assert [f.proposal for f in service.network_agreements(viewer_for(net.eve), net.school)] \
        == [proposal]
    assert service.network_agreements(viewer_for(net.dora), net.clinic) == []
    # A member of the network's collectives reads who takes it up; anonymous does not.
    assert len(service.adoptions_by_member(viewer_for(net.ana), proposal)) == 2
    assert service.adoptions_by_member(ANONYMOUS, proposal) == []
