"""Gatherings, working tables and their reports (service level, both backends)."""

import pytest
import sqlalchemy as sa

from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.gatherings import service
from assembly.gatherings.models import WorkingTableProposal
from assembly.live import service as live
from assembly.meetings import service as meetings
from assembly.proposals.models import EventKind, Phase, ProposalEvent
from assembly.visibility import ANONYMOUS, viewer_for

QUESTIONS = "- Who cannot reach us today?\n- What would a mobile clinic need?\n  (vans, staff)"
DIRECTIONS = ("- A mobile clinic on Tuesdays\n  Start with one van and two volunteers.\n"
              "- Shared interpreters' rota")


def table_for(gathering, by, **kw):
    table = service.add_table(gathering, by, title=kw.pop("title", "Access to care"),
                              guiding_questions=kw.pop("guiding_questions", QUESTIONS), **kw)
    db.session.commit()
    return table


def take_notes(table, by, texts):
    """Notes through the live layer itself: the table's meeting goes live, its note-taker
    (here the facilitator) writes on each question."""
    meeting = table.meeting
    meetings.start_meeting(meeting, by)
    participant = live.enter(meeting, by, None, "facilitator").participant
    live.apply_action(meeting, participant, "takeover-1", "take_over", {})
    for n, (item, text) in enumerate(zip(meetings.agenda(meeting), texts, strict=False)):
        live.apply_action(meeting, participant, f"note-{n:04d}", "save_note",
                          {"item_id": item.id, "text": text})
    live.close_meeting(meeting, by)
    db.session.commit()


def test_gatherings_belong_to_networks(net, make):
    from datetime import date

    with pytest.raises(Conflict):
        service.create_gathering(net.port, net.maria, title="X", starts_on=date.today())
    with pytest.raises(Forbidden):
        service.create_gathering(net.network, net.outsider, title="X", starts_on=date.today())
    with pytest.raises(Invalid) as refused:
        service.create_gathering(net.network, net.maria, title="X", starts_on=date.today(),
                                 visibility="confidential")
    assert refused.value.field == "visibility"


def test_a_table_is_a_meeting_of_its_own_body_with_its_questions(net, gathering):
    table = table_for(gathering, net.maria, participants=[net.nikos], guests="Amina\n\nYusuf")
    assert [i.title for i in meetings.agenda(table.meeting)] == [
        "Who cannot reach us today?", "What would a mobile clinic need? (vans, staff)"]
    assert table.body.collective_id == net.network.id
    assert {p.display_name for p in table.body.participants} == {"Maria", "Nikos"}
    assert table.guest_list == ["Amina", "Yusuf"]
    assert table.meeting.languages == "el en" and table.meeting.place == "Thessaloniki"
    # A member of any member collective takes part; someone from outside the network cannot.
    with pytest.raises(Forbidden):
        service.add_table(gathering, net.maria, title="Other", participants=[net.outsider])


def test_report_proposals_become_identified_and_link_back(net, gathering):
    table = table_for(gathering, net.maria, participants=[net.nikos])
    take_notes(table, net.nikos, ["Roma families far from the bus line.", "A van, a driver."])
    draft = service.notes_as_report(table)
    assert "### Who cannot reach us today?" in draft and "A van, a driver." in draft
    service.save_report(table, net.nikos, report_text=draft, directions_text=DIRECTIONS)
    created = service.publish_report(table, net.nikos, to=[net.network, net.hill])
    db.session.commit()

    assert len(created) == 4  # two proposals, to the network and to the hill clinic
    network_ones = [p for p in created if p.collective_id == net.network.id]
    assert [p.title for p in network_ones] == ["A mobile clinic on Tuesdays",
                                               "Shared interpreters' rota"]
    assert all(p.phase == Phase.IDENTIFIED for p in created)
    assert network_ones[0].current_revision.text == "Start with one van and two volunteers."
    assert {p.body.kind for p in created} == {"network_assembly", "general_assembly"}
    links = db.session.scalars(sa.select(WorkingTableProposal.proposal_id).where(
        WorkingTableProposal.table_id == table.id)).all()
    assert sorted(links) == sorted(p.id for p in created)
    first = db.session.scalars(sa.select(ProposalEvent).where(
        ProposalEvent.proposal_id == network_ones[0].id)).first()
    assert first.kind == EventKind.CREATED and first.actor_id == net.nikos.id
    assert "Access to care" in first.reason and "Spring gathering" in first.reason
    assert service.table_of_proposal(ANONYMOUS, network_ones[0]).id == table.id
    assert table.is_published
    with pytest.raises(Conflict):
        service.publish_report(table, net.nikos)
    with pytest.raises(Conflict):
        service.save_report(table, net.nikos, report_text="again", directions_text="")


