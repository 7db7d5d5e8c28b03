"""Reading: the start page, a collective's page and a body's page, for each kind of reader."""

import pytest

from assembly.collectives.service import join_network, set_rhythm
from assembly.extensions import db

CANARY = "CANARY-7f3a"


def test_start_page_lists_collectives_and_networks_with_counts(web, make, clinic):
    network = make.collective("Solidarity Network", network=True, description="Clinics together")
    make.proposal(clinic.assembly, clinic.maria, "drafting", title="Open on Saturdays")
    make.proposal(clinic.assembly, clinic.maria, "identified", title="Members only",
                  visibility="members")
    make.proposal(clinic.assembly, clinic.maria, "withdrawn", title="Gone")
    page = web.text("/")
    assert "Κοινωνικό Ιατρείο" in page and "Solidarity Network" in page
    assert "Network</span>" in page
    assert "We care for everyone." in page and "Second line." not in page
    assert "Clinics together" in page
    # an incomer counts only the public proposal being decided
    assert "1 proposal being decided" in page
    assert "Start a new collective" not in page
    web.login(clinic.maria)
    page = web.text("/")
    assert "2 proposals being decided" in page
    assert "Start a new collective" in page
    # her own collective comes first
    assert page.index("Your collectives") < page.index("Κοινωνικό Ιατρείο") \
        < page.index("Language School")
    assert network.name in page


def test_collective_page_for_an_incomer(web, make, clinic):
    group = make.working_group(clinic.collective, clinic.maria, name="Pharmacy",
                               purpose="Medicines for all.\nMore")
    proposal = make.proposal(clinic.assembly, clinic.maria, "on_agenda", title="Buy a fridge")
    agreed = make.proposal(clinic.assembly, clinic.maria, "agreed", title="Open Saturdays")
    meeting = make.meeting(clinic.assembly, clinic.maria, days=3)
    page = web.text(clinic.url())
    assert "Κοινωνικό Ιατρείο" in page and "We care for everyone." in page
    assert "Ελληνικά" in page and "Europe/Athens" in page
    assert "How to take part" in page and "invitation link" in page
    # bodies: the assembly first, then working groups with their purpose
    assert page.index("General assembly") < page.index("Pharmacy")
    assert "Medicines for all." in page
    assert f"/c/clinic/b/{group.slug}/" in page
    # being decided now, grouped by phase label
    assert "On the agenda" in page
    assert f"/c/clinic/p/{proposal.id}-{proposal.slug}" in page
    assert "Recent agreements" in page and f"/p/{agreed.id}-" in page
    assert f"/c/clinic/m/{meeting.id}" in page
    # no member links for an incomer
    assert "/invitations" not in page and "working-groups/new" not in page
    assert "networks/join" not in page and "proposals/new" not in page


def test_meeting_times_are_shown_in_the_collectives_time_zone(web, make, clinic):
    from freezegun import freeze_time

    with freeze_time("2025-03-03 10:00:00"):
        meeting = make.meeting(clinic.assembly, clinic.maria, days=1)
        page = web.text(clinic.url())
    # Athens is UTC+2 in March: 12:00 local for 10:00 UTC.
    assert meeting.starts_at.hour == 10
    assert "12:00" in page


def test_collective_page_for_a_member_shows_member_links(web, clinic):
    web.login(clinic.maria)
    page = web.text(clinic.url())
    for link in ("/c/clinic/invitations", "/c/clinic/working-groups/new",
                 "/c/clinic/networks/join", "/c/clinic/b/assembly/proposals/new"):
        assert link in page


def test_member_of_another_collective_sees_no_member_links(web, clinic):
    web.login(clinic.stranger)
    page = web.text(clinic.url())
    assert "/c/clinic/invitations" not in page


def test_network_page_lists_members_and_collective_lists_networks(web, make, clinic):
    network = make.collective("Solidarity Network", slug="net", network=True)
    join_network(network, clinic.collective, clinic.maria)
    db.session.commit()
    page = web.text("/c/net/")
    assert "Collectives in this network" in page and "/c/clinic/" in page
    assert "Network assembly" in page
    page = web.text(clinic.url())
    assert "Networks it takes part in" in page and "/c/net/" in page


def test_unknown_collective_or_body_is_404(web, clinic):
    assert web.get("/c/nowhere/").status_code == 404
    assert web.get(clinic.url("b/nothing/")).status_code == 404
    assert web.get("/c/school/b/assembly/").status_code == 200


def test_body_page_of_the_general_assembly(web, make, clinic):
    drafting = make.proposal(clinic.assembly, clinic.maria, "drafting", title="Night shifts")
    agreed = make.proposal(clinic.assembly, clinic.maria, "agreed", title="Open Saturdays")
    meeting = make.meeting(clinic.assembly, clinic.maria, days=2)
    page = web.text(clinic.body_url(clinic.assembly))
    assert "General assembly" in page and "Drafting" in page
    assert f"/p/{drafting.id}-" in page
    assert "Agreements in force" in page and f"/p/{agreed.id}-" in page
    assert f"/c/clinic/m/{meeting.id}" in page
    # incomers get no forms
    assert "Meeting rhythm" not in page and "/meetings/plan" not in page
    assert "New proposal" not in page


