"""A small clinic in Athens, and builders for the things that make up a person's load."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from assembly.core.db import utcnow
from assembly.extensions import db


@dataclass
class Clinic:
    collective: object
    anna: object
    assembly: object


@pytest.fixture
def clinic(make):
    collective = make.collective("Clinic", timezone="Europe/Athens")
    anna = make.member(collective, "Anna")
    return Clinic(collective, anna, make.assembly(collective))


def give_role(meeting, by, role, person):
    from assembly.meetings.service import assign_role

    holder = assign_role(meeting, by, role, person)
    db.session.commit()
    return holder


def agree(make, body, by, *, implementer_body=None, review_in_days=180, title=None):
    """An agreement of ``body``, optionally implemented by a group, reviewed in some days."""
    from assembly.proposals.service import record_agreement
    from tests.conftest import _live_meeting

    proposal = make.proposal(body, by, phase="on_agenda", title=title)
    record_agreement(proposal, by, meeting=_live_meeting(make, proposal, by),
                     implementer_body=implementer_body,
                     review_date=utcnow().date() + timedelta(days=review_in_days),
                     deadline=utcnow().date() + timedelta(days=30), present=[by])
    db.session.commit()
    return proposal


def delegate_to(make, body, by, group, title=None):
    from assembly.proposals.service import delegate

    proposal = make.proposal(body, by, phase="drafting", title=title)
    delegate(proposal, by, working_group=group, mandate="Find out the costs.",
             return_date=utcnow().date() + timedelta(days=21))
    db.session.commit()
    return proposal
