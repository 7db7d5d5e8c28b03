"""A clinic with a public assembly and a confidential case group whose proposal and comment
carry a canary. Ana takes part in the case group; Bob is only a member of the clinic."""

from dataclasses import dataclass

import pytest

from assembly.collectives.service import add_participant
from assembly.comments.service import add_comment
from assembly.extensions import db

CANARY = "CANARY-DIGEST-c41d"


@dataclass
class Clinic:
    collective: object
    assembly: object
    care: object
    ana: object
    bob: object
    dora: object


@pytest.fixture
def clinic(make):
    collective = make.collective("Social Clinic")
    ana, bob = make.member(collective, "Ana"), make.member(collective, "Bob")
    dora = make.member(make.collective("Elsewhere"), "Dora")
    care = make.working_group(collective, ana, "Case group", visibility="confidential")
    return Clinic(collective, make.assembly(collective), care, ana, bob, dora)


@pytest.fixture
def secret(make, clinic):
    """Bob's colleague Carol, in the case group, writes there: only Ana and Carol may read."""
    carol = make.member(clinic.collective, "Carol")
    add_participant(clinic.care, clinic.ana, carol)
    proposal = make.proposal(clinic.care, carol, "drafting", title=f"Family support {CANARY}",
                             text=f"Private text {CANARY}", visibility="confidential")
    add_comment(proposal, carol, f"A private comment {CANARY}")
    db.session.commit()
    return proposal
