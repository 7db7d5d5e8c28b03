"""The gathering pages, and what a confidential table never shows (a canary string)."""

from datetime import date, timedelta

import sqlalchemy as sa

from assembly.extensions import db
from assembly.gatherings import service
from assembly.gatherings.models import Gathering, WorkingTable
from assembly.proposals.models import Proposal

CANARY = "CANARY-5529-table"


def test_members_plan_a_gathering_and_a_table_through_the_pages(net, web):
    web.login(net.nikos)
    slug = net.network.slug
    refused = web.post(f"/c/{slug}/gatherings/new", {
        "title": "Autumn", "starts_on": "2030-10-02", "ends_on": "2030-10-01",
        "languages": ["en"], "visibility": "public"})
    assert refused.status_code == 422 and "cannot end before it starts" in refused.get_data(
        as_text=True)
    assert 'value="Autumn"' in refused.get_data(as_text=True)  # what was typed stays
    made = web.post(f"/c/{slug}/gatherings/new", {
        "title": "Autumn", "starts_on": "2030-10-01", "ends_on": "2030-10-02",
        "place": "Patras", "languages": ["en", "el"], "visibility": "public"})
    assert made.status_code == 302
    gathering = db.session.scalars(sa.select(Gathering)).one()
    added = web.post(f"/c/{slug}/g/{gathering.slug}/tables", {
        "title": "Medicines", "time": "11:00", "guiding_questions": "- Where from?\n- Who pays?",
        "participants": [str(net.maria.id)], "guests": "Amina", "visibility": "public"})
    assert added.status_code == 302
    table = db.session.scalars(sa.select(WorkingTable)).one()
    page = web.text(f"/c/{slug}/g/{gathering.slug}/t/{table.id}")
    for words in ("Where from?", "Who pays?", "Maria", "Amina", "Console and notes",
                  "Proposals and future directions"):
        assert words in page
    saved = web.post(f"/c/{slug}/g/{gathering.slug}/t/{table.id}/report", {
        "report_text": "We talked.", "directions": "- Common purchasing\n  Through the network."})
    assert saved.status_code == 302
    published = web.post(f"/c/{slug}/g/{gathering.slug}/t/{table.id}/publish",
                         {"destinations": [str(net.network.id), str(net.hill.id)]})
    assert published.status_code == 302
    made = db.session.scalars(sa.select(Proposal).order_by(Proposal.id)).all()
    assert [(p.collective_id, p.phase) for p in made] == [
        (net.network.id, "identified"), (net.hill.id, "identified")]
    printable = web.text(f"/c/{slug}/g/{gathering.slug}/t/{table.id}/report/print")
    assert "Common purchasing" in printable and "We talked." in printable
    # The member collective's own view lists the proposal.
    assert "Common purchasing" in web.text(f"/c/{net.hill.slug}/")


def test_publishing_elsewhere_is_refused_in_the_form(net, gathering, web):
    table = service.add_table(gathering, net.maria, title="Housing")
    service.save_report(table, net.maria, report_text="x", directions_text="- One")
    db.session.commit()
    web.login(net.maria)
    url = f"/c/{net.network.slug}/g/{gathering.slug}/t/{table.id}/publish"
    refused = web.post(url, {"destinations": [str(net.hill.id)]})
    assert refused.status_code == 422
    assert "collectives you are a member of" in refused.get_data(as_text=True)
    assert web.get(f"/c/{net.port.slug}/g/{gathering.slug}").status_code == 404  # not a network


def test_a_confidential_table_never_leaks(net, gathering, make, reader, other_reader):
    """Nothing of it in the network's or a member collective's pages, feeds, calendars,
    exports or search, for incomers or members who are not at the table."""
    table = service.add_table(gathering, net.maria, title=f"Support {CANARY}",
                              guiding_questions=f"- {CANARY} question",
                              visibility="confidential")
    service.save_report(table, net.maria, report_text=f"{CANARY} report",
                        directions_text="- Listening training proposal")
    service.publish_report(table, net.maria, to=[net.network, net.port])
    db.session.commit()
    web, other_web = reader, other_reader
    other_web.login(net.nikos)  # a member of the network, not at the table
    urls = []
    for collective in (net.network, net.port, net.hill):
        slug = collective.slug
        urls += [f"/c/{slug}/", f"/c/{slug}/feed.atom", f"/c/{slug}/meetings.ics",
                 f"/c/{slug}/export/proposals.json", f"/c/{slug}/export/meetings.csv",
                 f"/c/{slug}/export/proposals.csv", f"/search?q=proposal&collective={slug}",
                 f"/c/{slug}/gatherings"]
    urls += [f"/c/{net.network.slug}/g/{gathering.slug}", "/search?q=proposal", "/search?q=support"]
    for client in (web, other_web):
        for url in urls:
            response = client.get(url)
            assert CANARY not in response.get_data(as_text=True), (url, response.status_code)
        assert client.get(
            f"/c/{net.network.slug}/g/{gathering.slug}/t/{table.id}").status_code == 404
        assert client.get(f"/c/{net.network.slug}/m/{table.meeting_id}").status_code == 404
    # The proposals it chose to bring forward go to the members only, without naming it.
    assert "Listening training" in other_web.text(f"/c/{net.network.slug}/")
    assert "Listening training" not in web.text(f"/c/{net.network.slug}/")
    web.login(net.maria)  # a participant reads it all
    assert CANARY in web.text(f"/c/{net.network.slug}/g/{gathering.slug}/t/{table.id}")


def test_a_gathering_for_members_is_hidden_from_incomers(net, web):
    closed = service.create_gathering(net.network, net.maria, title=f"Closed {CANARY}",
                                      starts_on=date.today() + timedelta(days=3),
                                      visibility="members")
    db.session.commit()
    assert CANARY not in web.text(f"/c/{net.network.slug}/gatherings")
    assert web.get(f"/c/{net.network.slug}/g/{closed.slug}").status_code == 404
    web.login(net.nikos)
    assert CANARY in web.text(f"/c/{net.network.slug}/gatherings")
