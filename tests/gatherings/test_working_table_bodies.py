"""A working table's body is of its own kind: held like a working group (named participants, its
own meeting), but never listed or offered as one, and its page says which gathering it is
from."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from assembly.collectives.models import Body, BodyKind
from assembly.core.errors import Invalid
from assembly.extensions import db
from assembly.gatherings import service
from assembly.meetings import service as meetings
from assembly.people.models import Person
from assembly.proposals import service as proposals


@pytest.fixture
def table(net, gathering):
    found = service.add_table(gathering, net.maria, title="Mobile clinic table",
                              participants=[net.nikos])
    db.session.commit()
    return found


@pytest.fixture
def group(net, make):
    return make.working_group(net.network, net.maria, "Medicines group")


def test_a_table_body_is_a_working_table_with_its_participants(net, table):
    assert table.body.kind == BodyKind.WORKING_TABLE == "working_table"
    assert str(table.body.kind_label) == "Working table"
    assert table.body.has_participants and table.body.is_working_table
    assert {p.display_name for p in table.body.participants} == {"Maria", "Nikos"}
    # Roles at the table go to its participants, as at a working group.
    eligible = set(db.session.scalars(meetings.eligible_people(table.body).with_only_columns(
        Person.display_name)))
    assert eligible == {"Maria", "Nikos"}


def test_nothing_is_delegated_to_a_working_table(net, table, group, make):
    proposal = make.proposal(make.assembly(net.network), net.maria, "drafting")
    with pytest.raises(Invalid) as refused:
        proposals.delegate(proposal, net.maria, working_group=table.body, mandate="Look at it.",
                           return_date=date.today() + timedelta(days=28))
    assert refused.value.field == "working_group_id"
    db.session.rollback()


def test_delegation_choices_offer_working_groups_only(net, table, group, make, web):
    proposal = make.proposal(make.assembly(net.network), net.maria, "drafting")
    web.login(net.maria)
    page = web.get(f"/c/{net.network.slug}/p/{proposal.id}",
                   follow_redirects=True).get_data(as_text=True)
    choices = page[page.index('name="delegate-working_group_id"'):]
    choices = choices[:choices.index("</select>")]
    assert "Medicines group" in choices
    assert "Mobile clinic table" not in choices


def test_the_live_console_offers_working_groups_only(net, table, group, make, web):
    meeting = make.meeting(make.assembly(net.network), net.maria, live=True)
    web.login(net.maria)
    page = web.text(f"/c/{net.network.slug}/m/{meeting.id}/console")
    choices = page[page.index('id="o-delegated-group"'):]
    choices = choices[:choices.index("</select>")]
    assert "Medicines group" in choices
    assert "Mobile clinic table" not in choices


def test_the_network_page_lists_no_table_among_its_bodies(net, table, group, web):
    page = web.text(f"/c/{net.network.slug}/")
    bodies = page[page.index('id="bodies-heading"'):]
    bodies = bodies[:bodies.index("</section>")]
    assert "Medicines group" in bodies
    assert "Mobile clinic table" not in bodies


def test_the_table_body_page_names_its_gathering(net, gathering, table, group, web):
    page = web.text(f"/c/{net.network.slug}/b/{table.body.slug}/")
    assert "A working table of the gathering “Spring gathering”" in page
    table_url = f"/c/{net.network.slug}/g/{gathering.slug}/t/{table.id}"
    assert f'href="{table_url}"' in page
    assert f'href="/c/{net.network.slug}/g/{gathering.slug}"' in page
    assert "Participants (2)" in page  # still named, as at a working group
    # A working group's page says nothing of the kind.
    group_page = web.text(f"/c/{net.network.slug}/b/{group.slug}/")
    assert "A working table of the gathering" not in group_page


def test_a_confidential_table_body_is_not_named_to_others(net, gathering, web, make):
    secret = service.add_table(gathering, net.maria, title="Case table",
                               visibility="confidential")
    db.session.commit()
    assert db.session.get(Body, secret.body_id).kind == BodyKind.WORKING_TABLE
    web.login(net.nikos)  # a member of the network, not a participant of the table
    assert "Case table" not in web.text(f"/c/{net.network.slug}/")
    response = web.get(f"/c/{net.network.slug}/b/{secret.body.slug}/")
    assert response.status_code == 404


def test_working_groups_stay_working_groups(net, group):
    kinds = dict(db.session.execute(sa.select(Body.name, Body.kind).where(
        Body.collective_id == net.network.id)).all())
    assert kinds["Medicines group"] == BodyKind.WORKING_GROUP