def test_body_page_for_a_member_has_rhythm_and_links(web, clinic):
    set_rhythm(clinic.assembly, clinic.maria, 0, "19:00", place="The yard")
    db.session.commit()
    web.login(clinic.ahmad)
    page = web.text(clinic.body_url(clinic.assembly))
    assert "Meets every week on Monday at 19:00" in page and "The yard" in page
    assert "/c/clinic/b/assembly/meetings/plan" in page
    assert "Plan the coming meetings" in page
    assert "/c/clinic/b/assembly/proposals/new" in page
    assert "/c/clinic/b/assembly/meetings/new" in page
    assert 'value="19:00"' in page


def test_due_for_review_is_listed(web, make, clinic):
    from datetime import timedelta

    from freezegun import freeze_time

    from assembly.core.db import utcnow

    agreed = make.proposal(clinic.assembly, clinic.maria, "agreed", title="Open Saturdays")
    hidden = make.proposal(clinic.assembly, clinic.maria, "agreed", title="Members rule",
                           visibility="members")
    with freeze_time(utcnow() + timedelta(days=200)):
        page = web.text(clinic.body_url(clinic.assembly))
        section = page[page.index("Due for re-evaluation"):]
        assert f"/p/{agreed.id}-" in section
        # the visibility layer applies to the due list too
        assert f"/p/{hidden.id}-" not in section
        web.login(clinic.maria)
        section = web.text(clinic.body_url(clinic.assembly))
        assert f"/p/{hidden.id}-" in section[section.index("Due for re-evaluation"):]


def test_working_group_shows_participants_and_delegated_proposals(web, make, clinic):
    group = make.working_group(clinic.collective, clinic.ahmad, name="Pharmacy")
    proposal = make.proposal(clinic.assembly, clinic.maria, "drafting", title="Insulin fridge")
    from datetime import timedelta

    from assembly.core.db import utcnow
    from assembly.proposals.service import delegate

    delegate(proposal, clinic.maria, working_group=group, mandate="Find the **costs**.",
             return_date=utcnow().date() + timedelta(days=14))
    db.session.commit()
    page = web.text(clinic.body_url(group))
    assert "Working group" in page and "Participants (1)" in page and "Ahmad" in page
    assert "Delegated to this group" in page and "<strong>costs</strong>" in page
    assert "Join this group" not in page


def test_members_only_group_is_hidden_from_incomers(web, make, clinic):
    group = make.working_group(clinic.collective, clinic.maria, name="Finances",
                               visibility="members")
    assert "Finances" not in web.text(clinic.url())
    assert web.get(clinic.body_url(group)).status_code == 404
    web.login(clinic.ahmad)
    assert "Finances" in web.text(clinic.url())
    assert web.get(clinic.body_url(group)).status_code == 200


def _pages_of(clinic, group):
    return ["/", clinic.url(), clinic.body_url(clinic.assembly), "/c/school/",
            "/c/school/b/assembly/"]


@pytest.mark.parametrize("who", ["incomer", "member", "stranger"])
def test_confidential_group_never_shows_to_non_participants(web, make, clinic, secret_group,
                                                            who):
    make.proposal(secret_group, clinic.maria, "drafting", title=f"Person {CANARY}")
    make.meeting(secret_group, clinic.maria, days=2, title=f"Meeting {CANARY}")
    if who == "member":
        web.login(clinic.ahmad)
        pages = [*_pages_of(clinic, secret_group), "/account", "/collectives/new",
                 "/c/clinic/working-groups/new", "/c/clinic/networks/join",
                 "/c/clinic/invitations"]
    elif who == "stranger":
        web.login(clinic.stranger)
        pages = [*_pages_of(clinic, secret_group), "/account", "/collectives/new",
                 "/c/school/invitations"]
    else:
        pages = _pages_of(clinic, secret_group)
    for url in pages:
        response = web.get(url)
        assert response.status_code == 200, url
        assert CANARY not in response.get_data(as_text=True), url
    response = web.get(clinic.body_url(secret_group))
    assert response.status_code == 404
    assert CANARY not in response.get_data(as_text=True)
    # the counts on the start page do not betray it either
    assert "1 proposal being decided" not in web.text("/")


def test_confidential_group_shows_to_its_participants(web, make, clinic, secret_group):
    make.proposal(secret_group, clinic.maria, "drafting", title=f"Person {CANARY}")
    web.login(clinic.maria)
    assert CANARY in web.text(clinic.url())
    page = web.text(clinic.body_url(secret_group))
    assert CANARY in page and "Confidential" in page
    assert "1 proposal being decided" in web.text("/")


class QueryCounter:
    def __init__(self):
        self.n = 0

    def __call__(self, *args, **kwargs):
        self.n += 1


def _queries(web, url):
    import sqlalchemy as sa

    counter = QueryCounter()
    sa.event.listen(db.engine, "before_cursor_execute", counter)
    try:
        assert web.get(url).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", counter)
    return counter.n


@pytest.mark.parametrize("url", ["/", "/c/clinic/", "/c/clinic/b/assembly/"])
def test_main_pages_do_not_query_per_row(web, make, clinic, url):
    web.login(clinic.maria)
    make.proposal(clinic.assembly, clinic.maria, "agreed")
    make.proposal(clinic.assembly, clinic.maria, "drafting")
    make.working_group(clinic.collective, clinic.maria)
    make.meeting(clinic.assembly, clinic.maria, days=3)
    few = _queries(web, url)
    for n in range(4):
        make.proposal(clinic.assembly, clinic.maria, "agreed")
        make.proposal(clinic.assembly, clinic.maria, "postponed" if n % 2 else "drafting")
        make.working_group(clinic.collective, clinic.maria)
        make.meeting(clinic.assembly, clinic.maria, days=4 + n)
        make.collective()
    assert _queries(web, url) == few
