"""Assembly: consensus decision-making and assemblies for self-managed collectives."""

import os

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from assembly.config import from_environment
from assembly.core.security import check_production, register_security
from assembly.core.web import DatabaseInteger
from assembly.extensions import babel, csrf, db, limiter, login_manager, socketio

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def select_locale() -> str | None:
    """The person's choice (cookie), then their saved preference, then the browser."""
    from assembly.people.service import LANGUAGES

    if not has_request_context():
        return None  # command line and services: the default locale
    chosen = request.cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def create_app(config: dict | None = None, *, for_commands: bool = True) -> Flask:
    """The app; a serving process (wsgi.py) passes ``for_commands=False`` and so never loads
    Alembic and the command line (11 MB of a live server's memory, bench/RESULTS.md)."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = DatabaseInteger  # before any route is added
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(from_environment(app.instance_path))
    if config:
        app.config.update(config)
    check_production(app.config)
    # A pooled connection is tested before use, so a database that restarted (or dropped us)
    # costs no failed request once it is back.
    engine_options = {"pool_pre_ping": True, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite needs a generous busy timeout when the live layer and pages write together.
        engine_options.setdefault("connect_args", {"timeout": 30})
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options

    db.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "people.login"
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    # Before init_app: handlers known before the first init_app are registered on every app's
    # server; handlers added after it would reach the first app only.
    from assembly.live import events  # noqa: F401  (Socket.IO handlers of live meetings)
    socketio.init_app(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=app.config["SOCKETIO_CHANNEL"],
        cors_allowed_origins=[],
    )
    if proxies := app.config.get("ASSEMBLY_PROXIES"):
        # Outermost, so Socket.IO sees it too: the client's address (rate limits, guests'
        # comment counts) and the https scheme come from the proxy's X-Forwarded-* headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from assembly import models  # noqa: F401  (every table known to SQLAlchemy and Alembic)
    from assembly.archive.views import bp as archive_bp
    from assembly.care.views import bp as care_bp
    from assembly.collectives.views import bp as collectives_bp
    from assembly.comments.views import bp as comments_bp
    from assembly.core.web import register_web
    from assembly.digest.views import bp as digest_bp
    from assembly.gatherings.views import bp as gatherings_bp
    from assembly.implementation.views import bp as implementation_bp
    from assembly.live.views import bp as live_bp
    from assembly.meetings.views import bp as meetings_bp
    from assembly.networks.views import bp as networks_bp
    from assembly.people.views import bp as people_bp
    from assembly.proposals.views import bp as proposals_bp
    from assembly.search.views import bp as search_bp
    from assembly.translated.views import bp as translated_bp

    for blueprint in (people_bp, collectives_bp, proposals_bp, meetings_bp, live_bp, comments_bp,
                      archive_bp, digest_bp, implementation_bp, search_bp, translated_bp, care_bp,
                      networks_bp, gatherings_bp):
        app.register_blueprint(blueprint)
    register_web(app)
    register_security(app)
    if for_commands:
        _add_commands(app)

    @app.before_request
    def _remember_locale():
        g.locale_dir = "rtl" if str(select_locale()) in ("ar", "fa") else "ltr"
        session.permanent = True

    return app


def _add_commands(app: Flask) -> None:
    from flask_migrate import Migrate

    from assembly.cli import assembly_cli
    from assembly.search.models import include_object  # the FTS5 table is not a model

    Migrate(app, db, directory=MIGRATIONS_DIR, render_as_batch=True,
            include_object=include_object)
    app.cli.add_command(assembly_cli)
