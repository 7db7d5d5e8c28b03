"""Each comment links to a reply form on a page of its own (no form per comment on the
proposal page): the comment answered is quoted above it, a guest finds the name they chose,
and nobody is offered a reply to a comment held, hidden or withdrawn, nor shown its text."""

import pytest

from assembly.collectives.models import IncomerComments
from assembly.comments import service as comments
from assembly.comments.views import GUEST_COOKIE
from assembly.extensions import db
from tests.comments.test_guests import guest_post
from tests.comments.test_views import TEXT, base, page_url, stored


@pytest.fixture
def story(make):
    clinic = make.collective("Clinic")
    maria = make.member(clinic, "Maria")
    proposal = make.proposal(make.assembly(clinic), maria, phase="drafting", text=TEXT)
    root = comments.add_comment(proposal, maria, "Who can cover **Saturday**?")
    db.session.commit()
    return clinic, maria, proposal, root


def reply_url(proposal, comment):
    return f"{base(proposal)}/{comment.id}/reply"


def test_the_proposal_page_links_each_comment_to_its_reply_page(web, story):
    clinic, maria, proposal, root = story
    page = web.text(page_url(proposal))
    assert f'href="{reply_url(proposal, root)}"' in page
    assert f'id="reply-body-{root.id}"' not in page  # no form per comment any more


def test_a_guest_replies_from_the_reply_page_under_the_comment_quoted(web, story):
    clinic, maria, proposal, root = story
    assert guest_post(web, proposal, "An earlier remark", name="Leyla").status_code == 302
    assert web.client.get_cookie(GUEST_COOKIE)
    page = web.text(reply_url(proposal, root))
    quoted = page[page.index("comment-answered"):page.index("</blockquote>")]
    assert "Who can cover <strong>Saturday</strong>?" in quoted and "Maria" in quoted
    assert 'value="Leyla"' in page  # the name chosen before
    assert "was not saved yet" not in page
    response = web.post(reply_url(proposal, root), {"name": "Leyla", "body": "I can."})
    assert response.status_code == 302
    assert stored()[-1].parent_id == root.id


def test_a_member_s_reply_page_has_no_name_field(web, story):
    clinic, maria, proposal, root = story
    web.login(maria)
    page = web.text(reply_url(proposal, root))
    assert 'name="name"' not in page and 'name="body"' in page


def test_a_rejected_reply_keeps_the_text_under_the_comment(web, story):
    clinic, maria, proposal, root = story
    web.login(maria)
    response = web.post(reply_url(proposal, root), {"body": "x" * (comments.MAX_BODY + 1)})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "was not saved yet" in page and "comment-answered" in page


def test_no_reply_to_a_held_hidden_or_withdrawn_comment_nor_its_text(web, other_web, story):
    clinic, maria, proposal, root = story
    clinic.incomer_comments = IncomerComments.HELD.value
    db.session.commit()
    assert guest_post(other_web, proposal, "HELD-WORDS").status_code == 302
    held = stored()[-1]
    hidden = comments.add_comment(proposal, maria, "HIDDEN-WORDS")
    comments.hide(hidden, maria, "Off topic")
    withdrawn = comments.add_comment(proposal, maria, "WITHDRAWN-WORDS")
    comments.withdraw_own(withdrawn, maria)
    db.session.commit()
    page = web.text(page_url(proposal))
    assert f'href="{reply_url(proposal, root)}"' in page
    for closed in (held, hidden, withdrawn):  # no link offered where the page would refuse
        assert f'href="{reply_url(proposal, closed)}"' not in page
    for closed, words in ((held, "HELD-WORDS"), (hidden, "HIDDEN-WORDS"),
                          (withdrawn, "WITHDRAWN-WORDS")):
        response = web.get(reply_url(proposal, closed))
        assert response.status_code == 403, words
        assert words not in response.get_data(as_text=True)
        # a refused post does not show it either
        refused = web.post(reply_url(proposal, closed), {"name": "Leyla", "body": ""})
        assert words not in refused.get_data(as_text=True), words


def test_a_closed_proposal_s_reply_page_is_not_found(web, make, story):
    clinic, maria, proposal, root = story
    closed = make.proposal(make.assembly(clinic), maria, phase="drafting",
                           visibility="members", text=TEXT)
    secret = comments.add_comment(closed, maria, "MEMBERS-ONLY-WORDS")
    db.session.commit()
    response = web.get(reply_url(closed, secret))
    assert response.status_code == 404
    assert "MEMBERS-ONLY-WORDS" not in response.get_data(as_text=True)
