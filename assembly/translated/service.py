"""The rules of community translations (DESIGN.md §5): who may translate what, into which
language, and when a translation is outdated. A translation is readable exactly where its
source is: every source is built through the visibility layer, so a reader who may not read the
proposal, agreement or minutes gets "not found" for their translations too.

Proposals, agreements and minutes carry no language of their own: the original is taken to be in
the collective's first language (minutes: the meeting's first language, in which they are
written)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from assembly.collectives.models import Collective
from assembly.comments.service import (
    GUEST_LIMIT_PER_CLIENT,
    GUEST_LIMIT_PER_GUEST,
    GUEST_LIMIT_WINDOW,
    GUEST_MAX_NAME,
    Guest,
    TooMany,
    guest_may_comment,
)
from assembly.core.db import utcnow
from assembly.core.errors import Conflict, Forbidden, Invalid, NotFound
from assembly.extensions import db
from assembly.live.models import Minutes
from assembly.meetings.models import Meeting
from assembly.people.models import Person
from assembly.people.service import LANGUAGES, RTL_LANGUAGES, clean_text
from assembly.proposals.models import Agreement, Proposal, Revision
from assembly.proposals.service import MAX_TEXT, MAX_TITLE, check_text_size
from assembly.translated.models import ContentTranslation, TranslatedKind, TranslationVersion
from assembly.visibility import ANONYMOUS, Viewer, can_read_proposal, count, visible_meetings

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def text_hash(text: str | None) -> str:
    return hashlib.sha256((text or "").encode("utf-8")).hexdigest()


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


def direction(code: str) -> str:
    return "rtl" if code.split("-")[0] in RTL_LANGUAGES else "ltr"


# --- what is translated ------------------------------------------------------------------------

@dataclass
class Source:
    """One translatable item as this reader may see it."""

    kind: TranslatedKind
    ref_id: int
    collective: Collective
    language: str
    title: str
    text: str
    # The revision shown (proposals: the current one; agreements: the one agreed).
    revision: Revision | None
    proposal: Proposal | None = None
    agreement: Agreement | None = None
    minutes: Minutes | None = None
    _public: bool | None = field(default=None, repr=False)

    @property
    def hash(self) -> str:
        return text_hash(self.text)

    @property
    def public(self) -> bool:
        """Anyone may read it, so incomers may translate it."""
        if self._public is None:
            if self.minutes is not None:
                self._public = bool(count(visible_meetings(ANONYMOUS).where(
                    Meeting.id == self.minutes.meeting_id)))
            else:
                self._public = guest_may_comment(self.proposal)
        return self._public

    @property
    def language_name(self) -> str:
        return language_name(self.language)


def _require_proposal(viewer: Viewer, proposal: Proposal) -> None:
    if not can_read_proposal(viewer, proposal):
        raise NotFound(_l("%(what)s not found.", what=_l("Proposal")))


def proposal_source(viewer: Viewer, proposal: Proposal) -> Source:
    _require_proposal(viewer, proposal)
    revision = proposal.current_revision
    return Source(TranslatedKind.PROPOSAL, proposal.id, proposal.collective,
                  proposal.text_language, proposal.title,
                  revision.text if revision else "", revision, proposal=proposal)


def agreement_source(viewer: Viewer, agreement: Agreement) -> Source:
    proposal = agreement.proposal
    _require_proposal(viewer, proposal)
    return Source(TranslatedKind.AGREEMENT, agreement.id, proposal.collective,
                  proposal.text_language, proposal.title,
                  agreement.revision.text, agreement.revision, proposal=proposal,
                  agreement=agreement)


def minutes_source(viewer: Viewer, minutes: Minutes) -> Source:
    from assembly.live.minutes import (  # (live imports this module)
        meeting_language,
        visible_minutes,
    )

    if not count(visible_minutes(viewer).where(Minutes.id == minutes.id)):
        raise NotFound(_l("%(what)s not found.", what=_l("Minutes")))
    meeting = minutes.meeting
    return Source(TranslatedKind.MINUTES, minutes.id, meeting.collective, meeting_language(meeting),
                  meeting.title or meeting.body.name, minutes.text, None, minutes=minutes)


def language_choices(source: Source) -> list[tuple[str, str]]:
    """The collective's languages first, then the interface's; never the original's."""
    codes = dict.fromkeys([*source.collective.language_list, *LANGUAGES])
    return [(code, language_name(code)) for code in codes
            if code != source.language and LANGUAGE_CODE.match(code)]