def test_proposals_go_only_where_the_publisher_is_a_member(net, gathering):
    table = table_for(gathering, net.maria, participants=[net.nikos])
    service.save_report(table, net.maria, report_text="Notes.", directions_text=DIRECTIONS)
    with pytest.raises(Invalid) as refused:
        service.publish_report(table, net.maria, to=[net.hill])  # Maria is of the port clinic
    assert refused.value.field == "destinations"
    with pytest.raises(Forbidden):
        service.publish_report(table, net.outsider)


def test_a_live_table_cannot_publish_before_it_closes(net, gathering):
    table = table_for(gathering, net.maria)
    meetings.start_meeting(table.meeting, net.maria)
    service.save_report(table, net.maria, report_text="Notes.", directions_text="- One")
    with pytest.raises(Conflict):
        service.publish_report(table, net.maria)


def test_list_items_parse_markdown_lists_and_plain_lines():
    assert service.list_items("one\n\ntwo") == [["one"], ["two"]]
    assert service.list_items("Intro\n1. First\n   more\n2) Second") == [
        ["First", "more"], ["Second"]]
    assert [d.title for d in service.directions("* A\n* B\n  text")] == ["A", "B"]


def test_a_confidential_table_is_read_by_its_participants_only(net, gathering, make):
    table = table_for(gathering, net.maria, title="Case support CANARY-7731",
                      visibility="confidential")
    assert table.body.visibility == "confidential"
    assert service.tables_of(ANONYMOUS, gathering) == []
    assert service.tables_of(viewer_for(net.nikos), gathering) == []
    assert [t.id for t in service.tables_of(viewer_for(net.maria), gathering)] == [table.id]
    with pytest.raises(NotFound):
        service.get_table(viewer_for(net.nikos), gathering, table.id)
    with pytest.raises(Forbidden):
        service.save_report(table, net.nikos, report_text="x", directions_text="")
    # Its proposals go to the members, without naming the table.
    service.save_report(table, net.maria, report_text="Private.",
                        directions_text="- Training on listening")
    created = service.publish_report(table, net.maria)
    db.session.commit()
    assert created[0].visibility == "members"
    first = db.session.scalars(sa.select(ProposalEvent).where(
        ProposalEvent.proposal_id == created[0].id)).first()
    assert "CANARY-7731" not in first.reason
    assert service.table_of_proposal(viewer_for(net.nikos), created[0]) is None


def test_a_gathering_for_members_is_not_read_by_incomers(net, make):
    from datetime import date

    closed = service.create_gathering(net.network, net.maria, title="Internal",
                                      starts_on=date.today(), visibility="members")
    db.session.commit()
    with pytest.raises(NotFound):
        service.get_gathering(ANONYMOUS, net.network, closed.slug)
    assert service.get_gathering(viewer_for(net.nikos), net.network, closed.slug) == closed
    table = table_for(closed, net.maria, visibility="public")
    assert table.body.visibility == "members"  # the stricter of the two


def test_a_proposal_page_links_back_to_its_table(net, gathering, web):
    table = table_for(gathering, net.maria, participants=[net.nikos])
    take_notes(table, net.nikos, ["A van, a driver."])
    service.save_report(table, net.nikos, report_text="Report.",
                        directions_text="- A mobile clinic on Tuesdays")
    [proposal] = service.publish_report(table, net.nikos, to=[net.network])
    db.session.commit()
    page = web.get(f"/c/{net.network.slug}/p/{proposal.id}", follow_redirects=True).get_data(
        as_text=True)
    assert f"/g/{gathering.slug}/t/{table.id}" in page and "Access to care" in page
