"""What every page shares: error pages, template helpers, the language switch."""

import string
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from flask import Request as FlaskRequest
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from assembly.core.db import Visibility
from assembly.core.errors import DomainError, Invalid
from assembly.core.markup import render_markdown
from assembly.extensions import db, login_manager

bp = Blueprint("core", __name__)
RTL = frozenset({"ar", "fa"})


def too_many_message() -> str:
    """What a rate limit says, on pages and in the live layer."""
    return _("Too many attempts in a short time. Please wait a moment and try again.")


class Request(FlaskRequest):
    """Servers hand the query string over as the bytes that came. Werkzeug reads them as strict
    UTF-8 (request.args, request.full_path), so one stray byte was a 500: escape bytes outside
    ASCII first, and they read as U+FFFD, as in a form body."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.query_string.isascii():
            self.query_string = quote(self.query_string, safe=string.punctuation).encode()


class DatabaseInteger(IntegerConverter):
    """``<int:…>`` in every route: ids above what an integer column holds are a 404, not a
    database overflow (a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site paths: never an open redirect."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def in_zone(moment: datetime | None, timezone: str | None) -> datetime | None:
    return moment.astimezone(ZoneInfo(timezone or "UTC")) if moment else None


def local_datetime(moment: datetime | None, timezone: str | None = None, form="medium") -> str:
    if moment is None:
        return ""
    return _formatted_datetime(moment, timezone, form, str(get_locale()))


def local_date(value, form="medium") -> str:
    return _formatted_date(value, form, str(get_locale())) if value else ""


# Formatting a date costs Babel ~40 microseconds, and a page of comments or steps formats a
# hundred, the same ones for every reader: kept, a few thousand of them (bounded memory).
@lru_cache(maxsize=4096)
def _formatted_datetime(moment: datetime, timezone: str | None, form: str, locale: str) -> str:
    local = in_zone(moment, timezone).replace(tzinfo=None)
    return babel_dates.format_datetime(local, form, locale=locale)


@lru_cache(maxsize=4096)
def _formatted_date(value, form: str, locale: str) -> str:
    return babel_dates.format_date(value, form, locale=locale)


def apply_form_error(form, error: Invalid) -> None:
    """Attach a service's complaint to the field it is about, so the form shows it in place."""
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*list(field.errors or []), str(error.message)]
    else:
        flash(str(error.message), "error")


@bp.route("/language", methods=["POST"])
def set_language():
    from assembly.people.service import LANGUAGES

    code = request.form.get("lang", "")
    target = safe_next(request.form.get("next"), url_for("collectives.index"))
    response = redirect(target)
    if code in LANGUAGES:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def _phase_label(value: str | None) -> str:
    from assembly.proposals.models import Phase

    return str(Phase(value).label) if value else ""


def _error_page(status: int, message: str):
    return render_template("error.html", status=status, message=message), status


def _install_template_gettext(app: Flask) -> None:
    """Templates translate through the catalogue of the current locale, found once per
    locale: Flask-Babel's own callables look it up by walking the request context three times
    for every string, and a long page shows hundreds."""
    by_locale: dict = {}

    def translations():
        locale = get_locale()
        found = by_locale.get(locale)
        if found is None:
            found = by_locale[locale] = get_translations()
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)


def register_web(app: Flask) -> None:
    from assembly.people.models import Person
    from assembly.people.service import LANGUAGES

    app.register_blueprint(bp)
    app.request_class = Request
    _install_template_gettext(app)

    @login_manager.user_loader
    def load_person(person_id: str):
        return db.session.get(Person, int(person_id)) if person_id.isdigit() else None

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.globals["Visibility"] = Visibility
    app.jinja_env.globals["phase_label"] = _phase_label

    @app.context_processor
    def _page_globals():
        locale = str(get_locale() or "en")
        return {
            "languages": LANGUAGES,
            "current_locale": locale,
            "text_direction": "rtl" if locale in RTL else "ltr",
        }

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        return _error_page(error.status, str(error.message))

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return _error_page(400, _("This form has expired or was not sent from this site. "
                                  "Go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        messages = {
            404: _("This page does not exist, or it is not open to you."),
            405: _("This address does not accept that kind of request."),
            413: _("What you sent is too large."),
            429: too_many_message(),
        }
        return _error_page(error.code or 500, messages.get(error.code, error.description))

    @app.errorhandler(DataError)
    def _unstorable_value(error):
        # A value no row can hold (a NUL byte in an address, say): no such page exists.
        db.session.rollback()
        return _error_page(404, _("This page does not exist, or it is not open to you."))

    @app.errorhandler(OperationalError)
    def _database_down(error):
        db.session.rollback()
        # The page is rendered without asking the database again (who is signed in, their
        # language): as an anonymous visitor, in the browser's language.
        g._login_user = login_manager.anonymous_user()
        return _error_page(503, _("The database cannot be reached just now. Nothing was lost; "
                                  "please try again in a moment."))
