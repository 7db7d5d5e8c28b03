"""Comment forms on the proposal page, posted as a browser would, on both backends."""

import pytest

from assembly.comments import service as comments
from assembly.comments.models import Comment
from assembly.extensions import db

TEXT = "First paragraph about the pharmacy.\n\nSecond paragraph about the rota."


def page_url(proposal):
    return f"/c/{proposal.collective.slug}/p/{proposal.id}-{proposal.slug}"


def base(proposal):
    return f"/c/{proposal.collective.slug}/p/{proposal.id}/comments"


def stored(comment_id=None):
    db.session.expire_all()
    if comment_id is None:
        return list(db.session.scalars(db.select(Comment).order_by(Comment.id)))
    return db.session.get(Comment, comment_id)


def test_the_page_offers_a_form_per_paragraph_and_one_for_the_whole(web, story):
    clinic, maria, nikos, proposal = story
    web.login(maria)
    page = web.text(page_url(proposal))
    assert page.count("Comment on this paragraph") == 2
    assert 'name="paragraph" value="1"' in page
    assert 'for="comment-body-whole"' in page


def test_a_member_comments_on_a_paragraph_and_it_shows_beside_it(web, story):
    clinic, maria, nikos, proposal = story
    web.login(nikos)
    response = web.post(base(proposal), {"body": "The rota needs **two** people",
                                         "paragraph": "1", "revision": "1"})
    assert response.status_code == 302
    [comment] = stored()
    assert response.headers["Location"].endswith(f"#comment-{comment.id}")
    assert comment.paragraph_index == 1 and comment.author_id == nikos.id
    page = web.text(page_url(proposal))
    paragraph = page[page.index('id="paragraph-2"'):page.index("On the whole proposal")]
    assert "The rota needs <strong>two</strong> people" in paragraph


def test_reply_edit_withdraw_resolve_through_the_forms(web, other_web, story):
    clinic, maria, nikos, proposal = story
    web.login(maria)
    other_web.login(nikos)
    assert web.post(base(proposal), {"body": "Whole-proposal remark"}).status_code == 302
    [root] = stored()
    url = f"{base(proposal)}/{root.id}"
    assert other_web.post(f"{url}/reply", {"body": "An answer"}).status_code == 302
    assert web.post(f"{url}/edit", {"body": "Better remark"}).status_code == 302
    page = web.text(page_url(proposal))
    assert "Better remark" in page and "Earlier versions (1)" in page
    assert "Whole-proposal remark" in page  # in the history
    assert other_web.post(f"{url}/resolve").status_code == 302
    assert stored(root.id).resolved_by_id == nikos.id
    assert "Resolved by Nikos" in web.text(page_url(proposal))
    assert web.post(f"{url}/reopen").status_code == 302
    assert stored(root.id).resolved_at is None
    assert web.post(f"{url}/withdraw").status_code == 302
    page = web.text(page_url(proposal))
    assert "Withdrawn by its author." in page and "Better remark" not in page
    assert "An answer" in page
    assert [v.body for v in stored(root.id).versions] == ["Whole-proposal remark",
                                                          "Better remark"]


def test_editing_someone_elses_comment_is_forbidden(web, other_web, story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, maria, "Mine")
    db.session.commit()
    other_web.login(nikos)
    url = f"{base(proposal)}/{comment.id}"
    assert other_web.post(f"{url}/edit", {"body": "Taken"}).status_code == 403
    assert other_web.post(f"{url}/withdraw").status_code == 403
    assert stored(comment.id).body == "Mine" and stored(comment.id).withdrawn_at is None


def test_reply_to_a_comment_of_another_proposal_is_not_found(web, make, story):
    clinic, maria, nikos, proposal = story
    other = make.proposal(make.assembly(clinic), maria, phase="drafting")
    elsewhere = comments.add_comment(other, maria, "On the other one")
    db.session.commit()
    web.login(nikos)
    response = web.post(f"{base(proposal)}/{elsewhere.id}/reply", {"body": "Hi"})
    assert response.status_code == 404
    assert web.post(f"{base(proposal)}/{elsewhere.id}/resolve").status_code == 404
    assert web.post(f"{base(proposal)}/999999/edit", {"body": "x"}).status_code == 404
    assert len(stored()) == 1


def test_non_members_are_forbidden_and_anonymous_need_a_name(web, make, story):
    clinic, maria, nikos, proposal = story
    outsider = make.member(make.collective("Elsewhere"), "Outsider")
    # Without an account: an incomer's comment, which needs a chosen name
    anonymous = web.post(base(proposal), {"body": "Hello"})
    assert anonymous.status_code == 422 and "This field is required." in anonymous.text
    web.login(outsider)
    assert web.post(base(proposal), {"body": "Hello"}).status_code == 403
    page = web.text(page_url(proposal))
    assert "Comment on this paragraph" not in page
    assert "Members of Clinic can comment here." in page
    assert stored() == []


