"""The /me page and the private Atom feed: login, visibility (the canary of a confidential
group never reaches a non-participant), the token link, "mark all as seen"."""

from xml.etree import ElementTree as ET

from assembly.comments.service import add_comment
from assembly.digest import service as digest
from assembly.extensions import db

from .conftest import CANARY

ATOM = "{http://www.w3.org/2005/Atom}"


def _feed_url(person) -> str:
    token = digest.feed_token(person)
    db.session.commit()  # the request runs in its own session
    return f"/me/feed/{token}.atom"


def _entries(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())  # well-formed, or this raises
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def test_me_needs_an_account_and_is_linked_from_the_header(web, clinic):
    response = web.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    web.login(clinic.bob)
    page = web.text("/c/social-clinic/")
    assert 'href="/me"' in page and "What changed" in page


def test_me_lists_changes_without_confidential_ones(web, make, clinic, secret):
    proposal = make.proposal(clinic.assembly, clinic.ana, "drafting", title="Open on Saturdays")
    add_comment(proposal, clinic.ana, "What about **Sundays**?")
    db.session.commit()
    web.login(clinic.bob)
    page = web.text("/me")
    assert "Your first visit" in page
    assert "Open on Saturdays" in page and "<strong>Sundays</strong>" in page
    assert CANARY not in page
    web.login(clinic.ana)
    assert CANARY in web.text("/me")  # a participant of the case group


def test_mark_all_as_seen_empties_the_list(web, make, clinic):
    make.proposal(clinic.assembly, clinic.ana, "drafting", title="Open on Saturdays")
    web.login(clinic.bob)
    assert "Open on Saturdays" in web.text("/me")
    assert web.post("/me/seen").status_code == 302
    page = web.text("/me")
    assert "Open on Saturdays" not in page and "Nothing changed since then." in page
    assert "since" in page and "Your first visit" not in page


def test_the_feed_carries_the_changes_without_login(web, make, clinic, secret):
    make.proposal(clinic.assembly, clinic.ana, "drafting", title="Open <on> Saturdays")
    bob_feed = web.get(_feed_url(clinic.bob))
    entries = _entries(bob_feed)
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert any("Open <on> Saturdays" in title for title in titles)
    assert CANARY not in bob_feed.get_data(as_text=True)
    assert all(e.find(f"{ATOM}link").get("href").startswith("http") for e in entries)
    ana_feed = web.get(_feed_url(clinic.ana))
    assert CANARY in ana_feed.get_data(as_text=True)
    _entries(ana_feed)


def test_a_wrong_token_is_404(web, clinic):
    good = digest.feed_token(clinic.bob)
    db.session.commit()
    person_id, signature = good.split("-")
    other = "1" if signature[0] == "0" else "0"
    for wrong in (f"{person_id}-{other}{signature[1:]}", "nothing", f"{clinic.ana.id}-{signature}",
                  f"{person_id}-"):
        assert web.get(f"/me/feed/{wrong}.atom").status_code == 404, wrong
    assert web.get(f"/me/feed/{good}.atom").status_code == 200


def test_a_new_link_retires_the_old_one(web, clinic):
    web.login(clinic.bob)
    page = web.text("/me")
    old = page.split("/me/feed/")[1].split(".atom")[0]
    assert web.get(f"/me/feed/{old}.atom").status_code == 200
    assert web.post("/me/feed-link").status_code == 302
    new = web.text("/me").split("/me/feed/")[1].split(".atom")[0]
    assert new != old
    assert web.get(f"/me/feed/{old}.atom").status_code == 404
    assert web.get(f"/me/feed/{new}.atom").status_code == 200