# --- reading -----------------------------------------------------------------------------------

@dataclass
class Available:
    translation: ContentTranslation
    version: TranslationVersion
    outdated: bool
    # The number of the revision it was translated from (proposals and agreements).
    source_number: int | None

    @property
    def language(self) -> str:
        return self.translation.language

    @property
    def language_name(self) -> str:
        return language_name(self.translation.language)

    @property
    def dir(self) -> str:
        return direction(self.translation.language)


def is_outdated(source: Source, version: TranslationVersion) -> bool:
    """Proposals: translated from another revision than the current one; minutes: from
    another text."""
    if source.revision is not None:
        return version.source_revision_id != source.revision.id
    return version.source_hash != source.hash


def _current_rows(source: Source) -> sa.Select:
    return (
        sa.select(ContentTranslation, TranslationVersion, Revision.number)
        .join(TranslationVersion, sa.and_(
            TranslationVersion.translation_id == ContentTranslation.id,
            TranslationVersion.number == ContentTranslation.latest_number))
        .outerjoin(Revision, Revision.id == TranslationVersion.source_revision_id)
        .where(ContentTranslation.kind == source.kind.value,
               ContentTranslation.ref_id == source.ref_id)
        .options(joinedload(TranslationVersion.author))
    )


def translations_of(source: Source) -> list[Available]:
    """Every language this item is translated into, each with its newest version."""
    rows = db.session.execute(_current_rows(source).order_by(ContentTranslation.language))
    return [Available(t, v, is_outdated(source, v), number) for t, v, number in rows]


def get_translation(source: Source, language: str) -> Available:
    row = db.session.execute(
        _current_rows(source).where(ContentTranslation.language == language)).first()
    if row is None:
        raise NotFound(_l("There is no translation into this language yet."))
    translation, version, number = row
    return Available(translation, version, is_outdated(source, version), number)


def get_version(found: Available, number: int) -> TranslationVersion:
    version = next((v for v in found.translation.versions if v.number == number), None)
    if version is None:
        raise NotFound(_l("This translation has no version %(n)d.", n=number))
    return version


# --- writing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Translator:
    """Who saves: a person with an account, or an incomer with a guest id and a chosen name."""

    person: Person | None = None
    guest: Guest | None = None
    guest_name: str | None = None


def may_translate(source: Source, viewer: Viewer) -> bool:
    """Members who may read it; anyone else (incomers, people of other collectives) only where
    anyone may read it."""
    return viewer.is_member_of(source.collective.id) or source.public


def _require_translator(source: Source, viewer: Viewer, translator: Translator) -> None:
    if translator.person is None and translator.guest is None:
        raise Forbidden(_l("Sign in or give a name to add a translation."))
    if may_translate(source, viewer):
        return
    if translator.person is None:
        # An incomer must not learn that a closed item exists.
        raise NotFound(_l("%(what)s not found.", what=source.kind.label))
    raise Forbidden(_l("Only members of %(name)s can translate this.",
                       name=source.collective.name))


def _language(source: Source, code: str | None) -> str:
    if code not in dict(language_choices(source)):
        raise Invalid(_l("Choose a language other than the original's."), field="language")
    return code


def _made_from(source: Source, revision_number: int | None) -> Revision | None:
    """The revision the translator read: the one named in the form if it is this proposal's
    (a translation started before a newer revision is then outdated at once), else the
    current one."""
    if source.kind != TranslatedKind.PROPOSAL or revision_number is None:
        return source.revision
    found = db.session.scalars(sa.select(Revision).where(
        Revision.proposal_id == source.ref_id, Revision.number == revision_number)).first()
    if found is None:
        raise Invalid(_l("This revision is no longer there. Reload the page and try again."),
                      field="text")
    return found


def _recent(condition) -> int:
    since = utcnow() - GUEST_LIMIT_WINDOW
    return db.session.scalar(sa.select(sa.func.count(TranslationVersion.id)).where(
        condition, TranslationVersion.created_at >= since)) or 0


