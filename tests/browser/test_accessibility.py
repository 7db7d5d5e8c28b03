"""WCAG 2.2 A/AA checked with axe-core in Chromium on every page an incomer or a member reaches
by following links from the front door of the demo collective, in English and in Arabic
(right-to-left). axe-core is vendored (tests/browser/vendor/axe.min.js, MPL-2.0): no download
at test time."""

import re
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.conftest import start_server

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Pages whose links lead away from reading (signing out, switching language, raw data).
SKIP = re.compile(r"/logout|/language|\.(json|csv|ics|xml|atom)$|/feed|/export|/static/")
MAX_PAGES = 30


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    found = start_server(tmp_path_factory.mktemp("a11y"))
    found.flask("assembly", "demo")
    yield found
    found.process.terminate()
    found.process.wait(timeout=10)


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


def violations(page) -> list[str]:
    page.add_script_tag(content=AXE)
    found = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})))", TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found]


def check_site(browser, server, language: str, sign_in: bool) -> dict[str, list[str]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "lang", "value": language, "url": server.url}])
    page = context.new_page()
    if sign_in:
        page.goto(server.url + "/login")
        page.locator("input[name=name]").fill("Maria")
        page.locator("input[name=password]").fill("assembly-demo")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
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
