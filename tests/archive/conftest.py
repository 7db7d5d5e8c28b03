"""A clinic whose open archive is read by people and programs.

Its general assembly is public. A members-only working group and a confidential case assembly
carry canary strings in their names, purposes, proposals, meetings and minutes; so do a
members-only proposal and a members-only meeting of the public assembly, and the members-only
proposal is agreed at the assembly's public meeting (its minutes must not name it). A language
school (another collective) and a network the clinic belongs to complete the town."""

import contextvars
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from assembly.collectives.service import join_network
from assembly.extensions import db
from assembly.live.service import close_meeting
from assembly.meetings.models import Meeting, MeetingStatus
from tests.conftest import IsolatedClient, WebClient

MEMBERS_CANARY = "CANARY-MEMBERS-5e1c"
SECRET_CANARY = "CANARY-CONFIDENTIAL-77af"
CANARIES = (MEMBERS_CANARY, SECRET_CANARY)


class ReadingClient(IsolatedClient):
    """Like IsolatedClient, and reads a streamed body inside the request's own context, as a
    server does (a streamed export keeps its request context until the last chunk). Whether
    the body was streamed is kept in ``response.was_streamed``; ``response.response`` then
    holds the chunks as they came."""

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name not in {"get", "post"}:
            return attribute

        def run(*args, **kwargs):
            response = attribute(*args, **kwargs)
            response.was_streamed = response.is_streamed
            response.get_data()  # turns response.response into the list of chunks
            return response
        return lambda *a, **kw: contextvars.Context().run(run, *a, **kw)


@pytest.fixture
def web(app):
    client = WebClient(app.test_client())
    client.client = ReadingClient(app.test_client())
    return client


@dataclass
class Archive:
    clinic: object
    school: object
    network: object
    ana: object  # clinic member, participant of the case assembly
    bob: object  # clinic member, not a participant
    eve: object  # member of the language school only
    assembly: object
    finances: object
    care: object
    proposals: dict
    meetings: dict


def _close_live_meetings(collective, by):
    """Close every live meeting (writing its minutes) as a real meeting would end."""
    for meeting in db.session.scalars(sa.select(Meeting).where(
            Meeting.collective_id == collective.id, Meeting.status == MeetingStatus.LIVE)):
        close_meeting(meeting, by)
    db.session.commit()


@pytest.fixture
def archive(make):
    # English first: the minutes are written in the collective's first language.
    clinic = make.collective("Social Clinic", timezone="Europe/Athens", languages="en el ar")
    school = make.collective("Language School")
    network = make.collective("Solidarity Network", network=True)
    ana = make.member(clinic, "Ana")
    bob = make.member(clinic, "Bob")
    eve = make.member(school, "Eve")
    join_network(network, clinic, ana)
    db.session.commit()

    assembly = make.assembly(clinic)
    finances = make.working_group(clinic, ana, f"Finances {MEMBERS_CANARY}",
                                  visibility="members", purpose=f"Money {MEMBERS_CANARY}")
    care = make.working_group(clinic, ana, f"Case assembly {SECRET_CANARY}",
                              visibility="confidential", purpose=f"Support {SECRET_CANARY}")
    proposals = {
        "drafting": make.proposal(assembly, ana, "drafting", title="Open on Saturdays"),
        "on_agenda": make.proposal(assembly, ana, "on_agenda", title="Buy a fridge"),
        "postponed": make.proposal(assembly, ana, "postponed", title="Move the pharmacy"),
        "under_review": make.proposal(assembly, ana, "under_review", title="Night shifts"),
        "agreed": make.proposal(assembly, ana, "agreed", title="Free dental care",
                                text="Every Tuesday; a dentist volunteers, costs shared."),
        "members": make.proposal(assembly, ana, "agreed", title=f"The rent {MEMBERS_CANARY}",
                                 text=f"Rent. {MEMBERS_CANARY}", visibility="members"),
        "in finances": make.proposal(finances, ana, "agreed",
                                     title=f"Accounts {MEMBERS_CANARY}",
                                     text=f"Numbers {MEMBERS_CANARY}"),
        "secret": make.proposal(care, ana, "agreed", title=f"A family {SECRET_CANARY}",
                                text=f"What they told us. {SECRET_CANARY}"),
        "school": make.proposal(make.assembly(school), eve, "drafting", title="School rota"),
        "network": make.proposal(make.assembly(network), ana, "drafting",
                                 title="Shared purchasing"),
    }
    _close_live_meetings(clinic, ana)
    meetings = {
        "next": make.meeting(assembly, ana, days=3, place="Clinic hall, 2nd floor"),
        "members": make.meeting(assembly, ana, days=4, visibility="members",
                                place=f"Back room {MEMBERS_CANARY}"),
        "finances": make.meeting(finances, ana, days=5, title=f"Budget {MEMBERS_CANARY}"),
        "care": make.meeting(care, ana, days=6, title=f"Case {SECRET_CANARY}"),
    }
    return Archive(clinic, school, network, ana, bob, eve, assembly, finances, care,
                   proposals, meetings)


def assert_no_canary(text: str, where: str = "") -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary} leaked into {where}"
