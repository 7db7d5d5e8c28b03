"""One proposal from identified to agreed to re-evaluated, through the real pages, as a member
would do it in a browser. Screenshots go to tests/artifacts/."""

import re
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.browser


def step(page, name: str, fields: dict | None = None):
    """Open a step of the proposal page, fill it by label, and send it."""
    box = page.locator(f"#step-{name}")
    box.locator("summary").click()
    for label, value in (fields or {}).items():
        control = box.get_by_label(label, exact=True)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value) if not value.isdigit() else \
                control.select_option(value)
        else:
            control.fill(value)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_proposal_from_identified_to_agreed_to_re_evaluated(server, browser, screenshot):
    output = server.flask("assembly", "create-collective", "Social Clinic of the Port",
                          "--slug", "port-clinic", "--languages", "el en ar",
                          "--timezone", "Europe/Athens")
    link = re.search(r"http://\S+/join/\S+", output).group(0)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()

    # Joining by the one-time link
    page.goto(link)
    page.get_by_label("Your name, as others will see it").fill("Maria")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Join").click()
    assert "Signed in as Maria" in page.content()

    # A one-off meeting of the general assembly, tomorrow evening ("tonight" is in the past
    # late in the evening, and a new meeting cannot start in the past)
    page.goto(f"{server.url}/c/port-clinic/b/assembly/meetings/new")
    page.get_by_label("Date").fill((date.today() + timedelta(days=1)).isoformat())
    page.get_by_label("Time").fill("19:00")
    page.get_by_role("button", name=re.compile("meeting", re.I)).last.click()
    page.wait_for_load_state()
    meeting_url = page.url
    assert "/m/" in meeting_url

    # Naming the need
    page.goto(f"{server.url}/c/port-clinic/b/assembly/proposals/new")
    page.get_by_label("Title").fill("Keep insulin in a second fridge")
    page.get_by_label("Text (Markdown, optional for now)").fill(
        "We buy a **second fridge** for insulin and keep a temperature log.")
    page.get_by_role("button", name="Record the proposal").click()
    proposal_url = page.url
    assert "Identified" in page.content()
    screenshot(page, "proposal-identified")

    step(page, "start_drafting", {"Reason": "The pharmacy asked for it"})
    assert "Drafting" in page.locator(".status-line").inner_text()
    step(page, "put_on_agenda")
    assert "On the agenda" in page.locator(".status-line").inner_text()

    # The meeting starts; the proposal is agreed there
    page.goto(meeting_url)
    page.get_by_role("button", name="Start meeting").click()
    page.wait_for_load_state()
    page.goto(proposal_url)
    review_on = (date.today() + timedelta(days=90)).isoformat()
    box = page.locator("#step-agree")
    box.locator("summary").click()
    box.get_by_label("Re-evaluate on").fill(review_on)
    box.get_by_label("Who implements it").fill("The pharmacy working group")
    box.get_by_label("Maria").check()
    box.get_by_label("Guests present (without an account)").fill("4")
    box.locator("select[name='agree-positions-0-kind']").select_option("stand_aside")
    box.locator("input[name='agree-positions-0-name']").fill("Yusuf")
    box.locator("input[name='agree-positions-0-reason']").fill("I could not read it in time")
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    content = page.content()
    assert "Agreed" in page.locator(".status-line").inner_text()
    assert "I could not read it in time" in content and "4 guests" in content
    screenshot(page, "proposal-agreed")

    # Re-evaluation, asked early by a member, confirmed with a note on the process
    step(page, "open_review", {"Reason": "The fridge broke down once"})
    assert "Under review" in page.locator(".status-line").inner_text()
    box = page.locator("#step-confirm")
    box.locator("summary").click()
    box.get_by_label("About the process: what would we do differently?").fill(
        "Check the temperature log every week")
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Agreed" in page.locator(".status-line").inner_text()
    history = page.locator(".history").inner_text()
    for words in ("named this proposal", "Under review", "Check the temperature log every week"):
        assert words in history
    screenshot(page, "proposal-re-evaluated")

    # The same page in Arabic: right-to-left
    page.get_by_label("Language", exact=True).select_option("ar")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    screenshot(page, "proposal-arabic")
    context.close()
