"""A long discussion opens at its latest comments, with the comments they answer up to their
thread's first, and every incomer's comment waiting for approval (for the members who approve
them); a note says how many are shown and links to the whole discussion. The heading counts
every comment. What a reader may not read stays not found. Both backends."""

import re

import pytest

from assembly.collectives.models import IncomerComments
from assembly.comments import service as comments
from assembly.extensions import db
from tests.comments.test_views import TEXT, base, page_url
from tests.conftest import WebClient

SHOWN = 3  # instead of the 60 a page shows: the same rules, on a short discussion
CANARY = "CANARY-CASE-COMMENT-3b9d"
WHOLE = re.compile(r'<a href="([^"]*discussion=whole[^"]*)">Read the whole discussion</a>')


@pytest.fixture(autouse=True)
def few_shown(monkeypatch):
    monkeypatch.setattr(comments, "LATEST_SHOWN", SHOWN)


def words(n: int) -> str:
    """A comment's text, never a part of another's (WORDS-01 is not in WORDS-011)."""
    return f"WORDS-{n:02d}."


def say(proposal, person, *numbers):
    made = [comments.add_comment(proposal, person, words(n)) for n in numbers]
    db.session.commit()
    return made


def heading_count(page: str) -> int:
    return int(re.search(r'id="comments-heading">Comments <span class="muted">\((\d+)\)',
                         page).group(1))


def note(shown: int, total: int) -> str:
    return f"A long discussion: {shown} of its {total} comments are shown here"


def whole_link(page: str) -> str | None:
    found = WHOLE.search(page)
    return found.group(1).replace("&amp;", "&") if found else None


def position(page: str, comment) -> int:
    return page.index(f'id="comment-{comment.id}"')


def test_the_latest_are_shown_the_oldest_a_link_away(web, story):
    clinic, maria, nikos, proposal = story
    say(proposal, maria, *range(1, 9))
    page = web.text(page_url(proposal))
    assert [n for n in range(1, 9) if words(n) in page] == [6, 7, 8]
    assert heading_count(page) == 8  # every comment, shown or not
    assert note(3, 8) in page
    link = whole_link(page)
    assert link, "no link to the whole discussion"
    assert link.split("#")[0] == f"{page_url(proposal)}?discussion=whole"
    whole = web.text(link.split("#")[0])
    assert [n for n in range(1, 9) if words(n) in whole] == list(range(1, 9))
    assert heading_count(whole) == 8
    assert "A long discussion" not in whole and whole_link(whole) is None
    # oldest first, as a discussion is read
    positions = [whole.index(words(n)) for n in range(1, 9)]
    assert positions == sorted(positions)


def test_no_note_while_every_comment_is_shown(web, story):
    clinic, maria, nikos, proposal = story
    page = web.text(page_url(proposal))
    assert heading_count(page) == 0 and "A long discussion" not in page
    say(proposal, maria, *range(1, SHOWN + 1))
    page = web.text(page_url(proposal))
    assert all(words(n) in page for n in range(1, SHOWN + 1))
    assert heading_count(page) == SHOWN
    assert "A long discussion" not in page and whole_link(page) is None
    say(proposal, nikos, SHOWN + 1)  # one more than the page shows
    page = web.text(page_url(proposal))
    assert note(SHOWN, SHOWN + 1) in page and whole_link(page)
    assert words(1) not in page and words(SHOWN + 1) in page


def test_a_reply_shown_brings_what_it_answers_up_to_its_thread(web, story):
    clinic, maria, nikos, proposal = story
    # An old thread on the second paragraph, old comments, then a new answer deep in the thread.
    root = comments.add_comment(proposal, maria, words(1), revision_number=1,
                                paragraph_index=1)
    answer = comments.reply(root, nikos, words(2))
    db.session.commit()
    say(proposal, maria, *range(3, 8))
    newest = comments.reply(answer, maria, words(8))
    db.session.commit()
    page = web.text(page_url(proposal))
    # the latest three (6, 7 and the new answer) and what the answer answers (2, then 1)
    assert [n for n in range(1, 9) if words(n) in page] == [1, 2, 6, 7, 8]
    assert heading_count(page) == 8
    assert note(5, 8) in page
    # nested as the thread is, beside its paragraph
    assert position(page, root) < position(page, answer) < position(page, newest)
    beside = page[page.index('id="paragraph-2"'):page.index('id="comments-heading"')]
    assert all(words(n) in beside for n in (1, 2, 8))
    thread = page[position(page, root):]
    assert thread.index('class="comment-replies"') < thread.index(f'id="comment-{answer.id}"')