@pytest.mark.parametrize("body, message", [
    ("", "This field is required."),
    ("   ", "This field is required."),
    ("x" * 200_000, "characters"),
    ("bell \x07 here", "invisible control characters"),
])
def test_bad_input_is_refused_and_what_was_typed_kept(web, story, body, message):
    clinic, maria, nikos, proposal = story
    web.login(maria)
    response = web.post(base(proposal), {"body": body})
    text = response.get_data(as_text=True)
    assert response.status_code in (413, 422)
    if response.status_code == 422:
        assert message in text
    assert stored() == []


def test_a_refused_edit_keeps_the_text(web, story):
    clinic, maria, nikos, proposal = story
    comment = comments.add_comment(proposal, maria, "Mine")
    db.session.commit()
    web.login(maria)
    response = web.post(f"{base(proposal)}/{comment.id}/edit", {"body": "kept words \x07"})
    assert response.status_code == 422
    assert "kept words" in response.get_data(as_text=True)
    assert stored(comment.id).body == "Mine"


def test_anchor_to_a_missing_paragraph_or_junk_is_refused(web, story):
    clinic, maria, nikos, proposal = story
    web.login(maria)
    response = web.post(base(proposal), {"body": "x", "paragraph": "7", "revision": "1"})
    assert response.status_code == 422
    assert "no longer there" in response.get_data(as_text=True)
    assert web.post(base(proposal), {"body": "x", "paragraph": "a' OR 1=1"}).status_code == 400
    assert stored() == []


def test_a_forged_form_is_refused(web, story):
    clinic, maria, nikos, proposal = story
    web.login(maria)
    response = web.post(base(proposal), {"body": "x", "csrf_token": "forged"})
    assert response.status_code == 400
    assert stored() == []


def test_hostile_markdown_is_sanitised_on_the_page(web, other_web, story):
    clinic, maria, nikos, proposal = story
    web.login(maria)
    web.post(base(proposal), {"body": "<script>alert('CANARY')</script>[x](javascript:alert(1))"})
    assert len(stored()) == 1
    page = other_web.text(page_url(proposal))  # a reader: no edit form holding the source
    assert "CANARY" in page  # the words, escaped
    assert "<script>alert('CANARY')" not in page and "javascript:alert" not in page


def test_the_paragraph_changed_note_shows_on_the_page(web, story):
    from assembly.proposals import service as proposals

    clinic, maria, nikos, proposal = story
    comments.add_comment(proposal, nikos, "About the rota", revision_number=1,
                         paragraph_index=1)
    proposals.revise(proposal, maria, "First paragraph about the pharmacy.\n\nRota: weekly.",
                     base_revision=1)
    db.session.commit()
    page = web.text(page_url(proposal))
    paragraph = page[page.index('id="paragraph-2"'):page.index('id="comments-heading"')]
    assert "Paragraph changed since." in paragraph and "About the rota" in paragraph
    assert f"/p/{proposal.id}/revisions/1#paragraph-2" in paragraph


def test_confidential_comments_never_reach_non_participants(web, other_web, make):
    clinic = make.collective("Clinic")
    maria = make.member(clinic, "Maria")
    nikos = make.member(clinic, "Nikos")
    group = make.working_group(clinic, maria, "Support", visibility="confidential")
    secret = make.proposal(group, maria, phase="drafting", text="CANARY-TEXT")
    comment = comments.add_comment(secret, maria, "CANARY-COMMENT")
    db.session.commit()
    web.login(maria)
    assert "CANARY-COMMENT" in web.text(page_url(secret))
    other_web.login(nikos)
    url = f"{base(secret)}/{comment.id}"
    for response in (other_web.get(page_url(secret)),
                     other_web.post(base(secret), {"body": "peek"}),
                     other_web.post(f"{url}/reply", {"body": "peek"}),
                     other_web.post(f"{url}/edit", {"body": "peek"}),
                     other_web.post(f"{url}/resolve")):
        assert response.status_code == 404
        assert "CANARY" not in response.get_data(as_text=True)
    web.post("/logout")
    for path in ("/", f"/c/{clinic.slug}/", page_url(secret)):
        assert "CANARY-COMMENT" not in web.text(path)
    assert [c.body for c in stored()] == ["CANARY-COMMENT"]
