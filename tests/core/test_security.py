"""Headers on every response, and what production mode refuses."""

import json
import logging
import sys

import pytest

from assembly import create_app
from assembly.core.security import JsonLines, ProductionConfigError

STRONG_SECRET = "s" * 40


def test_every_page_carries_the_security_headers(app, web, make):
    collective = make.collective()
    for url in ("/", f"/c/{collective.slug}/", "/login", "/no-such-page"):
        headers = web.get(url).headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, url
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only_and_same_site(app, web, make):
    person = make.member(make.collective())
    cookie = web.login(person).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http on a laptop; production sets it (below)


def _production(**config):
    return create_app({"ASSEMBLY_ENV": "production", "SOCKETIO_ASYNC_MODE": "threading",
                       "SQLALCHEMY_DATABASE_URI": "postgresql://postgres@127.0.0.1/test",
                       **config})


def test_production_refuses_the_default_or_a_short_secret_key():
    with pytest.raises(ProductionConfigError, match="SECRET_KEY"):
        _production(SECRET_KEY="dev-only-not-secret")
    with pytest.raises(ProductionConfigError, match="SECRET_KEY"):
        _production(SECRET_KEY="short")


def test_production_refuses_sqlite_unless_allowed(tmp_path):
    sqlite = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    with pytest.raises(ProductionConfigError, match="PostgreSQL"):
        _production(SECRET_KEY=STRONG_SECRET, SQLALCHEMY_DATABASE_URI=sqlite)
    allowed = _production(SECRET_KEY=STRONG_SECRET, SQLALCHEMY_DATABASE_URI=sqlite,
                          ASSEMBLY_ALLOW_SQLITE=True)
    assert allowed.config["SESSION_COOKIE_SECURE"] is True


def test_production_sets_secure_cookies():
    app = _production(SECRET_KEY=STRONG_SECRET)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/login", base_url="https://assembly.test")
    assert "max-age=" in response.headers["Strict-Transport-Security"]


def test_structured_log_lines_leave_out_error_messages():
    """A database error's message holds the statement's values (anyone's words): the log line
    names the kind of error and where, not the message."""
    try:
        raise ValueError("Μαρία wrote: the canary-7f3a text")
    except ValueError:
        record = logging.LogRecord("assembly.live", logging.ERROR, __file__, 1,
                                   "live event %r failed", ("act",), exc_info=sys.exc_info())
    line = JsonLines().format(record)
    entry = json.loads(line)
    assert entry["message"] == "live event 'act' failed" and entry["error"] == "ValueError"
    assert entry["where"] and "canary-7f3a" not in line and "Μαρία" not in line
