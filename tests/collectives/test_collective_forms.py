"""Starting collectives, networks and working groups, taking part in bodies, and the meeting
rhythm: what members can do, and how bad input and the wrong people are refused."""

import pytest
import sqlalchemy as sa

from assembly.collectives.models import Body, BodyParticipant, Collective, NetworkMembership
from assembly.extensions import db
from assembly.people.models import Membership

CANARY = "CANARY-7f3a"
LONG = "x" * 10_000


def collective_named(name):
    db.session.expire_all()
    return db.session.scalars(sa.select(Collective).where(Collective.name == name)).first()


def participants(body):
    db.session.expire_all()
    return set(db.session.scalars(
        sa.select(BodyParticipant.person_id).where(BodyParticipant.body_id == body.id)))


def count(model, *conditions):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


COLLECTIVE = {"name": "Clinic of Patras", "slug": "", "main_language": "el",
              "languages": ["en", "ar"], "timezone": "Europe/Athens",
              "description": "Open **every** day."}


# --- starting a collective or a network -----------------------------------------------------

def test_anonymous_is_sent_to_sign_in(web):
    response = web.get("/collectives/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_person_starts_a_collective_and_becomes_its_first_member(web, make):
    person = make.person("Eleni")
    web.login(person)
    assert web.get("/collectives/new").status_code == 200
    response = web.post("/collectives/new", COLLECTIVE)
    assert response.status_code == 302
    created = collective_named("Clinic of Patras")
    assert response.headers["Location"].endswith(f"/c/{created.slug}/")
    assert created.slug == "clinic-of-patras"
    assert created.languages == "el en ar" and created.timezone == "Europe/Athens"
    assert not created.is_network
    assert count(Membership, Membership.collective_id == created.id,
                 Membership.person_id == person.id) == 1
    assert count(Body, Body.collective_id == created.id) == 1
    page = web.text(f"/c/{created.slug}/")
    assert "<strong>every</strong>" in page and "/c/clinic-of-patras/invitations" in page


@pytest.mark.parametrize("change, message", [
    ({"name": ""}, "This field is required."),
    ({"name": LONG}, "Field cannot be longer than 120 characters."),
    ({"name": "Clinic \x07 bell"}, "invisible control characters"),
    ({"description": LONG}, "Field cannot be longer than 5000 characters."),
    ({"description": "Bad \x1b escape"}, "invisible control characters"),
    ({"timezone": "Mars/Olympus"}, "Not a valid choice"),
    ({"main_language": "xx"}, "Not a valid choice"),
    ({"languages": ["en", "klingon"]}, "not a valid choice"),
    ({"slug": "y" * 61}, "Field cannot be longer than 60 characters."),
])
def test_bad_collective_input_is_refused_and_kept(web, make, change, message):
    web.login(make.person("Eleni"))
    response = web.post("/collectives/new", {**COLLECTIVE, "name": "Kept name", **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    if "name" not in change:
        assert 'value="Kept name"' in page
    assert count(Collective) == 0


def test_taken_short_name_is_refused(web, make):
    make.collective("First", slug="clinic")
    web.login(make.person("Eleni"))
    response = web.post("/collectives/new", {**COLLECTIVE, "slug": "Clinic"})
    assert response.status_code == 422
    assert "is taken" in response.get_data(as_text=True)
    assert count(Collective) == 1


@pytest.mark.parametrize("token", [None, "forged"])
def test_missing_or_forged_csrf_is_refused(web, make, token):
    web.login(make.person("Eleni"))
    data = dict(COLLECTIVE) if token is None else {**COLLECTIVE, "csrf_token": token}
    response = web.post("/collectives/new", data, csrf=False)
    assert response.status_code == 400
    assert count(Collective) == 0


def test_person_starts_a_network_that_their_collective_joins(web, make, clinic):
    web.login(clinic.maria)
    page = web.text("/collectives/new?network=1")
    assert 'id="is_network" name="is_network" type="checkbox" value="y"' in page \
        and "checked" in page
    response = web.post("/collectives/new", {
        **COLLECTIVE, "name": "Solidarity Network", "is_network": "y",
        "joining_id": str(clinic.collective.id)})
    assert response.status_code == 302
    network = collective_named("Solidarity Network")
    assert network.is_network
    assert count(NetworkMembership, NetworkMembership.network_id == network.id,
                 NetworkMembership.collective_id == clinic.collective.id) == 1
    assert count(Membership, Membership.collective_id == network.id) == 1
    assert "Network assembly" in web.text(f"/c/{network.slug}/")


def test_network_cannot_be_joined_with_someone_elses_collective(web, make, clinic):
    web.login(clinic.stranger)
    response = web.post("/collectives/new", {
        **COLLECTIVE, "name": "Solidarity Network", "is_network": "y",
        "joining_id": str(clinic.collective.id)})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert collective_named("Solidarity Network") is None


# --- joining a network ----------------------------------------------------------------------

@pytest.fixture
def network(make):
    return make.collective("Solidarity Network", slug="solidarity", network=True)


def test_member_joins_a_network_from_the_list(web, clinic, network):
    web.login(clinic.maria)
    page = web.text("/c/clinic/networks/join")
    assert "Solidarity Network" in page
    response = web.post("/c/clinic/networks/join", {"network_id": str(network.id)})
    assert response.status_code == 302
    assert count(NetworkMembership, NetworkMembership.network_id == network.id) == 1
    assert "Solidarity Network" in web.text("/c/clinic/")
    # once joined it is no longer offered
    assert "Solidarity Network" not in web.text("/c/clinic/networks/join")


def test_member_joins_a_network_by_short_name(web, clinic, network):
    web.login(clinic.maria)
    response = web.post("/c/clinic/networks/join", {"network_id": "", "network_slug": "Solidarity"})
    assert response.status_code == 302
    assert count(NetworkMembership, NetworkMembership.collective_id == clinic.collective.id) == 1


@pytest.mark.parametrize("data, message", [
    ({"network_id": "", "network_slug": "nowhere"}, "no network with the short name"),
    ({"network_id": "", "network_slug": "school"}, "no network with the short name"),
    ({"network_id": "", "network_slug": ""}, "Choose a network from the list"),
    ({"network_id": "99999", "network_slug": ""}, "Not a valid choice"),
    ({"network_id": "", "network_slug": LONG}, "Field cannot be longer than 60 characters."),
])
def test_bad_network_choice_is_refused(web, clinic, network, data, message):
    web.login(clinic.maria)
    response = web.post("/c/clinic/networks/join", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if data["network_slug"] in ("nowhere", "school"):
        assert f'value="{data["network_slug"]}"' in page
    assert count(NetworkMembership) == 0


def test_only_members_bring_their_collective_into_a_network(web, other_web, clinic, network):
    web.login(clinic.stranger)
    assert web.get("/c/clinic/networks/join").status_code == 403
    response = web.post("/c/clinic/networks/join", {"network_id": str(network.id)})
    assert response.status_code == 403
    assert other_web.get("/c/clinic/networks/join").status_code == 302
    assert web.get("/c/nowhere/networks/join").status_code == 404
    assert count(NetworkMembership) == 0


def test_a_network_cannot_join_a_network(web, make, clinic, network):
    other = make.collective("Other Network", slug="other-net", network=True)
    from assembly.people.service import add_member

    add_member(other, clinic.maria)
    db.session.commit()
    web.login(clinic.maria)
    assert web.get("/c/other-net/networks/join").status_code == 409
    response = web.post("/c/other-net/networks/join", {"network_id": str(network.id)})
    assert response.status_code == 409


# --- working groups -------------------------------------------------------------------------

def test_member_starts_a_working_group_and_takes_part(web, clinic):
    web.login(clinic.ahmad)
    page = web.text("/c/clinic/working-groups/new")
    assert "Confidential: only its participants" in page and "case assembly" in page
    response = web.post("/c/clinic/working-groups/new", {
        "name": "Pharmacy", "purpose": "Medicines *for all*.", "visibility": "members"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/clinic/b/pharmacy/")
    group = db.session.scalars(sa.select(Body).where(Body.name == "Pharmacy")).one()
    assert group.visibility == "members" and group.kind == "working_group"
    assert participants(group) == {clinic.ahmad.id}
    page = web.text("/c/clinic/b/pharmacy/")
    assert "<em>for all</em>" in page and "Ahmad" in page and "Leave this group" in page


@pytest.mark.parametrize("change, message", [
    ({"name": ""}, "This field is required."),
    ({"name": LONG}, "Field cannot be longer than 120 characters."),
    ({"name": "Group\x00"}, "invisible control characters"),
    ({"purpose": LONG}, "Field cannot be longer than 5000 characters."),
    ({"purpose": "Bad \x07 bell"}, "invisible control characters"),
    ({"visibility": "secret"}, "Not a valid choice"),
])
def test_bad_working_group_input_is_refused(web, clinic, change, message):
    web.login(clinic.maria)
    response = web.post("/c/clinic/working-groups/new",
                        {"name": "Kept", "purpose": "Kept purpose", "visibility": "public",
                         **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if "purpose" not in change:
        assert "Kept purpose" in page
    assert count(Body, Body.kind == "working_group") == 0


def test_member_of_another_collective_cannot_start_a_working_group(web, other_web, clinic):
    web.login(clinic.stranger)
    assert web.get("/c/clinic/working-groups/new").status_code == 403
    response = web.post("/c/clinic/working-groups/new",
                        {"name": "Takeover", "visibility": "public"})
    assert response.status_code == 403
    assert other_web.get("/c/clinic/working-groups/new").status_code == 302
    assert web.get("/c/nowhere/working-groups/new").status_code == 404
    assert count(Body, Body.kind == "working_group") == 0


# --- taking part in a body ------------------------------------------------------------------

def test_members_join_and_leave_an_open_group(web, make, clinic):
    group = make.working_group(clinic.collective, clinic.maria, name="Pharmacy")
    web.login(clinic.ahmad)
    assert "Join this group" in web.text(clinic.body_url(group))
    assert web.post(clinic.body_url(group, "participants/join")).status_code == 302
    assert participants(group) == {clinic.maria.id, clinic.ahmad.id}
    assert web.post(clinic.body_url(group, "participants/leave")).status_code == 302
    assert participants(group) == {clinic.maria.id}


def test_stranger_cannot_join_or_add(web, make, clinic):
    group = make.working_group(clinic.collective, clinic.maria, name="Pharmacy")
    web.login(clinic.stranger)
    assert "Join this group" not in web.text(clinic.body_url(group))
    assert web.post(clinic.body_url(group, "participants/join")).status_code == 403
    response = web.post(clinic.body_url(group, "participants"),
                        {"person_id": str(clinic.stranger.id)})
    assert response.status_code == 403
    assert participants(group) == {clinic.maria.id}


def test_joining_the_general_assembly_is_refused(web, clinic):
    web.login(clinic.maria)
    response = web.post(clinic.body_url(clinic.assembly, "participants/join"))
    assert response.status_code == 409
    assert "Only working groups have named participants" in response.get_data(as_text=True)


def test_join_without_csrf_is_refused(web, make, clinic):
    group = make.working_group(clinic.collective, clinic.maria, name="Pharmacy")
    web.login(clinic.ahmad)
    response = web.post(clinic.body_url(group, "participants/join"), csrf=False)
    assert response.status_code == 400
    assert participants(group) == {clinic.maria.id}


def test_participants_add_members_to_a_confidential_group(web, other_web, clinic, secret_group):
    url = clinic.body_url(secret_group)
    other_web.login(clinic.ahmad)
    # a member who is not a participant: the group does not exist for them
    assert other_web.get(url).status_code == 404
    for action in ("participants/join", "participants/leave", "participants", "rhythm"):
        response = other_web.post(url + action, {"person_id": str(clinic.ahmad.id)})
        assert response.status_code == 404, action
        assert CANARY not in response.get_data(as_text=True)
    assert participants(secret_group) == {clinic.maria.id}
    web.login(clinic.maria)
    page = web.text(url)
    assert "Join this group" not in page and "Member to add" in page
    # someone outside the collective is not offered and not accepted
    response = web.post(url + "participants", {"person_id": str(clinic.stranger.id)})
    assert response.status_code == 422 and "Not a valid choice" in response.get_data(as_text=True)
    response = web.post(url + "participants", {"person_id": ""})
    assert response.status_code == 422
    response = web.post(url + "participants", {"person_id": str(clinic.ahmad.id)})
    assert response.status_code == 302
    assert participants(secret_group) == {clinic.maria.id, clinic.ahmad.id}
    assert other_web.get(url).status_code == 200


def test_last_participant_cannot_leave_a_confidential_group(web, clinic, secret_group):
    web.login(clinic.maria)
    response = web.post(clinic.body_url(secret_group, "participants/leave"))
    assert response.status_code == 409
    assert participants(secret_group) == {clinic.maria.id}


def test_leaving_a_confidential_group_hides_it(web, make, clinic, secret_group):
    from assembly.collectives.service import add_participant

    add_participant(secret_group, clinic.maria, clinic.ahmad)
    db.session.commit()
    web.login(clinic.ahmad)
    response = web.post(clinic.body_url(secret_group, "participants/leave"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/c/clinic/")
    assert web.get(clinic.body_url(secret_group)).status_code == 404
    assert CANARY not in web.text(clinic.url())


# --- the meeting rhythm ---------------------------------------------------------------------

RHYTHM = {"weekday": "0", "time": "19:00", "every_weeks": "1", "minutes": "120",
          "place": "The yard"}


def test_member_sets_and_clears_the_rhythm(web, clinic):
    web.login(clinic.ahmad)
    response = web.post(clinic.body_url(clinic.assembly, "rhythm"), {**RHYTHM, "weekday": "2"})
    assert response.status_code == 302
    db.session.expire_all()
    body = db.session.get(Body, clinic.assembly.id)
    assert (body.rhythm_weekday, body.rhythm_time, body.default_place) == (2, "19:00", "The yard")
    assert "Meets every week on Wednesday at 19:00" in web.text(clinic.body_url(body))
    response = web.post(clinic.body_url(body, "rhythm"), {**RHYTHM, "weekday": "", "time": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Body, body.id).has_rhythm


@pytest.mark.parametrize("change, message", [
    ({"time": "25:00"}, "Give the time as HH:MM"),
    ({"time": ""}, "Give the time as HH:MM"),
    ({"weekday": "9"}, "Not a valid choice"),
    ({"every_weeks": "0"}, "Number must be between 1 and 8."),
    ({"minutes": "abc"}, "Not a valid integer value."),
    ({"place": LONG}, "Field cannot be longer than 200 characters."),
    ({"place": "Yard \x07"}, "invisible control characters"),
])
def test_bad_rhythm_is_refused_and_kept(web, clinic, change, message):
    web.login(clinic.maria)
    response = web.post(clinic.body_url(clinic.assembly, "rhythm"),
                        {**RHYTHM, "place": "Kept place", **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    if "place" not in change:
        assert 'value="Kept place"' in page
    db.session.expire_all()
    assert not db.session.get(Body, clinic.assembly.id).has_rhythm


def test_stranger_and_anonymous_cannot_set_the_rhythm(web, other_web, clinic):
    web.login(clinic.stranger)
    assert web.post(clinic.body_url(clinic.assembly, "rhythm"), RHYTHM).status_code == 403
    response = other_web.post(clinic.body_url(clinic.assembly, "rhythm"), RHYTHM)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert web.post("/c/clinic/b/nothing/rhythm", RHYTHM).status_code == 404
    db.session.expire_all()
    assert not db.session.get(Body, clinic.assembly.id).has_rhythm
