"""A real server (eventlet, wsgi.py, its own SQLite file, a free port) and Debian's Chromium
driven by Playwright. Never `playwright install`: no browser downloads here."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    env: dict
    process: subprocess.Popen

    def flask(self, *args: str) -> str:
        """Run a `flask --app assembly` command against the server's database."""
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "assembly", *args],
                              env=self.env, cwd=ROOT, capture_output=True, text=True, check=True)
        return done.stdout


def start_server(tmp_path: Path, extra_env: dict | None = None) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'browser.sqlite3'}",
        "SECRET_KEY": "browser-test-secret",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **(extra_env or {}),
    }
    subprocess.run([sys.executable, "-m", "flask", "--app", "assembly", "db", "upgrade"],
                   env=env, cwd=ROOT, check=True, capture_output=True)
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 (kept open for the server's life)
    process = subprocess.Popen([sys.executable, "wsgi.py"], env=env, cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/", timeout=1)
            return Server(url, env, process)
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {(tmp_path / 'server.log').read_text()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    found = start_server(tmp_path_factory.mktemp("server"))
    yield found
    found.process.terminate()
    found.process.wait(timeout=10)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The real server with the demo collectives loaded (`flask assembly demo`)."""
    found = start_server(tmp_path_factory.mktemp("demo"))
    found.flask("assembly", "demo")
    yield found
    found.process.terminate()
    found.process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (make test installs Debian's chromium)"
        if os.environ.get("ASSEMBLY_REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take


def join(browser, link: str, name: str):
    """A new person joins by an invitation link in a browser context of their own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.goto(link)
    page.get_by_label("Your name, as others will see it").fill(name)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Join").click()
    assert f"Signed in as {name}" in page.content()
    return context, page


def two_members(server, browser, name: str, slug: str):
    """A new collective (el, en; Athens) and Maria and Yusuf, each in a browser context."""
    output = server.flask("assembly", "create-collective", name, "--slug", slug,
                          "--languages", "el en", "--timezone", "Europe/Athens")
    first = re.search(r"http://\S+/join/\S+", output).group(0)
    second = re.search(r"http://\S+/join/\S+", server.flask("assembly", "invite", slug)).group(0)
    return join(browser, first, "Maria"), join(browser, second, "Yusuf")
