"""Two members edit the same proposal at once in two browsers: the second save is refused with
both versions shown side by side, nothing typed is lost, and the draft survives a reload.
Screenshots go to tests/artifacts/."""

import re

import pytest

from tests.browser.conftest import two_members

pytestmark = pytest.mark.browser

SLUG = "harbour-clinic"


def words(text: str) -> str:
    return " ".join(text.split())


def drafts(page) -> dict:
    return page.evaluate("""() => Object.fromEntries(Object.keys(localStorage)
        .filter(k => k.startsWith('assembly.draft.')).map(k => [k, localStorage.getItem(k)]))""")


def test_two_members_edit_the_same_proposal(server, browser, screenshot):
    (maria_context, maria), (yusuf_context, yusuf) = two_members(server, browser,
                                                                 "Harbour Clinic", SLUG)

    maria.goto(f"{server.url}/c/{SLUG}/b/assembly/proposals/new")
    maria.get_by_label("Title").fill("Opening hours")
    maria.get_by_label("Text (Markdown, optional for now)").fill(
        "We open on Saturdays from 10 to 14.")
    maria.get_by_role("button", name="Record the proposal").click()
    proposal_url = maria.url
    edit_url = re.sub(r"(/p/\d+)-.*$", r"\1/edit", proposal_url)

    # Both open the editor on revision 1
    maria.goto(edit_url)
    yusuf.goto(edit_url)
    maria.get_by_label("Text (Markdown)").fill("We open on Saturdays and Sundays from 10 to 14.")
    yusuf.get_by_label("Text (Markdown)").fill("We open on Saturdays from 9 to 14.")
    assert list(drafts(yusuf).values()) == ["We open on Saturdays from 9 to 14."]

    maria.get_by_role("button", name="Save as a new revision").click()
    maria.wait_for_load_state()
    assert "Saved as revision 2" in maria.content()

    # Yusuf saves second: refused, both changes shown, his text kept in the box
    yusuf.get_by_role("button", name="Save as a new revision").click()
    yusuf.wait_for_load_state()
    assert "Someone saved a newer version" in yusuf.content()
    theirs = yusuf.locator("[data-diff=theirs]")
    mine = yusuf.locator("[data-diff=mine]")
    # screen readers hear "added:"; everyone sees a + besides the colour
    assert words(theirs.locator("ins").text_content()) == "added: +and Sundays"
    assert "9" in mine.locator("ins").all_inner_texts()[-1]
    assert "and Sundays" in " ".join(mine.locator("del").all_inner_texts())
    assert yusuf.get_by_label("Text (Markdown)").input_value() == \
        "We open on Saturdays from 9 to 14."
    screenshot(yusuf, "proposal-merge-view")

    # He brings both together, but closes the page before saving: the draft comes back
    yusuf.get_by_label("Text (Markdown)").fill(
        "We open on Saturdays and Sundays from 9 to 14.")
    yusuf.goto(edit_url)
    notice = yusuf.locator(".draft-notice")
    assert notice.is_visible()
    assert "restored from this browser" in notice.inner_text()
    assert yusuf.get_by_label("Text (Markdown)").input_value() == \
        "We open on Saturdays and Sundays from 9 to 14."
    screenshot(yusuf, "proposal-draft-restored")
    # Discarding puts back the current text
    notice.get_by_role("button", name="Discard the saved draft").click()
    assert yusuf.get_by_label("Text (Markdown)").input_value() == \
        "We open on Saturdays and Sundays from 10 to 14."
    yusuf.get_by_label("Text (Markdown)").fill("We open on Saturdays and Sundays from 9 to 14.")
    yusuf.get_by_label("What did you change? (short)").fill("Opening at 9")
    yusuf.get_by_role("button", name="Save as a new revision").click()
    yusuf.wait_for_load_state()
    assert "Saved as revision 3" in yusuf.content()
    assert yusuf.locator("[data-draft-saved]").count() == 1
    yusuf.wait_for_load_state("networkidle")
    assert drafts(yusuf) == {}  # a saved text leaves no draft behind

    # The revisions list leads to a readable diff
    yusuf.get_by_role("link", name=re.compile("compare with previous.*revision 3")).click()
    yusuf.wait_for_load_state()
    diff = yusuf.locator(".diff")
    assert words(diff.locator("del").text_content()) == "removed: −10"
    assert words(diff.locator("ins").text_content()) == "added: +9"
    yusuf.get_by_label("From revision").select_option("1")
    yusuf.get_by_role("button", name="Compare").click()
    yusuf.wait_for_load_state()
    assert "revisions 1 and 3" in yusuf.locator("h1").inner_text()
    assert "and Sundays" in " ".join(yusuf.locator(".diff ins").all_inner_texts())
    screenshot(yusuf, "proposal-compare")

    maria_context.close()
    yusuf_context.close()
