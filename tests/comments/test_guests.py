"""Incomers comment on public proposals of public bodies with only a chosen name; their guest
identity lives in a signed cookie; an account made or signed into later claims their comments.
Spam control: rate limit, honeypot, length and link limits. Both backends."""

import pytest
import sqlalchemy as sa

from assembly.collectives.models import IncomerComments
from assembly.comments import service as comments
from assembly.comments.models import Comment, CommentEvent
from assembly.comments.views import GUEST_COOKIE
from assembly.core.errors import Invalid, NotFound
from assembly.extensions import db
from tests.comments.test_views import TEXT, base, page_url, stored


@pytest.fixture
def story(make):
    clinic = make.collective("Clinic")
    maria = make.member(clinic, "Maria")
    proposal = make.proposal(make.assembly(clinic), maria, phase="drafting", text=TEXT)
    return clinic, maria, proposal


def guest_post(web, proposal, body, name="Leyla", **extra):
    return web.post(base(proposal), {"name": name, "body": body, **extra})


def cookie(web):
    found = web.client.get_cookie(GUEST_COOKIE)
    return found.value if found else None


def events(kind):
    return list(db.session.scalars(sa.select(CommentEvent).where(CommentEvent.kind == kind)))


# --- posting, editing, withdrawing -------------------------------------------------------------

def test_a_guest_comments_with_only_a_name_and_can_change_it(web, other_web, story):
    clinic, maria, proposal = story
    response = guest_post(web, proposal, "We could help with **translation**",
                          paragraph="1", revision="1")
    assert response.status_code == 302
    [comment] = stored()
    assert comment.author_id is None and comment.guest_name == "Leyla"
    assert comment.paragraph_index == 1 and not comment.held
    assert cookie(web) and comment.guest_id not in cookie(web)  # signed, not the bare id
    page = web.text(page_url(proposal))
    beside = page[page.index('id="paragraph-2"'):page.index('id="comments-heading"')]
    assert "Leyla" in beside and "guest" in beside
    assert "<strong>translation</strong>" in beside
    assert 'value="Leyla"' in page  # the name is remembered for the next comment
    # the guest edits and withdraws their own comment
    url = f"{base(proposal)}/{comment.id}"
    assert web.post(f"{url}/edit", {"body": "We could help with Arabic"}).status_code == 302
    assert stored(comment.id).body == "We could help with Arabic"
    # another browser (another guest) may not
    assert other_web.post(f"{url}/edit", {"body": "Taken"}).status_code == 403
    assert other_web.post(f"{url}/withdraw").status_code == 403
    assert web.post(f"{url}/withdraw").status_code == 302
    assert stored(comment.id).is_withdrawn
    assert [v.body for v in stored(comment.id).versions] == [
        "We could help with **translation**", "We could help with Arabic"]


def test_a_forged_guest_cookie_is_ignored(web, story):
    clinic, maria, proposal = story
    assert guest_post(web, proposal, "Mine").status_code == 302
    [comment] = stored()
    web.client.set_cookie(GUEST_COOKIE, "forged." + comment.guest_id)
    url = f"{base(proposal)}/{comment.id}"
    assert web.post(f"{url}/edit", {"body": "Changed"}).status_code == 403
    assert stored(comment.id).body == "Mine"


def test_guest_replies_and_hostile_markdown_is_sanitised(web, other_web, story):
    clinic, maria, proposal = story
    root = comments.add_comment(proposal, maria, "Who can help?")
    db.session.commit()
    body = "<script>alert('CANARY')</script>[x](javascript:alert(1)) <img src=x onerror=y>"
    assert web.post(f"{base(proposal)}/{root.id}/reply",
                    {"name": "Leyla", "body": body}).status_code == 302
    assert stored()[-1].parent_id == root.id
    page = other_web.text(page_url(proposal))
    assert "CANARY" in page
    assert "<script>alert('CANARY')" not in page and "javascript:alert" not in page
    assert "onerror" not in page


# --- where guests may not go -------------------------------------------------------------------

@pytest.mark.parametrize("where", ["members-proposal", "members-body", "confidential-body"])
def test_no_guest_comments_outside_public_spaces(web, make, story, where):
    clinic, maria, proposal = story
    if where == "members-proposal":
        closed = make.proposal(make.assembly(clinic), maria, phase="drafting",
                               visibility="members", text="CANARY-TEXT")
    else:
        group = make.working_group(clinic, maria, "Support",
                                   visibility=where.split("-")[0])
        closed = make.proposal(group, maria, phase="drafting", text="CANARY-TEXT")
    member_comment = comments.add_comment(closed, maria, "CANARY-COMMENT")
    db.session.commit()
    url = f"{base(closed)}/{member_comment.id}"
    for response in (web.get(page_url(closed)),
                     guest_post(web, closed, "peek"),
                     guest_post(web, closed, "peek", paragraph="0", revision="1"),
                     web.post(f"{url}/reply", {"name": "X", "body": "peek"}),
                     web.post(f"{url}/edit", {"body": "peek"}),
                     web.post(f"{url}/withdraw")):
        assert response.status_code == 404
        assert "CANARY" not in response.get_data(as_text=True)
    assert [c.body for c in stored()] == ["CANARY-COMMENT"]
    # and the service refuses it too, whatever a view does
    with pytest.raises(NotFound):
        comments.add_guest_comment(closed, comments.Guest("g1"), "X", "peek")
    for path in ("/", f"/c/{clinic.slug}/", f"/c/{clinic.slug}/b/assembly/"):
        assert "CANARY" not in web.text(path)


