"""The live views of a meeting.

First the pages themselves (who may open which, the guest's name form), through the Flask test
client on SQLite and PostgreSQL. Then one meeting run for real in a browser: a projector, a
facilitator and three phones (one in Arabic, right-to-left) take an agenda item from raised hands
through a consensus check with a block to postponement, and agree at the next item. Screenshots
go to tests/artifacts/."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from assembly.extensions import db


def in_arabic(message: str) -> str:
    """The interface's own Arabic for a message (from the compiled catalogue)."""
    from babel.support import Translations

    folder = Path(__file__).resolve().parents[2] / "assembly" / "translations"
    translated = Translations.load(str(folder), ["ar"]).gettext(message)
    assert translated != message, f"no Arabic for {message!r}"
    return translated


def live_url(meeting, view: str) -> str:
    return f"/c/{meeting.collective.slug}/m/{meeting.id}/{view}"


# --- the pages (test client) -------------------------------------------------------------------

def test_projector_is_a_bare_page_with_the_join_code(web, make):
    collective = make.collective("Port Clinic")
    maria = make.member(collective, "Maria")
    meeting = make.meeting(make.assembly(collective), maria, live=True)
    page = web.text(live_url(meeting, "projector"))
    assert "site-header" not in page  # no header, no controls
    assert 'id="live-strings"' in page and 'type="application/json"' in page
    assert "vendor/socket.io.min.js" in page and "cdn" not in page.lower()
    assert '<svg class="qr"' in page
    assert f"assembly.test/live/{meeting.id}" in page.replace("<wbr>", "")


def test_console_is_for_members_only(web, other_web, make):
    collective = make.collective()
    maria = make.member(collective, "Maria")
    outsider = make.member(make.collective(), "Outsider")
    meeting = make.meeting(make.assembly(collective), maria, live=True)
    url = live_url(meeting, "console")
    assert web.get(url).status_code == 302  # anonymous: asked to sign in first
    other_web.login(outsider)
    assert other_web.get(url).status_code == 403
    web.login(maria)
    page = web.text(url)
    for words in ("Take over facilitation", "Call the next speaker", "Keyboard shortcuts",
                  "Back to drafting", "Save notes"):
        assert words in page


def test_live_pages_of_an_invisible_meeting_are_not_found(web, make):
    collective = make.collective()
    maria = make.member(collective, "Maria")
    group = make.working_group(collective, maria, visibility="members")
    meeting = make.meeting(group, maria, live=True)
    for view in ("projector", "console", "phone"):
        assert web.get(live_url(meeting, view)).status_code == 404
    assert web.get(f"/live/{meeting.id}").status_code == 404
    assert web.post(live_url(meeting, "live/join"), {"name": "Yusuf"}).status_code == 404


