"""A clinic whose assembly agreed to open a pharmacy corner, implemented by the pharmacy group.

Ana started the pharmacy group (so she takes part in it); Bob is a member of the clinic but not
of the group; Dora belongs to another collective."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from assembly.core.db import utcnow
from assembly.extensions import db
from assembly.meetings.models import Meeting, MeetingStatus
from assembly.proposals.service import record_agreement

CANARY = "CANARY-IMPLEMENTATION-5e07"


@dataclass
class Clinic:
    collective: object
    assembly: object
    pharmacy: object
    ana: object
    bob: object
    dora: object


@pytest.fixture
def clinic(make):
    collective = make.collective("Social Clinic")
    ana, bob = make.member(collective, "Ana"), make.member(collective, "Bob")
    dora = make.member(make.collective("Elsewhere"), "Dora")
    pharmacy = make.working_group(collective, ana, "Pharmacy")
    return Clinic(collective, make.assembly(collective), pharmacy, ana, bob, dora)


def agree(make, body, by, *, implementer_body=None, deadline_days=2, title=None,
          visibility="public"):
    """A proposal agreed at a live meeting of ``body``, to be implemented within some days."""
    proposal = make.proposal(body, by, "on_agenda", title=title, visibility=visibility)
    live = db.session.scalars(sa.select(Meeting).where(
        Meeting.body_id == body.id, Meeting.status == MeetingStatus.LIVE)).first()
    today = utcnow().date()
    record_agreement(proposal, by, meeting=live, review_date=today + timedelta(days=180),
                     implementers="The pharmacy group", implementer_body=implementer_body,
                     deadline=today + timedelta(days=deadline_days) if deadline_days else None,
                     present=[by])
    db.session.commit()
    return proposal
