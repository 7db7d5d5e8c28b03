"""Pages of community translations: the "Languages" bar beside a proposal's text, an agreement
and minutes; reading a translation and its versions; adding or updating one. Incomers translate
public items with the guest identity of the comments (its signed cookie). Whatever the reader
may not read is not found."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from assembly.comments.forms import HONEYPOT, HONEYPOT_LABEL
from assembly.comments.service import TooMany
from assembly.comments.views import _guest_cookie, _guest_or_new, _keep_guest
from assembly.core.errors import Conflict, DomainError, Invalid, NotFound
from assembly.core.web import apply_form_error
from assembly.extensions import db
from assembly.live.minutes import minutes_of
from assembly.proposals.views import proposal_url
from assembly.translated import forms
from assembly.translated import service as translated
from assembly.translated.models import TranslatedKind
from assembly.visibility import current_viewer, get_collective, get_meeting, get_proposal

bp = Blueprint("translated", __name__, template_folder="templates")

PREFIXES = {
    TranslatedKind.PROPOSAL: "/c/<slug>/p/<int:proposal_id>/translations",
    TranslatedKind.AGREEMENT: "/c/<slug>/p/<int:proposal_id>/agreements/<int:agreement_id>"
                              "/translations",
    TranslatedKind.MINUTES: "/c/<slug>/m/<int:meeting_id>/minutes/translations",
}
# Longer sources get a link to the form page rather than a second copy inside the page.
INLINE_FORM_CHARS = 20_000


# --- finding the source ------------------------------------------------------------------------

def _source(kind: TranslatedKind, slug: str, proposal_id: int | None = None,
            agreement_id: int | None = None, meeting_id: int | None = None) -> translated.Source:
    viewer, collective = current_viewer(), get_collective(slug)
    if kind == TranslatedKind.MINUTES:
        minutes = minutes_of(viewer, get_meeting(viewer, collective, meeting_id))
        if minutes is None:
            raise NotFound(_("%(what)s not found.", what=_("Minutes")))
        return translated.minutes_source(viewer, minutes)
    proposal = get_proposal(viewer, collective, proposal_id)
    if kind == TranslatedKind.PROPOSAL:
        return translated.proposal_source(viewer, proposal)
    agreement = next((a for a in proposal.agreements if a.id == agreement_id), None)
    if agreement is None:
        raise NotFound(_("%(what)s not found.", what=_("Agreement")))
    return translated.agreement_source(viewer, agreement)


def _args(source: translated.Source) -> dict:
    args = {"slug": source.collective.slug}
    if source.minutes is not None:
        args["meeting_id"] = source.minutes.meeting_id
    else:
        args["proposal_id"] = source.proposal.id
    if source.agreement is not None:
        args["agreement_id"] = source.agreement.id
    return args


def link(source: translated.Source, what: str, **kw) -> str:
    return url_for(f"translated.{source.kind.value}_{what}", **_args(source), **kw)


def back_url(source: translated.Source) -> str:
    if source.minutes is not None:
        return url_for("meetings.meeting", slug=source.collective.slug,
                       meeting_id=source.minutes.meeting_id, _anchor="minutes")
    if source.agreement is not None:
        return proposal_url(source.proposal, _anchor=f"agreement-{source.agreement.id}")
    return proposal_url(source.proposal, _anchor="text-heading")


def compare_url(source: translated.Source, found: translated.Available) -> str | None:
    """What changed in the proposal since the revision the translation was made from."""
    if not found.outdated or source.kind != TranslatedKind.PROPOSAL or not found.source_number:
        return None
    return url_for("proposals.compare", slug=source.collective.slug,
                   proposal_id=source.proposal.id,
                   **{"from": found.source_number, "to": source.revision.number})


def _may_write(source: translated.Source) -> bool:
    return translated.may_translate(source, current_viewer())


def _as_guest() -> bool:
    return not current_user.is_authenticated


# --- the bar on the source's page ------------------------------------------------------------

SOURCES = {
    TranslatedKind.PROPOSAL: translated.proposal_source,
    TranslatedKind.AGREEMENT: translated.agreement_source,
    TranslatedKind.MINUTES: translated.minutes_source,
}


def translation_bar(kind: str, item) -> dict | None:
    """What the "Languages" bar shows for one item (None when there is nothing to show)."""
    try:
        source = SOURCES[TranslatedKind(kind)](current_viewer(), item)
    except NotFound:
        return None
    if source.kind == TranslatedKind.PROPOSAL and source.revision is None:
        return None
    available = translated.translations_of(source)
    may_write = _may_write(source)
    return {
        "source": source, "key": f"{source.kind.value}-{source.ref_id}",
        "available": [(a, link(source, "read", language=a.language), compare_url(source, a))
                      for a in available],
        "may_write": may_write, "as_guest": _as_guest(),
        "inline_form": may_write and len(source.text) <= INLINE_FORM_CHARS,
        # Languages already translated are updated from their own page.
        "choices": [c for c in translated.language_choices(source)
                    if c[0] not in {a.language for a in available}] if may_write else [],
        "action": link(source, "add"), "new_url": link(source, "new"),
        "guest_name": (_guest_cookie() or {}).get("name", ""),
        "honeypot": HONEYPOT, "honeypot_label": HONEYPOT_LABEL,
        "direction": translated.direction,
    }


@bp.app_context_processor
def _bar_helper():
    return {"translation_bar": translation_bar}


# --- pages -------------------------------------------------------------------------------------

def _form(source: translated.Source, *, formdata=None, language: str | None = None, **data):
    form_class = forms.GuestTranslationForm if _as_guest() else forms.TranslationForm
    form = form_class(formdata=formdata, **data)
    choices = translated.language_choices(source)
    # Updating: the language is the translation's own.
    form.language.choices = [c for c in choices if c[0] == language] if language else choices
    if formdata is None and language:
        form.language.data = language
    if formdata is None and "name" in form and not form.name.data:
        form.name.data = (_guest_cookie() or {}).get("name", "")
    return form


def _form_page(source: translated.Source, form, *, heading: str, status: int = 200,
               found: translated.Available | None = None, problem: str | None = None):
    return render_template(
        "translated/form.html", source=source, collective=source.collective, form=form,
        heading=heading, action=link(source, "add"), back=back_url(source), found=found,
        compare=compare_url(source, found) if found else None, problem=problem,
        honeypot=HONEYPOT, original_dir=translated.direction(source.language)), status


def new(kind, **ids):
    source = _source(kind, **ids)
    if not _may_write(source):
        abort(403 if current_user.is_authenticated else 404)
    wanted = request.args.get("language", "")
    form = _form(source, text=source.text, title="",
                 revision=source.revision.number if source.revision else "")
    if wanted in dict(form.language.choices):
        form.language.data = wanted
    return _form_page(source, form, heading=_("Add a translation"))


def edit(kind, language, **ids):
    source = _source(kind, **ids)
    found = translated.get_translation(source, language)
    if not _may_write(source):
        abort(403 if current_user.is_authenticated else 404)
    form = _form(source, language=language, text=found.version.text, title=found.version.title,
                 base_number=str(found.translation.latest_number),
                 revision=source.revision.number if source.revision else "")
    return _form_page(source, form, found=found, heading=_(
        "Update the translation into %(language)s", language=found.language_name))


def _number(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 9 else None


def add(kind, **ids):
    source = _source(kind, **ids)
    guest = _as_guest()
    if guest and (request.form.get(HONEYPOT) or "").strip():
        abort(400)
    language = request.form.get("language") or None
    form = _form(source, formdata=request.form)
    heading = _("Add a translation")
    if not form.validate():
        return _form_page(source, form, heading=heading, status=422)
    translator = translated.Translator(
        person=None if guest else current_user._get_current_object(),
        guest=_guest_or_new() if guest else None,
        guest_name=form.name.data if guest else None)
    try:
        translated.save_translation(
            source, current_viewer(), translator, language, form.text.data or "",
            title=form.title.data or "", base_number=_number(form.base_number.data) or 0,
            revision_number=_number(form.revision.data))
        db.session.commit()
    except IntegrityError:
        # Two first versions of the same language at the same moment: one of them wins.
        db.session.rollback()
        return _refused(kind, ids, form, Conflict(_(
            "Someone saved a translation into this language at the same moment. Your text is "
            "kept below: compare it with theirs and save again.")))
    except (Invalid, Conflict, TooMany) as error:
        db.session.rollback()
        return _refused(kind, ids, form, error)
    response = redirect(link(source, "read", language=language))
    if guest:
        _keep_guest(response, translator.guest, form.name.data or "")
    return response


def _refused(kind, ids, form, error: DomainError):
    """The form again with what was typed and the reason in words; after a conflict the next
    save starts from the newest version."""
    source = _source(kind, **ids)
    if isinstance(error, Invalid):
        apply_form_error(form, error)
        problem = None
    else:
        problem = str(error.message)
    language = form.language.data
    found = None
    if isinstance(error, Conflict) and language:
        try:
            found = translated.get_translation(source, language)
        except NotFound:
            found = None
        form.base_number.data = str(found.translation.latest_number) if found else "0"
    return _form_page(source, form, heading=_("Add a translation"), status=error.status,
                      found=found, problem=problem)


def _read_page(source: translated.Source, found: translated.Available, version):
    return render_template(
        "translated/read.html", source=source, collective=source.collective, found=found,
        version=version, latest=version.number == found.version.number,
        outdated=translated.is_outdated(source, version), back=back_url(source),
        compare=compare_url(source, found) if version.number == found.version.number else None,
        edit_url=link(source, "edit", language=found.language) if _may_write(source) else None,
        version_url=lambda n: link(source, "version", language=found.language, number=n),
        dir=translated.direction(found.language),
        original_dir=translated.direction(source.language))


def read(kind, language, **ids):
    source = _source(kind, **ids)
    found = translated.get_translation(source, language)
    return _read_page(source, found, found.version)


def version(kind, language, number, **ids):
    source = _source(kind, **ids)
    found = translated.get_translation(source, language)
    return _read_page(source, found, translated.get_version(found, number))


for _kind, _prefix in PREFIXES.items():
    _defaults = {"kind": _kind}
    bp.add_url_rule(_prefix, f"{_kind.value}_add", add, methods=["POST"], defaults=_defaults)
    bp.add_url_rule(_prefix + "/new", f"{_kind.value}_new", new, defaults=_defaults)
    bp.add_url_rule(_prefix + "/<language>", f"{_kind.value}_read", read, defaults=_defaults)
    bp.add_url_rule(_prefix + "/<language>/edit", f"{_kind.value}_edit", edit,
                    defaults=_defaults)
    bp.add_url_rule(_prefix + "/<language>/versions/<int:number>", f"{_kind.value}_version",
                    version, defaults=_defaults)