# --- spam control without closing the door ---------------------------------------------------

def test_the_honeypot_refuses_quietly(web, story):
    clinic, maria, proposal = story
    page = web.text(page_url(proposal))
    assert 'name="website"' in page and "Leave this field empty" in page
    response = guest_post(web, proposal, "Buy now", website="http://spam.example")
    assert response.status_code == 400
    assert stored() == []


def test_too_many_comments_get_a_429_that_keeps_the_text(web, story):
    clinic, maria, proposal = story
    for n in range(comments.GUEST_LIMIT_PER_GUEST):
        assert guest_post(web, proposal, f"Comment {n}").status_code == 302
    response = guest_post(web, proposal, "My carefully typed words")
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "My carefully typed words" in text and "wait a few minutes" in text
    assert len(stored()) == comments.GUEST_LIMIT_PER_GUEST


def test_the_limit_per_address_covers_new_guest_ids(story):
    clinic, maria, proposal = story
    for n in range(comments.GUEST_LIMIT_PER_CLIENT):
        comments.add_guest_comment(proposal, comments.Guest(f"g{n}", "same-address"), "X",
                                   f"Comment {n}")
    with pytest.raises(comments.TooMany):
        comments.add_guest_comment(proposal, comments.Guest("fresh", "same-address"), "X", "Hi")
    # members are not limited
    comments.add_comment(proposal, maria, "A member's note")


def test_guests_have_a_length_and_a_link_limit(web, story):
    clinic, maria, proposal = story
    links = "see https://a.example, www.b.example and http://c.example"
    response = guest_post(web, proposal, links)
    assert response.status_code == 422
    assert "at most 2 links" in response.get_data(as_text=True)
    assert links in response.get_data(as_text=True)
    response = guest_post(web, proposal, "x" * (comments.GUEST_MAX_BODY + 1))
    assert response.status_code == 422
    assert guest_post(web, proposal, "Hello", name="").status_code == 422
    assert stored() == []
    with pytest.raises(Invalid):
        comments.add_guest_comment(proposal, comments.Guest("g"), "X", links)
    # two links are fine
    assert guest_post(web, proposal, "see https://a.example and https://b.example"
                      ).status_code == 302


# --- held first comments --------------------------------------------------------------------

def test_held_first_comments_wait_for_a_member(web, other_web, story):
    clinic, maria, proposal = story
    clinic.incomer_comments = IncomerComments.HELD.value
    db.session.commit()
    assert guest_post(web, proposal, "HELD-WORDS").status_code == 302
    [comment] = stored()
    assert comment.held
    # the guest sees it, marked; another reader does not; the count leaves it out
    assert "Waiting for a member" in web.text(page_url(proposal))
    reader = other_web.text(page_url(proposal))
    assert "HELD-WORDS" not in reader and "Comments <span class=\"muted\">(0)" in reader
    # a member sees the queue and approves
    other_web.login(maria)
    page = other_web.text(page_url(proposal))
    assert "waiting for approval (1)" in page
    url = f"{base(proposal)}/{comment.id}"
    assert other_web.post(f"{url}/approve").status_code == 302
    assert not stored(comment.id).held
    assert [e.by_id for e in events("approved")] == [maria.id]
    assert other_web.post(f"{url}/approve").status_code == 409
    # once welcomed, the guest's next comments appear at once
    assert guest_post(web, proposal, "Second one").status_code == 302
    assert not stored()[-1].held


def test_members_choose_how_incomers_comments_appear(web, other_web, story):
    clinic, maria, proposal = story
    url = f"/c/{clinic.slug}/incomer-comments"
    assert web.post(url, {"incomer_comments": "held"}).status_code == 302  # to the login
    db.session.expire_all()
    assert clinic.incomer_comments == "shown"
    web.login(maria)
    assert web.post(url, {"incomer_comments": "held", "back_to_proposal": proposal.id}
                    ).status_code == 302
    db.session.expire_all()
    assert clinic.incomer_comments == "held"
    assert web.post(url, {"incomer_comments": "nonsense"}).status_code == 400


# --- claiming ---------------------------------------------------------------------------------

def test_joining_by_invitation_claims_the_guests_comments(web, other_web, story):
    from assembly.people.service import create_invitation

    clinic, maria, proposal = story
    assert guest_post(web, proposal, "Written as a guest").status_code == 302
    assert guest_post(other_web, proposal, "Someone else's").status_code == 302
    link = create_invitation(clinic, maria)
    db.session.commit()
    token = link[1]
    response = web.post(f"/join/{token}", {"display_name": "Leyla Demir",
                                           "password": "a long enough password",
                                           "language": "en"})
    assert response.status_code == 302, response.get_data(as_text=True)
    mine, theirs = stored()
    assert mine.author is not None and mine.author.display_name == "Leyla Demir"
    assert mine.guest_name == "Leyla"  # what it was first signed with stays known
    assert theirs.author_id is None
    [claim] = events("claimed")
    assert claim.comment_id == mine.id and claim.by_id == mine.author_id
    assert cookie(web) is None
    page = web.text(page_url(proposal))
    assert "Leyla Demir" in page
    # now their own comment, as a member
    assert web.post(f"{base(proposal)}/{mine.id}/edit", {"body": "Edited"}).status_code == 302


def test_signing_in_claims_the_guests_comments(web, make, story):
    clinic, maria, proposal = story
    assert guest_post(web, proposal, "Before signing in").status_code == 302
    web.login(maria)
    [comment] = stored()
    assert comment.author_id == maria.id
    assert len(events("claimed")) == 1
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1
