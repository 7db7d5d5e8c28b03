"""A proposal page lists its latest revisions, the newest first, and links to a page with every
one when there are more; that page lists them all, each with its text and a comparison with the
one before. A proposal the reader may not read has no such page. Both backends."""

import re

import pytest

from assembly.extensions import db
from assembly.proposals import service as proposals
from assembly.proposals import views
from tests.conftest import WebClient

CANARY = "CANARY-REVISIONS-c41e"
EVERY = re.compile(r'<a href="([^"]+)">Every revision \((\d+)\)</a>')


def url(p, suffix=""):
    return f"/c/{p.collective.slug}/p/{p.id}{suffix}"


def page(p):
    return f"/c/{p.collective.slug}/p/{p.id}-{p.slug}"


@pytest.fixture
def clinic(make):
    collective = make.collective("Clinic")
    maria = make.member(collective, "Maria")
    return collective, maria, make.assembly(collective)


def revised(make, body, by, revisions: int, word: str = "Text"):
    """A proposal with ``revisions`` revisions, each with its own text and summary."""
    proposal = make.proposal(body, by, "drafting", text=f"{word} 01 words.")
    for n in range(2, revisions + 1):
        proposals.revise(proposal, by, f"{word} {n:02d} words.", summary=f"Summary {n:02d}",
                         base_revision=n - 1)
    db.session.commit()
    assert proposal.revision_number == revisions
    return proposal


def the_list(html: str) -> str:
    return html.split('class="plain revisions"', 1)[1].split("</ul>", 1)[0]


def listed(html: str, p) -> list[int]:
    """The revision numbers the list of revisions links to, in its order."""
    found = the_list(html)
    return [int(n) for n in re.findall(rf'href="{re.escape(url(p))}/revisions/(\d+)"', found)]


def compared(html: str, p) -> list[tuple[int, int]]:
    """(from, to) of each "compare with previous" link of the list, in its order."""
    found = the_list(html)
    links = re.findall(rf'href="{re.escape(url(p))}/compare\?([^"]+)">compare with previous',
                       found)
    pairs = []
    for query in links:
        args = dict(part.split("=") for part in query.replace("&amp;", "&").split("&"))
        pairs.append((int(args["from"]), int(args["to"])))
    return pairs


def test_the_page_lists_the_latest_and_links_to_every_revision(web, make, clinic):
    collective, maria, assembly = clinic
    count = views.LATEST_REVISIONS + 2
    proposal = revised(make, assembly, maria, count)
    html = web.text(page(proposal))
    latest = list(range(count, count - views.LATEST_REVISIONS, -1))
    assert listed(html, proposal) == latest
    summaries = the_list(html)
    assert "Summary 12" in summaries and "Summary 03" in summaries
    assert "Summary 02" not in summaries
    every = EVERY.search(html)
    assert every, "no link to every revision"
    assert every.group(1) == url(proposal, "/revisions") and int(every.group(2)) == count


def test_every_revision_is_on_its_page_newest_first(web, make, clinic):
    collective, maria, assembly = clinic
    count = views.LATEST_REVISIONS + 2
    proposal = revised(make, assembly, maria, count)
    response = web.get(url(proposal, "/revisions"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Every revision (12)" in html
    assert listed(html, proposal) == list(range(count, 0, -1))
    assert compared(html, proposal) == [(n - 1, n) for n in range(count, 1, -1)]
    # each link leads to its revision, and each comparison to a page
    for n in (1, 2, count):
        text = web.text(url(proposal, f"/revisions/{n}"))
        assert f"Text {n:02d} words." in text
    comparison = web.get(url(proposal, f"/compare?from={count - 1}&to={count}"))
    assert comparison.status_code == 200


def test_a_proposal_with_few_revisions_lists_them_all_without_the_link(web, make, clinic):
    collective, maria, assembly = clinic
    once = make.proposal(assembly, maria, "drafting", text="Only text.")
    html = web.text(page(once))
    assert listed(html, once) == [1] and compared(html, once) == []
    assert "Every revision" not in html
    just = revised(make, assembly, maria, views.LATEST_REVISIONS, word="Just")
    html = web.text(page(just))
    assert listed(html, just) == list(range(views.LATEST_REVISIONS, 0, -1))
    assert EVERY.search(html) is None
    # its revisions page lists the same
    assert listed(web.text(url(just, "/revisions")), just) == listed(html, just)


def test_the_number_listed_follows_the_setting(web, make, clinic, monkeypatch):
    collective, maria, assembly = clinic
    monkeypatch.setattr(views, "LATEST_REVISIONS", 3)
    proposal = revised(make, assembly, maria, 4)
    html = web.text(page(proposal))
    assert listed(html, proposal) == [4, 3, 2]
    assert EVERY.search(html).group(2) == "4"
    assert listed(web.text(url(proposal, "/revisions")), proposal) == [4, 3, 2, 1]


def test_revisions_of_a_closed_proposal_are_not_found(app, web, other_web, make, clinic):
    collective, maria, assembly = clinic
    nikos = make.member(collective, "Nikos")
    care = make.working_group(collective, maria, "Case assembly", visibility="confidential")
    secret = revised(make, care, maria, 3, word=CANARY)
    members = revised(make, assembly, maria, 2, word=f"Members {CANARY}")
    members.visibility = "members"
    db.session.commit()
    elsewhere = make.collective("Elsewhere")
    # An incomer: neither; a member who is no participant: not the confidential one.
    other_web.login(nikos)
    for reader, closed in ((web, secret), (web, members), (other_web, secret)):
        for address in (url(closed, "/revisions"), f"/c/{elsewhere.slug}/p/{closed.id}/revisions"):
            response = reader.get(address)
            assert response.status_code == 404, address
            assert CANARY not in response.get_data(as_text=True)
    assert CANARY in other_web.text(url(members, "/revisions/1"))  # nikos is a member
    participant = WebClient(app.test_client())
    participant.login(maria)
    html = participant.text(url(secret, "/revisions"))
    assert listed(html, secret) == [3, 2, 1]
    # the proposal of another collective is not reached through this one's address
    assert participant.get(f"/c/{elsewhere.slug}/p/{secret.id}/revisions").status_code == 404
