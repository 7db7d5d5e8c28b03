"""Pages of a network's gatherings, their working tables and the tables' reports."""

from datetime import datetime, time

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from assembly.collectives.models import Collective
from assembly.core.db import Visibility
from assembly.core.errors import DomainError, Invalid, NotFound
from assembly.core.web import apply_form_error
from assembly.extensions import db
from assembly.gatherings import service
from assembly.gatherings.forms import GatheringForm, PublishForm, ReportForm, TableForm
from assembly.gatherings.models import Gathering, WorkingTable
from assembly.live.minutes import minutes_of
from assembly.people.models import Person
from assembly.people.service import require_member
from assembly.visibility import current_viewer, get_collective

bp = Blueprint("gatherings", __name__, template_folder="templates")


@bp.app_template_global("working_table_of")
def working_table_of(proposal):
    """For the proposal page: the table it came from, if the reader may read that table."""
    return service.table_of_proposal(current_viewer(), proposal)


@bp.app_template_global("working_table_of_body")
def working_table_of_body(body):
    """For a body's page: the working table that body holds, if the reader may read it."""
    return service.table_of_body(current_viewer(), body)


def _network(slug: str) -> Collective:
    network = get_collective(slug)
    if not network.is_network:
        raise NotFound(_("%(what)s not found.", what=_("Gathering")))
    return network


def _actor() -> Person:
    return current_user._get_current_object()


def _levels(*levels: Visibility) -> list[tuple[str, str]]:
    return [(level.value, str(level.label)) for level in levels]


@bp.route("/c/<slug>/gatherings")
def index(slug):
    network = _network(slug)
    return render_template("gatherings/index.html", collective=network,
                           gatherings=service.gatherings_of(current_viewer(), network),
                           is_member=current_viewer().is_member_of(network.id))


@bp.route("/c/<slug>/gatherings/new", methods=["GET", "POST"])
@login_required
def new(slug):
    network = _network(slug)
    require_member(_actor(), network)
    form = GatheringForm()
    form.visibility.choices = _levels(Visibility.PUBLIC, Visibility.MEMBERS)
    status = 200
    if request.method == "GET":
        form.languages.data = network.language_list
    elif form.validate_on_submit():
        try:
            gathering = service.create_gathering(
                network, _actor(), title=form.title.data, starts_on=form.starts_on.data,
                ends_on=form.ends_on.data, place=form.place.data or "",
                languages=" ".join(form.languages.data or []),
                visibility=form.visibility.data, description=form.description.data or "")
        except Invalid as error:
            db.session.rollback()
            apply_form_error(form, error)
            status = 422
        else:
            db.session.commit()
            flash(_("The gathering is planned. Now add its working tables."), "ok")
            return redirect(url_for(".gathering", slug=slug, gathering_slug=gathering.slug))
    else:
        status = 422
    return render_template("gatherings/new.html", collective=network, form=form), status


def _gathering(slug: str, gathering_slug: str) -> Gathering:
    return service.get_gathering(current_viewer(), _network(slug), gathering_slug)


def _table_form(gathering: Gathering, formdata=None) -> TableForm:
    form = TableForm(formdata=formdata) if formdata is not None else TableForm()
    form.visibility.choices = _levels(*Visibility)
    form.participants.choices = [(p.id, p.display_name)
                                 for p in service.eligible_participants(gathering)]
    return form


def _render_gathering(gathering: Gathering, form: TableForm | None = None, status: int = 200):
    viewer = current_viewer()
    is_member = viewer.is_member_of(gathering.network_id)
    if is_member and form is None:
        form = _table_form(gathering)
        form.visibility.data = gathering.visibility
    return render_template("gatherings/gathering.html", collective=gathering.network,
                           gathering=gathering, tables=service.tables_of(viewer, gathering),
                           is_member=is_member, form=form), status


@bp.route("/c/<slug>/g/<gathering_slug>")
def gathering(slug, gathering_slug):
    return _render_gathering(_gathering(slug, gathering_slug))


