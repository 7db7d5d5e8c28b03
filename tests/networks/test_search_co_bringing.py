"""Search finds what co-bringing lets a reader read, and nothing more: the school's members
find a members-only clinic proposal their assembly brings jointly (its text, its comments),
until the school withdraws; never a confidential one, never one whose page would name a closed
body, and nobody outside finds any of it."""

from assembly.comments import service as comments
from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.networks import service as networks
from assembly.networks.models import ProposalCoBringer
from assembly.search import service as search
from assembly.visibility import ANONYMOUS, viewer_for
from tests.networks.test_co_bringer_participation import _both

WORD = "xylophonecanary"


def found(person, query=WORD) -> set[tuple[str, int]]:
    viewer = ANONYMOUS if person is None else viewer_for(person)
    return {(str(hit.document.kind), hit.document.ref_id)
            for hit in search.search(viewer, query).hits}


def test_co_bringing_members_find_a_members_only_proposal_and_its_comments(make, net):
    bo = _both(make, net)
    proposal = make.proposal(make.assembly(net.clinic), net.ana, "drafting",
                             visibility="members", text=f"We need a {WORD} for the lessons.")
    remark = comments.add_comment(proposal, net.ana, f"The {WORD} is in the cupboard.")
    db.session.commit()
    assert found(net.eve) == set()
    row = networks.add_co_bringer(proposal, make.assembly(net.school), bo)
    db.session.commit()

    expected = {("proposal", proposal.id), ("comment", remark.id)}
    assert found(net.eve) == expected
    assert found(net.ana) == expected
    assert found(None) == set() and found(net.dora) == set()

    networks.withdraw_co_bringer(row, bo, "Back to the clinic alone.")
    db.session.commit()
    assert found(net.eve) == set()


def test_no_finding_through_co_bringing_what_may_not_be_read(make, net):
    bo = _both(make, net)
    # Its page would name a members-only clinic group: not read, so not found.
    named = make.proposal(make.assembly(net.clinic), net.ana, "drafting",
                          visibility="members", text=f"A {WORD} for the staff.")
    networks.add_co_bringer(named, make.assembly(net.school), bo)
    staff = make.working_group(net.clinic, net.ana, "Clinic staff", visibility="members")
    networks.add_co_bringer(named, staff, net.ana)
    # Confidential: never read through co-bringing.
    group = make.working_group(net.clinic, net.ana, "Case", visibility="confidential")
    secret = make.proposal(group, net.ana, "drafting", visibility="confidential",
                           text=f"The {WORD} of a person we support.")
    db.session.add(ProposalCoBringer(proposal=secret, body=make.assembly(net.school),
                                     added_by_id=net.ana.id, added_at=utcnow()))
    db.session.commit()
    assert found(net.eve) == set()
    assert ("proposal", named.id) in found(bo)
    assert ("proposal", secret.id) in found(net.ana)
