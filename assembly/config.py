"""Configuration from environment variables, with safe defaults for a single embedded process."""

import os
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-not-secret"


def _sqlite_default(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'assembly.sqlite3'}"


def from_environment(instance_path: str) -> dict:
    env = os.environ.get
    return {
        "SECRET_KEY": env("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": env("DATABASE_URL") or _sqlite_default(instance_path),
        "SOCKETIO_MESSAGE_QUEUE": env("SOCKETIO_MESSAGE_QUEUE") or None,
        # Several installations may share one Redis: each needs its own channel.
        "SOCKETIO_CHANNEL": env("SOCKETIO_CHANNEL", "assembly"),
        # wsgi.py sets eventlet for the server; commands and tests need no green threads. The
        # async mode is one setting, so it can change without touching code.
        "SOCKETIO_ASYNC_MODE": env("SOCKETIO_ASYNC_MODE", "threading"),
        "ASSEMBLY_ENV": env("ASSEMBLY_ENV", "development"),
        "ASSEMBLY_ALLOW_SQLITE": env("ASSEMBLY_ALLOW_SQLITE", "0") == "1",
        "PUBLIC_URL": env("PUBLIC_URL", "http://127.0.0.1:5000"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "PASSWORD_HASH_METHOD": env("PASSWORD_HASH_METHOD", "scrypt"),
        "MEETING_PLAN_WEEKS": int(env("MEETING_PLAN_WEEKS", "8")),
        "INVITATION_DAYS": int(env("INVITATION_DAYS", "14")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # A whole request above this gets the 413 page. It stays well above the largest proposal
        # text a form accepts (proposals.service.MAX_TEXT_BYTES, x3 once URL-encoded), so a
        # long text is refused by the form in words and kept, not lost to a 413.
        "MAX_CONTENT_LENGTH": int(env("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
        "MAX_FORM_MEMORY_SIZE": int(env("MAX_CONTENT_LENGTH", str(2 * 1024 * 1024))),
    }