def test_short_link_leads_to_the_phone_view(web, make):
    collective = make.collective()
    maria = make.member(collective, "Maria")
    meeting = make.meeting(make.assembly(collective), maria, live=True)
    response = web.get(f"/live/{meeting.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(live_url(meeting, "phone"))
    assert web.get("/live/999999").status_code == 404


def test_member_goes_straight_to_the_phone_view(web, make):
    collective = make.collective()
    maria = make.member(collective, "Maria")
    meeting = make.meeting(make.assembly(collective), maria, live=True)
    web.login(maria)
    page = web.text(live_url(meeting, "phone"))
    for words in ("New point", "Direct response", "Clarifying question", "Point of process",
                  "Lower my hand", "Slower", "Translation", "Stand aside", "Block"):
        assert words in page
    assert "Your name" not in page


def test_incomer_joins_a_public_meeting_with_a_name(web, make):
    from assembly.live.models import LiveParticipant

    collective = make.collective()
    maria = make.member(collective, "Maria")
    meeting = make.meeting(make.assembly(collective), maria, live=True)
    page = web.text(live_url(meeting, "phone"))
    assert "Your name" in page and "New point" not in page

    refused = web.post(live_url(meeting, "live/join"), {"name": "   "})
    assert refused.status_code == 422
    assert "Error:" in refused.get_data(as_text=True)
    assert web.post(live_url(meeting, "live/join"), {"name": "Yusuf"},
                    csrf=False).status_code == 400

    joined = web.post(live_url(meeting, "live/join"), {"name": "Yusuf"})
    assert joined.status_code == 302
    assert joined.headers["Location"].endswith(live_url(meeting, "phone"))
    guest = db.session.scalars(sa.select(LiveParticipant).where(
        LiveParticipant.meeting_id == meeting.id)).one()
    assert guest.guest_name == "Yusuf" and guest.person_id is None
    with web.client.session_transaction() as session:
        assert session["live_guests"] == {str(meeting.id): guest.id}
    assert "New point" in web.text(live_url(meeting, "phone"))


def test_a_too_long_guest_name_is_kept_and_explained(web, make):
    collective = make.collective()
    maria = make.member(collective, "Maria")
    meeting = make.meeting(make.assembly(collective), maria, live=True)
    response = web.post(live_url(meeting, "live/join"), {"name": "Y" * 200})
    assert response.status_code == 422
    assert "Y" * 200 in response.get_data(as_text=True)


def test_links_partial_names_the_three_views(app, make):
    from flask import render_template

    collective = make.collective()
    maria = make.member(collective, "Maria")
    meeting = make.meeting(make.assembly(collective), maria, live=True)
    with app.test_request_context():
        html = render_template("live/_links.html", meeting=meeting)
    for view in ("phone", "projector", "console"):
        assert live_url(meeting, view) in html
    assert '<svg class="qr"' in html


def test_every_script_string_is_in_the_catalogue(app):
    """The scripts carry no words of their own: every key they ask for is in the catalogue."""
    from pathlib import Path

    from assembly.live.views import strings

    static = Path(app.static_folder) / "js"
    with app.test_request_context():
        catalogue = strings()
    asked = set()
    for script in static.glob("live-*.js"):
        source = script.read_text()
        asked |= set(re.findall(r'\bt(?:Nodes)?\("([a-z_]+)"', source))
    # "hand_" + kind: a family of keys, all of whose members must exist.
    missing = {key for key in asked if key not in catalogue
               and not (key.endswith("_") and any(k.startswith(key) for k in catalogue))}
    assert not missing, missing


# --- one meeting, run for real in a browser ----------------------------------------------------

PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 360, "height": 740}


def join_by_invitation(page, link: str, name: str) -> None:
    page.goto(link)
    page.get_by_label("Your name, as others will see it").fill(name)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Join").click()
    page.wait_for_load_state()


def step(page, name: str, fields: dict | None = None) -> None:
    box = page.locator(f"#step-{name}")
    box.locator("summary").click()
    for label, value in (fields or {}).items():
        box.get_by_label(label, exact=True).fill(value)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()


def propose(page, base: str, title: str, text: str) -> str:
    """A proposal through the pages, drafted and put on the agenda of the coming meeting."""
    page.goto(f"{base}/c/port-clinic/b/assembly/proposals/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Text (Markdown, optional for now)").fill(text)
    page.get_by_role("button", name="Record the proposal").click()
    page.wait_for_load_state()
    url = page.url
    step(page, "start_drafting")
    step(page, "put_on_agenda")
    return url


def guest_phone(browser, url: str, name: str, locale: str):
    context = browser.new_context(viewport=PHONE, locale=locale, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    page = watch(context.new_page())
    page.goto(url)
    page.locator("input[name=name]").fill(name)
    page.locator(".ph-join-card button[type=submit]").click()
    page.wait_for_load_state()
    return context, page


ERRORS: list[str] = []


def phone_shot(page, name: str, at: str | None = None) -> None:
    """What the phone's screen shows (not the whole page), from the section `at`."""
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if at:
        page.locator(at).evaluate("e => e.scrollIntoView({block: 'start'})")
    else:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}-screen.png"))


def watch(page):
    """Collect script errors of a page: the test fails on any."""
    page.on("pageerror", lambda error: ERRORS.append(f"{page.url}: {error}"))
    return page


def live(page):
    from playwright.sync_api import expect

    expect(page.locator("body")).to_have_attribute("data-state", "live", timeout=15000)


