"""A clinic with two members and a proposal in drafting: the story most comment tests tell."""

import pytest

from tests.comments.test_views import TEXT


@pytest.fixture
def story(make):
    clinic = make.collective("Clinic")
    maria = make.member(clinic, "Maria")
    nikos = make.member(clinic, "Nikos")
    proposal = make.proposal(make.assembly(clinic), maria, phase="drafting", text=TEXT)
    return clinic, maria, nikos, proposal
