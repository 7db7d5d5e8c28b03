"""Paragraph comments beside their paragraph: a member comments on paragraph 2; an edit of
paragraph 1 only leaves the comment attached and unmarked; an edit of paragraph 2 marks it
"paragraph changed since" with a link to the revision it was written on. Phone (360px) and
desktop screenshots go to tests/artifacts/."""

import re

import pytest

from tests.browser.conftest import two_members

pytestmark = pytest.mark.browser

SLUG = "river-clinic"
FIRST = "We open the pharmacy on Saturdays."
SECOND = "Two people keep the rota each week."


def save_text(page, edit_url: str, text: str) -> None:
    page.goto(edit_url)
    page.get_by_label("Text (Markdown)").fill(text)
    page.get_by_role("button", name="Save as a new revision").click()
    page.wait_for_load_state()


def test_paragraph_comments_follow_their_paragraph(server, browser, screenshot):
    (maria_context, maria), (yusuf_context, yusuf) = two_members(server, browser,
                                                                 "River Clinic", SLUG)

    maria.goto(f"{server.url}/c/{SLUG}/b/assembly/proposals/new")
    maria.get_by_label("Title").fill("Saturday pharmacy")
    maria.get_by_label("Text (Markdown, optional for now)").fill(f"{FIRST}\n\n{SECOND}")
    maria.get_by_role("button", name="Record the proposal").click()
    proposal_url = maria.url.split("#")[0]
    edit_url = re.sub(r"(/p/\d+)-.*$", r"\1/edit", proposal_url)

    # Yusuf comments on paragraph 2, from the form right beside it
    yusuf.goto(proposal_url)
    second = yusuf.locator("#paragraph-2")
    second.get_by_text("Comment on this paragraph").click()
    second.get_by_label("Your comment (Markdown)").fill("Who covers the summer weeks?")
    second.get_by_role("button", name="Add the comment").click()
    yusuf.wait_for_load_state()
    comment = yusuf.locator("#paragraph-2 .comment")
    assert "Who covers the summer weeks?" in comment.inner_text()

    # Maria edits paragraph 1 only: the comment stays on paragraph 2, unmarked
    save_text(maria, edit_url, f"We open the pharmacy on Saturdays and Sundays.\n\n{SECOND}")
    yusuf.goto(proposal_url)
    comment = yusuf.locator("#paragraph-2 .comment")
    assert "Who covers the summer weeks?" in comment.inner_text()
    assert yusuf.locator("#paragraph-1 .comment").count() == 0
    assert "Paragraph changed since" not in comment.inner_text()

    # Maria edits paragraph 2: the comment is marked, with a link to revision 1
    save_text(maria, edit_url,
              "We open the pharmacy on Saturdays and Sundays.\n\nThree people keep the rota.")
    yusuf.goto(proposal_url)
    comment = yusuf.locator("#paragraph-2 .comment")
    assert "Paragraph changed since." in comment.inner_text()
    link = comment.get_by_role("link", name="Written on revision 1")
    assert link.get_attribute("href").endswith("/revisions/1#paragraph-2")

    # Desktop: the comments sit in a column beside the paragraph
    text_box = yusuf.locator("#paragraph-2 .paragraph-text").bounding_box()
    side_box = yusuf.locator("#paragraph-2 .paragraph-comments").bounding_box()
    assert side_box["x"] > text_box["x"] + text_box["width"] - 1
    screenshot(yusuf, "paragraph-comments-desktop")

    # Phone: right under the paragraph
    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-GB")
    reader = phone.new_page()
    reader.goto(proposal_url)
    text_box = reader.locator("#paragraph-2 .paragraph-text").bounding_box()
    side_box = reader.locator("#paragraph-2 .paragraph-comments").bounding_box()
    assert side_box["y"] >= text_box["y"] + text_box["height"] - 1
    assert reader.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(reader, "paragraph-comments-phone")

    # The link leads to the paragraph as it was
    link.click()
    yusuf.wait_for_load_state()
    assert SECOND in yusuf.locator("#paragraph-2").inner_text()
    for context in (maria_context, yusuf_context, phone):
        context.close()
