"""The pages: the bodies bringing a proposal, a member collective's network agreements with its
adoption steps, and the canary: a members-only network agreement never reaches anonymous
readers of a member collective's pages, feeds or exports."""

from assembly.extensions import db
from assembly.networks import service
from assembly.networks.models import NetworkAdoption
from tests.networks.conftest import CANARY


def _proposal_url(p):
    return f"/c/{p.collective.slug}/p/{p.id}-{p.slug}"


def test_co_bringing_through_the_proposal_page(web, make, net):
    proposal = make.proposal(make.assembly(net.network), net.ana, "drafting",
                             title="Health lessons for newcomers")
    school = make.assembly(net.school)
    web.login(net.eve)
    page = web.text(_proposal_url(proposal))
    assert "Bring it jointly with another body" in page
    response = web.post(f"/c/network/p/{proposal.id}/co-bringers",
                        {"body_id": school.id, "reason": "Our students need it."})
    assert response.status_code == 302
    page = web.text(_proposal_url(proposal))
    assert "Brought jointly" in page and "Language School" in page
    assert "to the bodies bringing it" in page  # the history says so
    # The school's body page and front door list it, linking to the network's page.
    for url in (f"/c/school/b/{school.slug}/", "/c/school/"):
        listed = web.text(url)
        assert "Health lessons for newcomers" in listed
        assert f"/c/network/p/{proposal.id}-" in listed


def test_a_refused_co_bringing_keeps_the_text(web, make, net):
    proposal = make.proposal(make.assembly(net.network), net.ana, "drafting")
    web.login(net.eve)
    response = web.post(f"/c/network/p/{proposal.id}/co-bringers",
                        {"body_id": "", "reason": "Kept words 42"})
    assert response.status_code == 422
    assert "Kept words 42" in response.get_data(as_text=True)


def test_co_bringing_forbidden_outside_and_hidden_when_unreadable(web, make, net):
    proposal = make.proposal(make.assembly(net.network), net.ana, "drafting")
    web.login(net.dora)
    assert web.post(f"/c/network/p/{proposal.id}/co-bringers",
                    {"body_id": make.assembly(net.outside).id}).status_code == 403
    hidden = make.proposal(make.assembly(net.network), net.ana, visibility="members")
    assert web.post(f"/c/network/p/{hidden.id}/co-bringers",
                    {"body_id": make.assembly(net.outside).id}).status_code == 404


def test_withdrawing_from_the_page(web, make, net):
    proposal = make.proposal(make.assembly(net.network), net.ana, "drafting")
    found = service.add_co_bringer(proposal, make.assembly(net.school), net.eve)
    db.session.commit()
    url = f"/c/network/p/{proposal.id}/co-bringers/{found.id}/withdraw"
    web.login(net.ana)
    assert web.post(url, {"reason": ""}).status_code == 403  # not the school's member
    web.login(net.eve)
    assert web.post(url, {"reason": "Not now."}).status_code == 302
    assert "no longer brings it" in web.text(_proposal_url(proposal))


def test_comments_show_their_collective_of_origin(web, make, net):
    from assembly.comments.service import add_comment

    proposal = make.proposal(make.assembly(net.network), net.ana, "drafting")
    add_comment(proposal, net.eve, "The school's view.")
    db.session.commit()
    assert "(from Language School)" in web.text(_proposal_url(proposal))


def test_network_agreements_on_the_member_front_door_and_list(web, make, net):
    proposal = net.agreed(make, title="Shared purchasing")
    agreement = proposal.agreement
    front = web.text("/c/clinic/")
    assert "Agreed by the network" in front and "Shared purchasing" in front
    assert "Not taken up yet" in front
    listed = web.text("/c/clinic/network-agreements")
    assert f"/c/clinic/network-agreements/{agreement.id}" in listed
    page = web.text(f"/c/clinic/network-agreements/{agreement.id}")
    assert f"/c/network/p/{proposal.id}-{proposal.slug}#agreement-{agreement.id}" in page
    assert "Record a step" not in page  # anonymous readers see, never record
    assert web.get(f"/c/elsewhere/network-agreements/{agreement.id}").status_code == 404


def test_recording_an_adoption_step(web, make, net):
    agreement = net.agreed(make).agreement
    url = f"/c/clinic/network-agreements/{agreement.id}"
    web.login(net.ana)
    assert "Record a step" in web.text(url)
    response = web.post(url, {"state": "adapted", "note": ""})
    assert response.status_code == 422  # an adaptation needs its note
    response = web.post(url, {"state": "adapted", "note": "Weekly, not monthly. Kept 77"})
    assert response.status_code == 302
    page = web.text(url)
    assert "Adapted" in page and "Kept 77" in page
    assert "Adapted" in web.text("/c/clinic/")
    # How each member takes it up shows on the original agreement too.
    assert "How member collectives take it up" in web.text(_proposal_url(agreement.proposal))


def test_a_rejected_adoption_keeps_the_note(web, make, net):
    agreement = net.agreed(make).agreement
    web.login(net.ana)
    response = web.post(f"/c/clinic/network-agreements/{agreement.id}",
                        {"state": "nonsense", "note": "My careful words 31"})
    assert response.status_code == 422
    assert "My careful words 31" in response.get_data(as_text=True)


def test_only_members_record_steps(web, make, net):
    agreement = net.agreed(make).agreement
    url = f"/c/clinic/network-agreements/{agreement.id}"
    web.login(net.eve)  # a member of the school, which is in the network, not of the clinic
    assert web.post(url, {"state": "adopted"}).status_code == 403
    assert db.session.query(NetworkAdoption).count() == 0


def test_members_only_network_agreement_never_reaches_anonymous(web, make, net):
    proposal = net.agreed(make, title=f"Shared fund {CANARY}", visibility="members",
                          text=f"The fund rules. {CANARY}")
    agreement = proposal.agreement
    service.record_adoption(net.clinic, agreement.id, net.ana, "adapted",
                            note=f"Our adaptation {CANARY}")
    db.session.commit()
    public = ["/c/clinic/", "/c/clinic/network-agreements", "/c/clinic/feed.atom",
              "/c/clinic/export/proposals.json", "/c/clinic/export/agreements.csv",
              "/c/clinic/open-data", "/c/network/", "/c/network/feed.atom",
              "/search?q=fund", "/search?q=adaptation"]  # words of the hidden texts
    for url in public:
        response = web.get(url)
        assert CANARY not in response.get_data(as_text=True), url
    assert web.get(f"/c/clinic/network-agreements/{agreement.id}").status_code == 404
    # Someone from outside the network does not see it either; a member of the clinic does.
    web.login(net.dora)
    assert CANARY not in web.text("/c/clinic/")
    web.login(net.ana)
    assert CANARY in web.text("/c/clinic/")
    assert CANARY in web.text(f"/c/clinic/network-agreements/{agreement.id}")