@pytest.mark.browser
def test_a_meeting_runs_live_from_hands_to_block_to_agreement(server, browser, screenshot):
    from datetime import date, timedelta

    from playwright.sync_api import expect

    output = server.flask("assembly", "create-collective", "Social Clinic of the Port",
                          "--slug", "port-clinic", "--languages", "el en ar",
                          "--timezone", "Europe/Athens")
    first_link = re.search(r"http://\S+/join/\S+", output).group(0)
    second_link = server.flask("assembly", "invite", "port-clinic").strip()

    # Maria facilitates from a laptop; she plans the meeting and puts two proposals on it.
    console_context = browser.new_context(viewport={"width": 1440, "height": 900},
                                          locale="en-GB")
    maria = watch(console_context.new_page())
    join_by_invitation(maria, first_link, "Maria")
    maria.goto(f"{server.url}/c/port-clinic/b/assembly/meetings/new")
    maria.get_by_label("Date").fill((date.today() + timedelta(days=1)).isoformat())
    maria.get_by_label("Time").fill("19:00")
    maria.get_by_role("button", name=re.compile("meeting", re.I)).last.click()
    maria.wait_for_load_state()
    meeting_url = maria.url
    meeting_path = re.search(r"/c/port-clinic/m/\d+", meeting_url).group(0)
    fridge = propose(maria, server.url, "Keep insulin in a second fridge",
                     "We buy a **second fridge** for insulin and keep a *temperature log*.\n\n"
                     "- checked every morning\n- kept for a year")
    hours = propose(maria, server.url, "Open the clinic on Saturday mornings",
                    "From March the clinic opens **Saturdays 10:00–13:00**.")
    maria.goto(meeting_url)
    maria.get_by_role("button", name="Start meeting").click()
    maria.wait_for_load_state()
    if maria.locator(".live-links").count():  # the meeting page shows the live views
        screenshot(maria, "live-meeting-links")

    # The room: a projector, and three phones (a member, and two guests, one in Arabic).
    projector_context = browser.new_context(viewport=PROJECTOR, locale="en-GB")
    projector = watch(projector_context.new_page())
    projector.goto(f"{server.url}{meeting_path}/projector")
    live(projector)
    expect(projector.locator(".pj-join-link")).to_contain_text("/live/")

    nikos_context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True,
                                        has_touch=True, device_scale_factor=2)
    nikos = watch(nikos_context.new_page())
    join_by_invitation(nikos, second_link, "Nikos")
    nikos.goto(f"{server.url}/live/{meeting_path.rsplit('/', 1)[1]}")  # the short link
    assert nikos.url.endswith(f"{meeting_path}/phone")
    live(nikos)
    amina_context, amina = guest_phone(browser, f"{server.url}{meeting_path}/phone", "أمينة",
                                       "ar")
    assert amina.locator("html").get_attribute("dir") == "rtl"
    live(amina)
    eleni_context, eleni = guest_phone(browser, f"{server.url}{meeting_path}/phone", "Eleni",
                                       "en-GB")
    live(eleni)

    # Maria opens the console and takes over facilitation (nobody held the role).
    maria.goto(f"{server.url}{meeting_path}/console")
    live(maria)
    expect(projector.locator("#pj-participants")).to_have_text("Present: 4")
    maria.get_by_role("button", name="Take over facilitation").click()
    expect(maria.locator("#co-facilitator")).to_contain_text("You are facilitating")
    expect(projector.locator("#pj-facilitator")).to_contain_text("Maria")
    maria.keyboard.press("n")  # first item
    expect(projector.locator("#pj-title")).to_have_text("Keep insulin in a second fridge")
    expect(projector.locator("#pj-text strong")).to_have_text("second fridge")
    expect(projector.locator(".pj-agenda-item.is-current")).to_contain_text("Now")
    maria.keyboard.press("t")  # the timer runs
    expect(projector.locator("#pj-timer-state")).to_have_text("Timer running")
    expect(projector.locator("#pj-box")).to_have_text("/ 15:00")

    # Hands go up; a point of process jumps the queue.
    nikos.get_by_role("button", name=re.compile("New point")).click()
    expect(nikos.locator("#ph-my-hand")).to_contain_text("Place in the queue: 1")
    amina.locator("[data-hand=clarifying_question]").click()  # her phone speaks Arabic
    eleni.get_by_role("button", name=re.compile("Point of process")).click()
    queue = projector.locator("#pj-queue li")
    expect(queue).to_have_count(3)
    expect(queue.nth(0)).to_contain_text("Eleni")
    expect(queue.nth(0)).to_contain_text("Point of process")
    expect(queue.nth(2)).to_contain_text("أمينة")
    expect(queue.nth(2)).to_contain_text("Clarifying question")
    expect(nikos.locator("#ph-my-hand")).to_contain_text("Place in the queue: 2")
    expect(projector.locator("#live-announce")).not_to_be_empty()

    # The facilitator moves Amina's question up and calls the first speaker.
    maria.locator("#co-queue li").nth(2).get_by_role("button", name="Move up: أمينة").click()
    expect(queue.nth(1)).to_contain_text("أمينة")
    maria.locator("body").press("Space")
    expect(projector.locator("#pj-speaker")).to_contain_text("Eleni")
    expect(queue).to_have_count(2)
    amina.locator("[data-signal=slower]").click()
    expect(projector.locator(".pj-signal")).to_contain_text("Slower, please")
    screenshot(projector, "live-projector-queue")
    legible_from_the_back(projector)
    screenshot(amina, "live-phone-arabic-queue")
    phone_shot(amina, "live-phone-arabic-queue", at="#ph-hand-heading")

    # A consensus check: agree, stand aside, and a block (refused at first without a reason).
    maria.keyboard.press("c")
    expect(projector.locator("#pj-check")).to_be_visible()
    expect(nikos.locator("#ph-check")).to_be_visible()
    nikos.get_by_role("button", name="Agree").click()
    expect(nikos.locator("#ph-my-answer")).to_contain_text("Agree")
    eleni.locator("#ph-reason").fill("I will not be here on the days of the log")
    eleni.get_by_role("button", name="Stand aside").click()
    amina.locator("button[name=answer][value=block]").click()
    expect(amina.locator("#ph-reason-error")).to_contain_text(in_arabic(
        "A block needs a reason: say what you cannot go along with, so the assembly can "
        "respond to it."))
    assert amina.locator("#ph-reason").evaluate("e => e === document.activeElement")
    expect(projector.locator(".pj-tile.answer-block .pj-tile-count")).to_have_text("0")
    amina.locator("#ph-reason").fill("لا مكان للثلاجة الثانية في الصيدلية")
    amina.locator("button[name=answer][value=block]").click()
    tiles = projector.locator(".pj-tile-count")
    expect(tiles).to_have_text(["1", "0", "1", "1"])
    expect(projector.locator(".pj-block")).to_contain_text("لا مكان للثلاجة الثانية")
    expect(projector.locator(".pj-block")).to_contain_text("أمينة")
    expect(maria.locator("#co-check")).to_contain_text("Nikos")  # names on the console only
    assert "Nikos" not in projector.locator("#pj-check").inner_text()
    screenshot(projector, "live-projector-check")
    screenshot(amina, "live-phone-arabic-check")
    screenshot(nikos, "live-phone-check")
    phone_shot(amina, "live-phone-arabic-check", at="#ph-check")

    # Blocked: the item is postponed with its reason.
    maria.keyboard.press("c")
    expect(projector.locator(".pj-check-state")).to_contain_text("closed")
    maria.keyboard.press("2")
    expect(maria.locator("#o-postponed-reason")).to_be_focused()
    maria.keyboard.type("The pharmacy has no room; we look for a place")
    maria.locator("form[data-outcome=postponed] button[type=submit]").click()
    expect(projector.locator("#pj-outcome")).to_contain_text("Postponed")
    expect(projector.locator("#pj-outcome")).to_contain_text("no room")
    screenshot(maria, "live-console")

    # The server restarts mid-meeting: everyone sees it reconnecting, then nothing is lost.
    restart(server)
    expect(projector.locator("body")).not_to_have_attribute("data-state", "live", timeout=10000)
    expect(projector.locator("#live-status")).to_contain_text("Reconnecting")
    screenshot(projector, "live-projector-reconnecting")
    phone_shot(eleni, "live-phone-reconnecting")
    resume(server)
    for page in (projector, maria, nikos, amina, eleni):
        live(page)
    expect(projector.locator("#pj-outcome")).to_contain_text("Postponed")

    # The next item is agreed.
    maria.keyboard.press("n")
    expect(projector.locator("#pj-title")).to_have_text("Open the clinic on Saturday mornings")
    expect(projector.locator(".pj-agenda-item").first).to_contain_text("Postponed")
    maria.locator("#co-open-names").check()
    maria.keyboard.press("c")
    for phone in (nikos, amina, eleni):  # Amina's phone speaks Arabic: by value, not words
        phone.locator("button[name=answer][value=agree]").click()
    expect(tiles).to_have_text(["3", "0", "0", "0"])
    expect(projector.locator(".pj-tile.answer-agree .pj-tile-names")).to_contain_text("Nikos")
    maria.keyboard.press("1")
    review = (date.today() + timedelta(days=180)).isoformat()
    maria.locator("#o-agreed-review").fill(review)
    maria.locator("#o-agreed-implementers").fill("The Saturday team")
    maria.locator("form[data-outcome=agreed] button[type=submit]").click()
    expect(projector.locator("#pj-outcome")).to_contain_text("Agreed")
    expect(amina.locator("#ph-outcome")).to_be_visible()
    screenshot(projector, "live-projector-agreed")
    screenshot(eleni, "live-phone-agreed")
    phone_shot(eleni, "live-phone-agreed")

    # Nikos leaves before the end: the room counts him out, the console no longer lists him,
    # and his phone offers to count him back.
    nikos.get_by_role("button", name="I am leaving the meeting").click()
    expect(projector.locator("#pj-participants")).to_have_text("Present: 3")
    expect(nikos.locator("#ph-back")).to_be_visible()
    expect(nikos.locator("#ph-leave")).to_be_hidden()
    expect(maria.locator("#co-roll")).not_to_contain_text("Nikos")
    phone_shot(nikos, "live-phone-left")
    nikos.get_by_role("button", name="I am back").click()
    expect(projector.locator("#pj-participants")).to_have_text("Present: 4")
    expect(nikos.locator("#ph-back")).to_be_hidden()
    expect(nikos.locator("#ph-leave")).to_be_visible()

    # The same room in Arabic: the projector mirrors.
    arabic_context = browser.new_context(viewport=PROJECTOR, locale="ar")
    arabic = watch(arabic_context.new_page())
    arabic.goto(f"{server.url}{meeting_path}/projector?lang=ar")  # the room's choice tonight
    live(arabic)
    assert arabic.locator("html").get_attribute("dir") == "rtl"
    expect(arabic.locator("#pj-outcome")).to_contain_text(in_arabic("Agreed"))
    screenshot(arabic, "live-projector-arabic")
    arabic_context.close()

    # The lifecycle took both outcomes.
    maria.goto(fridge)
    assert "Postponed" in maria.locator(".status-line").inner_text()
    maria.goto(hours)
    assert "Agreed" in maria.locator(".status-line").inner_text()
    assert not ERRORS, ERRORS
    for context in (console_context, projector_context, nikos_context, amina_context,
                    eleni_context):
        context.close()


