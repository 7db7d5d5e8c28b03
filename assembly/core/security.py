"""What every response carries for safety, and what production mode insists on.

The Content-Security-Policy allows scripts from this site's own files only (no inline script,
no eval): every script is a file under static/, and the page data scripts read are JSON blocks,
which browsers never execute. Live views talk Socket.IO to the same host ('self' covers ws:
and wss: of the same origin)."""

from __future__ import annotations

import json
import logging
import sys
import traceback

from flask import Flask, request

from assembly.config import DEFAULT_SECRET_KEY

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class ProductionConfigError(RuntimeError):
    """Raised at start-up: production mode refuses settings that are only safe on a laptop."""


def check_production(config: dict) -> None:
    """Production refuses the default secret key (anyone could forge sessions and guest
    identities) and SQLite unless explicitly allowed (one file, one machine, no pg_dump)."""
    if config.get("ASSEMBLY_ENV") != "production":
        return
    secret = config.get("SECRET_KEY") or ""
    if secret == DEFAULT_SECRET_KEY or len(secret) < 32:
        raise ProductionConfigError(
            "ASSEMBLY_ENV=production needs SECRET_KEY: a random value of 32 characters or "
            "more (python -c 'import secrets; print(secrets.token_urlsafe(48))').")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") \
            and not config.get("ASSEMBLY_ALLOW_SQLITE"):
        raise ProductionConfigError(
            "ASSEMBLY_ENV=production runs on PostgreSQL (DATABASE_URL=postgresql://…). To run "
            "a small installation on SQLite anyway, set ASSEMBLY_ALLOW_SQLITE=1.")
    config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True,
                  PREFERRED_URL_SCHEME="https")


class JsonLines(logging.Formatter):
    """One JSON object per line, for log collectors. Messages are written by the code, never
    from user input: they name ids and kinds of things, not people or what they wrote."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
                 "level": record.levelname, "logger": record.name,
                 "message": record.getMessage()}
        if record.exc_info and record.exc_info[0] is not None:
            # The kind of error and where, never its message: a database error's message
            # carries the values of the statement, which may be anyone's words.
            kind, _value, trace = record.exc_info
            entry["error"] = kind.__name__
            entry["where"] = [f"{frame.filename}:{frame.lineno} {frame.name}"
                              for frame in traceback.extract_tb(trace)[-6:]]
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    if app.config.get("ASSEMBLY_ENV") != "production":
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def register_security(app: Flask) -> None:
    production = app.config.get("ASSEMBLY_ENV") == "production"

    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if production and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response

    configure_logging(app)
