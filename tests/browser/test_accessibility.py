"""WCAG 2.2 A/AA checked with axe-core in Chromium on every page an incomer or a member reaches
by following links from the front door of the demo collective, in English and in Arabic
(right-to-left). axe-core is vendored (tests/browser/vendor/axe.min.js, MPL-2.0): no download
at test time."""

import re
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Pages whose links lead away from reading (signing out, switching language, raw data).
SKIP = re.compile(r"/logout|/language|\.(json|csv|ics|xml|atom)$|/feed|/export|/static/")
MAX_PAGES = 30


def crawl(page, start: str, limit: int = MAX_PAGES):
    """Breadth-first over same-site links, yielding each page once it is loaded."""
    origin = urlsplit(start).netloc
    queue, seen = [start], {start}
    while queue and len(seen) <= limit * 3:
        url = queue.pop(0)
        response = page.goto(url)
        if response is None or response.status >= 400 or "html" not in (
                response.headers.get("content-type", "")):
            continue
        yield url
        limit -= 1
        if limit == 0:
            return
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            href = urldefrag(href)[0]
            if urlsplit(href).netloc == origin and href not in seen and not SKIP.search(href):
                seen.add(href)
                queue.append(href)


def violations(page, run_only: dict | None = None) -> list[str]:
    page.evaluate(AXE)  # through DevTools: an injected <script> would be blocked by the CSP
    found = page.evaluate(
        "only => axe.run(document, {runOnly: only})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))",
        run_only or {"type": "tag", "values": TAGS})
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found]


def sign_in_as_member(page, server) -> None:
    """As Nikos, a member of the demo's clinic (every demo account has the same password)."""
    page.goto(server.url + "/login")
    page.locator("input[name=name]").fill("Nikos Vlachos")
    page.locator("input[name=password]").fill("assembly-demo")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.locator("form[action$='/logout']").count() == 1, "the demo member could not sign in"


def check_site(browser, server, language: str, sign_in: bool) -> dict[str, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "lang", "value": language, "url": server.url}])
    page = context.new_page()
    # Anything the Content-Security-Policy blocks (an inline script or style) is a bug too.
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    if sign_in:
        sign_in_as_member(page, server)
    problems, visited = {}, 0
    for url in crawl(page, server.url + "/c/solidarity-clinic/"):
        visited += 1
        if language in ("ar", "fa"):
            assert page.locator("html").get_attribute("dir") == "rtl", url
        found = violations(page)
        if found:
            problems[url] = found
    context.close()
    assert visited >= 10, f"only {visited} pages reached: the crawl itself is broken"
    assert not blocked, blocked[:5]
    return problems


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pages_an_incomer_reaches_pass_axe(browser, demo_server, language):
    problems = check_site(browser, demo_server, language, sign_in=False)
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())


def test_pages_a_member_reaches_pass_axe(browser, demo_server):
    problems = check_site(browser, demo_server, "en", sign_in=True)
    assert not problems, "\n".join(f"{url}: {found}" for url, found in problems.items())


def test_axe_finds_a_real_problem(browser, demo_server):
    """The check can fail: a page with an unlabelled field and low contrast is reported."""
    page = browser.new_page()
    page.set_content('<html lang="en"><head><title>x</title></head><body><main>'
                     '<input type="text"><p style="color:#bbb;background:#fff">faint</p>'
                     '</main></body></html>')
    found = " ".join(violations(page))
    assert "label" in found and "color-contrast" in found
    page.close()


START_NEXT_MEETING = """
import sqlalchemy as sa
from assembly import create_app
from assembly.extensions import db
from assembly.collectives.models import Body, Collective
from assembly.meetings.models import Meeting, MeetingStatus
from assembly.people.models import Person
from assembly.proposals.service import begin_meeting
from assembly.visibility import ANONYMOUS, visible_meetings
app = create_app()
with app.app_context():
    meeting = db.session.scalars(visible_meetings(ANONYMOUS).join(Collective).where(
        Collective.slug == "solidarity-clinic", Meeting.status == MeetingStatus.SCHEDULED,
        Body.kind == "general_assembly").order_by(Meeting.starts_at)).first()
    begin_meeting(meeting, db.session.scalars(
        sa.select(Person).where(Person.display_name == "Nikos Vlachos")).one())
    db.session.commit()
    print(meeting.collective.slug, meeting.id)
"""


@pytest.fixture(scope="module")
def live_meeting(demo_server) -> str:
    """The demo's next meeting, started: the base address of its live views."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", START_NEXT_MEETING], env=demo_server.env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    slug, meeting_id = done.stdout.split()
    return f"{demo_server.url}/c/{slug}/m/{meeting_id}"


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("view", ["console", "projector", "phone"])
def test_live_views_pass_axe(browser, demo_server, live_meeting, screenshot, view, language):
    from playwright.sync_api import expect

    size = {"width": 390, "height": 844} if view == "phone" else {"width": 1920, "height": 1080}
    context = browser.new_context(viewport=size)
    context.add_cookies([{"name": "lang", "value": language, "url": demo_server.url}])
    page = context.new_page()
    if view != "projector":
        sign_in_as_member(page, demo_server)
    # The projector speaks the meeting's language unless the room chooses another.
    page.goto(f"{live_meeting}/{view}" + (f"?lang={language}" if view == "projector" else ""))
    expect(page.locator("body")).to_have_attribute("data-state", "live", timeout=15000)
    if view == "console":  # the first item becomes current for every view after this one
        page.keyboard.press("n")
        page.wait_for_timeout(500)
    if language == "ar":
        assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot(page, f"a11y-{view}-{language}")
    found = violations(page)
    if view == "projector":  # read from the back of a room: 7:1, not only 4.5:1
        found += violations(page, {"type": "rule", "values": ["color-contrast-enhanced"]})
    context.close()
    assert not found, found


@pytest.mark.parametrize("language", ["en", "ar"])
def test_text_at_200_percent_needs_no_sideways_scrolling(browser, demo_server, language):
    """WCAG 1.4.4 and 1.4.10: with the text twice as large (the browser's text size, i.e. the
    root font size), every page still fits the width of a laptop screen."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": "lang", "value": language, "url": demo_server.url}])
    page = context.new_page()
    too_wide = {}
    for url in crawl(page, demo_server.url + "/c/solidarity-clinic/", limit=12):
        width = page.evaluate("() => { document.documentElement.style.fontSize = '200%';"
                              " return document.documentElement.scrollWidth; }")
        if width > 1280:
            too_wide[url] = width
    context.close()
    assert not too_wide, too_wide