LEGIBILITY = """() => {
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map(Number).map((c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const backdrop = (element) => {  // the nearest background that is not transparent
    for (let e = element; e; e = e.parentElement) {
      const colour = getComputedStyle(e).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== "transparent") { return colour; }
    }
    return "rgb(255, 255, 255)";
  };
  const found = {};
  for (const selector of ["#pj-title", ".pj-hand-name", "#pj-elapsed", ".pj-hand-kind",
                          ".pj-agenda-title", ".pj-join-link", ".pj-kicker"]) {
    const element = document.querySelector(selector);
    const style = getComputedStyle(element);
    const [hi, lo] = [luminance(style.color), luminance(backdrop(element))].sort((a, b) => b - a);
    found[selector] = {size: parseFloat(style.fontSize), contrast: (hi + 0.05) / (lo + 0.05)};
  }
  return found;
}"""


def legible_from_the_back(projector) -> None:
    """8 m from a 1080p projector: sizes in CSS pixels, contrast at least 7:1."""
    found = projector.evaluate(LEGIBILITY)
    assert found["#pj-title"]["size"] >= 56, found
    assert found[".pj-hand-name"]["size"] >= 40, found
    assert found["#pj-elapsed"]["size"] >= 96, found
    low = {selector: each for selector, each in found.items() if each["contrast"] < 7}
    assert not low, low


def restart(server) -> None:
    server.process.terminate()
    server.process.wait(timeout=10)


def resume(server) -> None:
    """The same server again, on the same port and database."""
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    folder = Path(server.env["DATABASE_URL"].removeprefix("sqlite:///")).parent
    log = open(folder / "server-again.log", "w")  # noqa: SIM115 (open for the server's life)
    server.process = subprocess.Popen([sys.executable, "wsgi.py"], env=server.env,
                                      cwd=Path(__file__).resolve().parents[2],
                                      stdout=log, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            urllib.request.urlopen(server.url + "/", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the server did not come back")

