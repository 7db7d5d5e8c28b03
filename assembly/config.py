"""Configuration from environment variables, with safe defaults for a single embedded process."""

import os
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-not-secret"


def _sqlite_default(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'assembly.sqlite3'}"


def _rate_limit_storage(env) -> str:
    """Where Flask-Limiter counts: RATELIMIT_STORAGE_URI if given; else the Redis that already
    carries Socket.IO messages, so several processes count together; else this process's
    memory (the embedded default: one process)."""
    queue = env("SOCKETIO_MESSAGE_QUEUE") or ""
    fallback = queue if queue.startswith(("redis://", "rediss://")) else "memory://"
    return env("RATELIMIT_STORAGE_URI") or fallback


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
        # Reverse proxies in front that set X-Forwarded-For/-Proto/-Host (0: none, trust none).
        "ASSEMBLY_PROXIES": int(env("ASSEMBLY_PROXIES", "0")),
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
        # Rate limits: signing in per address and name, joining per address, and actions of one
        # live connection (a token bucket: so many a second, with a burst).
        "RATELIMIT_ENABLED": env("RATELIMIT_ENABLED", "1") != "0",
        "RATELIMIT_STORAGE_URI": _rate_limit_storage(env),
        # Redis down must not take the sign-in page with it: count in memory meanwhile.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_LOGIN": env("RATELIMIT_LOGIN", "10 per minute"),
        "RATELIMIT_JOIN": env("RATELIMIT_JOIN", "10 per hour"),
        "LIVE_ACTIONS_PER_SECOND": float(env("LIVE_ACTIONS_PER_SECOND", "20")),
        "LIVE_ACTIONS_BURST": int(env("LIVE_ACTIONS_BURST", "40")),
    }