def test_members_see_every_held_comment_of_incomers_however_old(web, other_web, story):
    clinic, maria, nikos, proposal = story
    clinic.incomer_comments = IncomerComments.HELD.value
    db.session.commit()
    [first] = say(proposal, maria, 1)
    held = comments.guest_reply(first, comments.Guest("g-old"), "Leyla", "HELD-ANSWER")
    lone = comments.add_guest_comment(proposal, comments.Guest("g-other"), "Omar", "HELD-LONE")
    db.session.commit()
    assert held.held and lone.held
    say(proposal, nikos, *range(2, 7))
    web.login(maria)
    member = web.text(page_url(proposal))
    assert "HELD-ANSWER" in member and "HELD-LONE" in member
    assert "Comments of incomers waiting for approval (2)" in member
    # the held answer brings the comment it answers; held ones are not counted as shown
    assert [n for n in range(1, 7) if words(n) in member] == [1, 4, 5, 6]
    assert heading_count(member) == 6 and note(4, 6) in member
    assert position(member, first) < position(member, held)
    # a reader without an account sees neither, nor the old comment the held one answers
    reader = other_web.text(page_url(proposal))
    assert "HELD-ANSWER" not in reader and "HELD-LONE" not in reader
    assert "waiting for approval" not in reader
    assert [n for n in range(1, 7) if words(n) in reader] == [4, 5, 6]
    assert heading_count(reader) == 6 and note(3, 6) in reader


def test_an_incomer_sees_their_own_held_comment_however_old(web, other_web, story):
    clinic, maria, nikos, proposal = story
    clinic.incomer_comments = IncomerComments.HELD.value
    db.session.commit()
    response = web.post(base(proposal), {"name": "Leyla", "body": "MY-HELD-WORDS"})
    assert response.status_code == 302
    say(proposal, nikos, *range(1, 6))
    mine = web.text(page_url(proposal))
    assert "MY-HELD-WORDS" in mine and "Waiting for a member" in mine
    assert [n for n in range(1, 6) if words(n) in mine] == [3, 4, 5]
    assert heading_count(mine) == 5 and note(3, 5) in mine
    assert "MY-HELD-WORDS" in web.text(f"{page_url(proposal)}?discussion=whole")
    # another incomer does not see it, on either page
    for url in (page_url(proposal), f"{page_url(proposal)}?discussion=whole"):
        assert "MY-HELD-WORDS" not in other_web.text(url)


def test_a_confidential_discussion_stays_not_found(app, web, other_web, make, story):
    clinic, maria, nikos, proposal = story
    care = make.working_group(clinic, maria, "Case assembly", visibility="confidential")
    secret = make.proposal(care, maria, phase="drafting", text=TEXT)
    made = [comments.add_comment(secret, maria, f"{CANARY} {n}") for n in range(SHOWN + 2)]
    comments.reply(made[0], maria, f"{CANARY} answer")
    db.session.commit()
    # the participant reads it, the long discussion opened at its latest
    participant = WebClient(app.test_client())
    participant.login(maria)
    inside = participant.text(page_url(secret))
    assert CANARY in inside and note(SHOWN + 1, SHOWN + 3) in inside
    # neither an incomer (web) nor a member who is not a participant learns anything
    other_web.login(nikos)
    for reader in (web, other_web):
        for url in (page_url(secret), f"{page_url(secret)}?discussion=whole",
                    f"/c/{clinic.slug}/p/{secret.id}?discussion=whole"):
            response = reader.get(url)
            assert response.status_code == 404, url
            assert CANARY not in response.get_data(as_text=True)
        assert CANARY not in reader.text(page_url(proposal))