def _require_not_too_many(guest: Guest) -> None:
    too_many = _recent(TranslationVersion.guest_id == guest.id) >= GUEST_LIMIT_PER_GUEST or (
        guest.client is not None
        and _recent(TranslationVersion.client_hash == guest.client) >= GUEST_LIMIT_PER_CLIENT)
    if too_many:
        raise TooMany(_l("Several translations were sent from here in a short time. Please "
                         "wait a few minutes and send yours again: your text is kept below."))


def _translation(source: Source, language: str) -> ContentTranslation:
    found = db.session.scalars(sa.select(ContentTranslation).where(
        ContentTranslation.kind == source.kind.value, ContentTranslation.ref_id == source.ref_id,
        ContentTranslation.language == language)).first()
    if found is None:
        found = ContentTranslation(collective_id=source.collective.id, kind=source.kind.value,
                                   ref_id=source.ref_id, language=language, latest_number=0)
        db.session.add(found)
    return found


def save_translation(source: Source, viewer: Viewer, translator: Translator, language: str,
                     text: str, *, title: str = "", base_number: int = 0,
                     revision_number: int | None = None, at: datetime | None = None
                     ) -> TranslationVersion:
    """A new version of the translation into ``language`` (the first one when there is none).
    ``base_number``: the version the translator started from (0 for a new translation); if
    someone saved in between, the save is refused rather than replacing their work."""
    _require_translator(source, viewer, translator)
    if source.kind == TranslatedKind.PROPOSAL and source.revision is None:
        raise Conflict(_l("This proposal has no text to translate yet."))
    language = _language(source, language)
    check_text_size(text)
    text = clean_text(text, max_length=MAX_TEXT, field="text")
    title = clean_text(title, max_length=MAX_TITLE, field="title", required=False)
    name = None
    if translator.person is None:
        name = clean_text(translator.guest_name, max_length=GUEST_MAX_NAME, field="name")
    revision = _made_from(source, revision_number)
    translation = _translation(source, language)
    if translation.latest_number != base_number:
        raise Conflict(
            _l("A translation into %(language)s was saved by someone else in the meantime. "
               "Your text is kept below: compare it with theirs and save again.",
               language=language_name(language)),
            latest_number=translation.latest_number)
    current = translation.current
    source_hash = text_hash(revision.text) if revision is not None else source.hash
    if current is not None and (current.text, current.title, current.source_hash) == (
            text, title, source_hash):
        raise Invalid(_l("Nothing changed in the translation."), field="text")
    if translator.guest is not None and translator.person is None:
        _require_not_too_many(translator.guest)
    translation.latest_number += 1
    version = TranslationVersion(
        translation=translation, number=translation.latest_number,
        source_revision_id=revision.id if revision is not None else None,
        source_hash=source_hash, title=title, text=text,
        author_id=translator.person.id if translator.person is not None else None,
        guest_id=translator.guest.id if translator.person is None else None,
        guest_name=name,
        client_hash=translator.guest.client if translator.person is None else None,
        created_at=at or utcnow())
    db.session.add(version)
    db.session.flush()
    return version


# --- the projector -----------------------------------------------------------------------------

def second_language(meeting_languages: list[str], original: str) -> str | None:
    """The meeting's second language for the projector's second column: its second entry, or
    its first when the second is the original's language. None for a meeting of one language."""
    if len(meeting_languages) < 2:
        return None
    first, second = meeting_languages[:2]
    if second != original:
        return second
    return first if first != original else None


@dataclass(frozen=True)
class Shown:
    title: str
    text: str
    source_revision_id: int | None


def projector_translation(proposal_id: int, language: str) -> Shown | None:
    """The newest version of a proposal's translation into ``language``: one query."""
    row = db.session.execute(
        sa.select(TranslationVersion.title, TranslationVersion.text,
                  TranslationVersion.source_revision_id)
        .join(ContentTranslation, sa.and_(
            TranslationVersion.translation_id == ContentTranslation.id,
            TranslationVersion.number == ContentTranslation.latest_number))
        .where(ContentTranslation.kind == TranslatedKind.PROPOSAL.value,
               ContentTranslation.ref_id == proposal_id,
               ContentTranslation.language == language)).first()
    return Shown(*row) if row is not None else None