@bp.route("/c/<slug>/g/<gathering_slug>/tables", methods=["POST"])
@login_required
def add_table(slug, gathering_slug):
    found = _gathering(slug, gathering_slug)
    require_member(_actor(), found.network)
    form = _table_form(found, request.form)
    if not form.validate():
        return _render_gathering(found, form, 422)
    people = [db.session.get(Person, pid) for pid in form.participants.data or []]
    try:
        table = service.add_table(
            found, _actor(), title=form.title.data,
            guiding_questions=form.guiding_questions.data or "",
            visibility=form.visibility.data, participants=[p for p in people if p],
            guests=form.guests.data or "",
            local_start=datetime.combine(found.starts_on, form.time.data or time(10, 0)))
    except Invalid as error:
        db.session.rollback()
        apply_form_error(form, error)
        return _render_gathering(found, form, 422)
    db.session.commit()
    flash(_("The working table is ready."), "ok")
    return redirect(_table_url(table))


def _table_url(table: WorkingTable, **kw) -> str:
    return url_for("gatherings.table", slug=table.gathering.network.slug,
                   gathering_slug=table.gathering.slug, table_id=table.id, **kw)


def _table(slug: str, gathering_slug: str, table_id: int) -> WorkingTable:
    return service.get_table(current_viewer(), _gathering(slug, gathering_slug), table_id)


def _render_table(table: WorkingTable, *, report_form=None, publish_form=None,
                  status: int = 200, template: str = "gatherings/table.html"):
    viewer = current_viewer()
    is_member = viewer.is_member_of(table.gathering.network_id)
    person = _actor() if current_user.is_authenticated else None
    if is_member and not table.is_published:
        if report_form is None:
            report_form = ReportForm(formdata=None, report_text=table.report_text
                                     or service.notes_as_report(table),
                                     directions=table.directions)
        if publish_form is None:
            publish_form = PublishForm(formdata=None)
        publish_form.destinations.choices = [
            (c.id, c.name) for c in service.destinations(table, person)]
        if publish_form.destinations.data is None:
            publish_form.destinations.data = [table.gathering.network_id]
    return render_template(
        template, collective=table.gathering.network, gathering=table.gathering,
        table=table, questions=service.questions(table), is_member=is_member,
        proposals=service.table_proposals(viewer, table),
        minutes=minutes_of(viewer, table.meeting), report_form=report_form,
        publish_form=publish_form, directions=service.directions(table.directions)), status


@bp.route("/c/<slug>/g/<gathering_slug>/t/<int:table_id>")
def table(slug, gathering_slug, table_id):
    return _render_table(_table(slug, gathering_slug, table_id))


@bp.route("/c/<slug>/g/<gathering_slug>/t/<int:table_id>/report/print")
def report_print(slug, gathering_slug, table_id):
    found = _table(slug, gathering_slug, table_id)
    if not found.is_published:
        raise NotFound(_("%(what)s not found.", what=_("Report")))
    return _render_table(found, template="gatherings/report_print.html")


@bp.route("/c/<slug>/g/<gathering_slug>/t/<int:table_id>/report", methods=["POST"])
@login_required
def save_report(slug, gathering_slug, table_id):
    found = _table(slug, gathering_slug, table_id)
    form = ReportForm()
    if not form.validate():
        return _render_table(found, report_form=form, status=422)
    try:
        service.save_report(found, _actor(), report_text=form.report_text.data or "",
                            directions_text=form.directions.data or "")
    except Invalid as error:
        db.session.rollback()
        apply_form_error(form, error)
        return _render_table(found, report_form=form, status=422)
    db.session.commit()
    flash(_("The report is saved."), "ok")
    return redirect(_table_url(found, _anchor="report"))


@bp.route("/c/<slug>/g/<gathering_slug>/t/<int:table_id>/publish", methods=["POST"])
@login_required
def publish(slug, gathering_slug, table_id):
    found = _table(slug, gathering_slug, table_id)
    form = PublishForm()
    form.destinations.choices = [(c.id, c.name)
                                 for c in service.destinations(found, _actor())]
    chosen = [db.session.get(Collective, cid) for cid in form.destinations.data or []]
    try:
        created = service.publish_report(found, _actor(), to=[c for c in chosen if c])
    except Invalid as error:
        db.session.rollback()
        apply_form_error(form, error)
        return _render_table(db.session.merge(found), publish_form=form, status=422)
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    flash(_("The report is published; %(n)d proposals were brought into the lifecycle.",
            n=len(created)), "ok")
    return redirect(_table_url(found, _anchor="report"))
