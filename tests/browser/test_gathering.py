"""A network gathering with two working tables, run in a browser: two people on two devices
take live notes at their tables (the live console of each table's meeting), one table's report
is published, and its proposals appear in the network's lifecycle and in a member collective's
view. Screenshots go to tests/artifacts/."""

import re
import subprocess
import sys
import textwrap

import pytest

from tests.browser.conftest import ROOT
from tests.browser.test_live_meeting import live, watch

SEED = textwrap.dedent('''
    from datetime import date, timedelta
    from assembly import create_app
    from assembly.extensions import db
    from assembly.collectives.service import create_collective, join_network
    from assembly.people.service import add_member, create_person
    from assembly.gatherings import service

    app = create_app()
    with app.app_context():
        port = create_collective("Port Clinic", slug="port-clinic", languages="el en")
        hill = create_collective("Hill Clinic", slug="hill-clinic", languages="el en")
        maria = create_person("Maria", "a long enough password")
        nikos = create_person("Nikos", "a long enough password")
        add_member(port, maria)
        add_member(hill, nikos)
        network = create_collective("Solidarity Network", slug="solidarity", kind="network",
                                    languages="el en")
        join_network(network, port, maria)
        join_network(network, hill, nikos)
        gathering = service.create_gathering(
            network, maria, title="Spring gathering", place="Thessaloniki",
            starts_on=date.today(), languages="en el")
        service.add_table(gathering, maria, title="Access to care", participants=[nikos],
                          guiding_questions="- Who cannot reach us?\\n- What would help?")
        service.add_table(gathering, nikos, title="Medicines", participants=[maria],
                          guiding_questions="- Where do medicines come from?")
        db.session.commit()
''')


def seed(server) -> None:
    subprocess.run([sys.executable, "-c", SEED], env=server.env, cwd=ROOT, check=True,
                   capture_output=True)


def sign_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Name or email").fill(name)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def take_notes(page, base: str, table_url: str, notes: list[str]) -> str:
    """Open the table's meeting, start it, take over its console and write notes per
    question. Returns the meeting page's address."""
    from playwright.sync_api import expect

    page.goto(table_url)
    page.get_by_role("link", name="The table's meeting").click()
    meeting_url = page.url
    page.get_by_role("button", name="Start meeting").click()
    page.wait_for_load_state()
    page.goto(meeting_url + "/console")
    live(page)
    page.get_by_role("button", name="Take over facilitation").click()
    expect(page.locator("#co-facilitator")).to_contain_text("You are facilitating")
    for text in notes:
        page.keyboard.press("n")  # the next question
        page.wait_for_timeout(300)
        page.locator("#co-notes").fill(text)
        page.get_by_role("button", name="Save notes").click()
        expect(page.locator("#co-notes-state")).to_have_text("Notes saved.")
    return meeting_url


@pytest.mark.browser
def test_a_gathering_with_two_tables_reports_into_the_lifecycle(server, browser, screenshot):
    from playwright.sync_api import expect

    seed(server)
    base = server.url
    laptop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    tablet = browser.new_context(viewport={"width": 900, "height": 1100}, locale="en-GB")
    maria, nikos = watch(laptop.new_page()), watch(tablet.new_page())
    sign_in(maria, base, "Maria")
    sign_in(nikos, base, "Nikos")

    maria.goto(f"{base}/c/solidarity/")
    maria.get_by_role("link", name="Gatherings and working tables").click()
    maria.get_by_role("link", name="Spring gathering").click()
    gathering_url = maria.url
    expect(maria.locator(".working-tables li")).to_have_count(2)
    screenshot(maria, "gathering-tables")
    access = maria.get_by_role("link", name="Access to care").get_attribute("href")
    medicines = maria.get_by_role("link", name="Medicines").get_attribute("href")

    # Two devices, two tables, notes taken live at the same time.
    access_meeting = take_notes(maria, base, base + access, [
        "Families far from the bus line; people without papers fear the desk.",
        "A mobile clinic; a shared rota of interpreters."])
    medicines_meeting = take_notes(nikos, base, base + medicines, [
        "Donations from pharmacies, pooled across the network."])
    screenshot(maria, "gathering-console-notes")
    for page, url in ((maria, access_meeting), (nikos, medicines_meeting)):
        page.goto(url)
        page.get_by_role("button", name="Close meeting").click()
        page.wait_for_load_state()

    # The report of the first table: drafted from its live notes, then published.
    maria.goto(base + access)
    report = maria.get_by_label("Report (Markdown)")
    expect(report).to_have_value(re.compile("Families far from the bus line"))
    maria.get_by_label("Proposals and future directions").fill(
        "- A mobile clinic on Tuesdays\n  One van, two volunteers, an interpreter.\n"
        "- A shared rota of interpreters")
    maria.get_by_role("button", name="Save the report").click()
    maria.wait_for_load_state()
    maria.get_by_label("Port Clinic").check()  # to the network (checked) and her own clinic
    maria.get_by_role("button", name="Publish the report").click()
    maria.wait_for_load_state()
    expect(maria.locator(".flash")).to_contain_text("4 proposals")
    expect(maria.locator(".table-proposals li")).to_have_count(4)
    screenshot(maria, "gathering-report-published")

    # The network's lifecycle: the proposal page, identified, its history naming the table.
    maria.locator(".table-proposals a", has_text="A mobile clinic on Tuesdays").first.click()
    expect(maria.locator("body")).to_contain_text("Identified")
    expect(maria.locator("body")).to_contain_text("working table “Access to care”")
    assert "/c/solidarity/p/" in maria.url
    screenshot(maria, "gathering-proposal-network")

    # An incomer reads the printable report, and the member collective's front door shows
    # the proposals that came to it; the second table's minutes carry its notes.
    reader = watch(browser.new_context(locale="en-GB").new_page())
    reader.goto(base + access + "/report/print")
    expect(reader.locator("h1")).to_contain_text("Report of Access to care")
    expect(reader.locator("body")).to_contain_text("A shared rota of interpreters")
    reader.emulate_media(media="print")
    screenshot(reader, "gathering-report-print")
    reader.goto(f"{base}/c/port-clinic/")
    expect(reader.locator("body")).to_contain_text("A mobile clinic on Tuesdays")
    screenshot(reader, "gathering-member-collective")
    reader.goto(medicines_meeting)
    expect(reader.locator("body")).to_contain_text("Donations from pharmacies")
    reader.goto(gathering_url)
    expect(reader.locator(".working-tables")).to_contain_text("Report published")
