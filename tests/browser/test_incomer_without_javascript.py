"""An incomer with JavaScript switched off, on a phone: finds the clinic's front door, reads a
proposal being decided, searches the open archive, and comments with only a name."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_incomer_reads_searches_and_comments_without_javascript(browser, demo_server,
                                                                 screenshot):
    context = browser.new_context(java_script_enabled=False, locale="en-GB",
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()

    # The front door, found from the home page.
    page.goto(demo_server.url + "/")
    page.get_by_role("link", name=re.compile("Κοινωνικό Ιατρείο")).first.click()
    assert page.url.endswith("/c/solidarity-clinic/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Κοινωνικό Ιατρείο")
    assert "without an account" in page.inner_text("main")
    screenshot(page, "incomer-front-door")

    # A proposal being decided: its text and its history are there to read.
    proposal_links = page.locator("main a[href*='/p/']")
    assert proposal_links.count() >= 3
    proposal_links.first.click()
    # A click waits for the navigation to commit, not for the whole page: on a loaded machine
    # the history further down had not arrived when it was counted.
    page.wait_for_load_state()
    title = page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".proposal-text, [id^=paragraph-]").count() >= 1
    expect(page.get_by_role("heading", name=re.compile("History"))).to_have_count(1)
    proposal_url = page.url

    # Searching from the header: results are highlighted, and lead back to readable pages.
    word = title.split()[0]
    page.locator("#site-search-q").fill(word)
    page.locator("#site-search-q").press("Enter")
    page.wait_for_load_state()
    assert "/search" in page.url
    assert page.locator("main mark").count() >= 1
    screenshot(page, "incomer-search")

    # A comment with only a name: no account, no e-mail.
    page.goto(proposal_url)
    form = page.locator("form:has(#guest-name-whole)")  # on the whole proposal
    form.get_by_label("Your name, as others will see it").fill("Ayşe")
    form.locator("textarea").first.fill(
        "Could the Saturday shift also have someone who speaks Turkish?")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    thread = page.inner_text("main")
    assert "Could the Saturday shift also have someone who speaks Turkish?" in thread
    assert "Ayşe" in thread
    screenshot(page, "incomer-commented")

    # Answering it: each comment links to a reply page, the comment quoted above the form and
    # the name chosen a moment ago already there.
    mine = page.locator("article.comment", has_text="someone who speaks Turkish")
    mine.get_by_role("link", name=re.compile("^Reply")).click()
    page.wait_for_load_state()
    assert "someone who speaks Turkish" in page.inner_text("blockquote.comment-answered")
    assert page.get_by_label("Your name, as others will see it").input_value() == "Ayşe"
    page.get_by_label("Your reply (Markdown)").fill("Or Kurdish: several of us speak it.")
    screenshot(page, "incomer-reply-page")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    reply = page.locator("article.comment .comment-replies", has_text="Or Kurdish")
    expect(reply).to_have_count(1)
    context.close()
