"""Community translations of proposals, agreements and minutes (DESIGN.md §5): added by members
and by incomers (public items only), read beside the original, marked outdated when the source
changes with a link to what changed, readable exactly where the source is, and shown on the
projector in the meeting's second language. Both backends."""

import pytest
import sqlalchemy as sa

from assembly.collectives.models import Body
from assembly.comments.views import GUEST_COOKIE
from assembly.core.errors import Conflict, Forbidden, NotFound
from assembly.extensions import db
from assembly.live import service as live
from assembly.live.minutes import minutes_of
from assembly.proposals import service as proposals
from assembly.translated import service as translated
from assembly.translated.models import ContentTranslation, TranslationVersion
from assembly.visibility import ANONYMOUS, viewer_for
from tests.conftest import WebClient

ORIGINAL = "Το ιατρείο ανοίγει κάθε Σάββατο."
ENGLISH = "The clinic opens **every** Saturday."
CANARY = "CANARY-TRANSLATION-5f1e"


@pytest.fixture
def clinic(make):
    collective = make.collective("Clinic", languages="el en ar")
    maria = make.member(collective, "Maria")
    proposal = make.proposal(make.assembly(collective), maria, "drafting", title="Σάββατα",
                             text=ORIGINAL)
    return collective, maria, proposal


def base(proposal):
    return f"/c/{proposal.collective.slug}/p/{proposal.id}/translations"


def page(proposal):
    return f"/c/{proposal.collective.slug}/p/{proposal.id}-{proposal.slug}"


def versions():
    return list(db.session.scalars(sa.select(TranslationVersion).order_by(TranslationVersion.id)))


def save(source, person, language, text, **kw):
    version = translated.save_translation(source, viewer_for(person),
                                          translated.Translator(person=person), language, text,
                                          **kw)
    db.session.commit()
    return version


# --- adding and reading ------------------------------------------------------------------------

def test_a_member_adds_a_translation_and_readers_see_both_languages(app, web, clinic):
    collective, maria, proposal = clinic
    web.login(maria)
    form = web.text(page(proposal))
    assert 'class="languages-bar"' in form
    assert f"{ORIGINAL}</textarea>" in form  # the form starts with the original text
    bar = form[form.index('class="languages-bar"'):]
    assert '<option value="en"' in bar
    assert '<option value="el"' not in bar  # not into the original's language
    response = web.post(base(proposal), {"language": "en", "title": "Saturdays",
                                         "text": ENGLISH, "revision": "1", "base_number": "0"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{base(proposal)}/en")
    [version] = versions()
    assert (version.author_id, version.number, version.guest_id) == (maria.id, 1, None)
    assert version.source_revision_id == proposal.current_revision.id
    # An anonymous reader sees the original's language and the translation, in its language.
    reader = WebClient(app.test_client())
    bar = reader.text(page(proposal))
    assert "Ελληνικά" in bar and f'href="{base(proposal)}/en"' in bar
    assert "outdated" not in bar
    text = reader.text(f"{base(proposal)}/en")
    assert 'lang="en" dir="auto"' in text and "<strong>every</strong>" in text
    assert "Saturdays" in text and "Version 1 by Maria" in text


def test_each_save_is_a_new_version_and_nothing_is_overwritten(app, clinic):
    collective, maria, proposal = clinic
    source = translated.proposal_source(viewer_for(maria), proposal)
    save(source, maria, "en", "The clinic opens on Saturdays.")
    save(source, maria, "en", ENGLISH, base_number=1)
    assert [(v.number, v.text) for v in versions()] == [
        (1, "The clinic opens on Saturdays."), (2, ENGLISH)]
    assert db.session.scalars(sa.select(ContentTranslation)).one().latest_number == 2
    # A save from an old version is refused, not silently replacing the newer one.
    with pytest.raises(Conflict):
        save(source, maria, "en", "Mine", base_number=1)
    db.session.rollback()
    # Versions are append-only.
    first = versions()[0]
    first.text = "rewritten"
    with pytest.raises(RuntimeError):
        db.session.flush()
    db.session.rollback()


def test_a_new_revision_marks_the_translation_outdated_with_a_link_to_the_diff(web, clinic):
    collective, maria, proposal = clinic
    save(translated.proposal_source(viewer_for(maria), proposal), maria, "en", ENGLISH)
    proposals.revise(proposal, maria, ORIGINAL + " Και την Κυριακή.", base_revision=1)
    db.session.commit()
    compare = f"/c/{collective.slug}/p/{proposal.id}/compare?from=1&amp;to=2"
    bar = web.text(page(proposal))
    assert "outdated" in bar and compare in bar
    text = web.text(f"{base(proposal)}/en")
    assert "outdated" in text and compare in text
    # The diff link leads to the comparison of the two revisions.
    assert web.get(compare.replace("&amp;", "&")).status_code == 200
    # Updating the translation from the current revision makes it current again.
    source = translated.proposal_source(viewer_for(maria), proposal)
    save(source, maria, "en", ENGLISH + " And on Sundays.", base_number=1)
    assert "outdated" not in web.text(page(proposal))


def test_a_rejected_form_keeps_the_text_with_a_translated_message(web, clinic):
    collective, maria, proposal = clinic
    web.login(maria)
    web.post("/language", {"lang": "el"})
    typed = "Half a translation, typed with care"
    # Into the original's own language: refused by the form's choices.
    response = web.post(base(proposal), {"language": "el", "text": typed, "base_number": "0"})
    assert response.status_code == 422 and typed in response.get_data(as_text=True)
    # Refused by the service (a control character): the reason in the reader's language.
    response = web.post(base(proposal), {"language": "en", "text": typed + "\x07",
                                         "base_number": "0"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert typed in body and 'id="text-error"' in body
    assert "αόρατους χαρακτήρες ελέγχου" in body
    # A save over someone else's: 409, the text kept, the next save based on the newer one.
    save(translated.proposal_source(viewer_for(maria), proposal), maria, "en", ENGLISH)
    response = web.post(base(proposal), {"language": "en", "text": typed, "base_number": "0"})
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert typed in body and 'name="base_number" type="hidden" value="1"' in body
    assert [v.text for v in versions()] == [ENGLISH]


def test_agreements_and_minutes_are_translated_too(web, make):
    collective = make.collective("Clinic", languages="el en")
    maria = make.member(collective, "Maria")
    proposal = make.proposal(make.assembly(collective), maria, "agreed", text=ORIGINAL)
    agreement = proposal.agreement
    meeting = agreement.meeting
    live.close_meeting(meeting, maria)
    db.session.commit()
    minutes = minutes_of(viewer_for(maria), meeting)
    web.login(maria)
    agreement_base = f"{base(proposal)[:-len('/translations')]}/agreements/{agreement.id}" \
                     "/translations"
    assert agreement_base in web.text(page(proposal))
    assert web.post(agreement_base, {"language": "en", "text": ENGLISH}).status_code == 302
    minutes_base = f"/c/{collective.slug}/m/{meeting.id}/minutes/translations"
    assert minutes_base in web.text(f"/c/{collective.slug}/m/{meeting.id}")
    assert web.post(minutes_base, {"language": "en", "text": "Minutes in English"}
                    ).status_code == 302
    assert "Minutes in English" in web.text(f"{minutes_base}/en")
    kinds = dict(db.session.execute(
        sa.select(ContentTranslation.kind, ContentTranslation.ref_id)).all())
    assert kinds == {"agreement": agreement.id, "minutes": minutes.id}
    # Minutes written again with another text: their translation is outdated.
    minutes.text += "\nOne more line."
    db.session.commit()
    source = translated.minutes_source(viewer_for(maria), minutes)
    [found] = translated.translations_of(source)
    assert found.outdated


# --- incomers --------------------------------------------------------------------------------

def test_a_guest_translates_a_public_proposal_under_a_chosen_name(web, clinic):
    collective, maria, proposal = clinic
    assert f"{ORIGINAL}</textarea>" in web.text(page(proposal))
    response = web.post(base(proposal), {"language": "ar", "text": "ترجمة", "name": "Leyla",
                                         "base_number": "0"})
    assert response.status_code == 302
    [version] = versions()
    assert version.author_id is None and version.guest_name == "Leyla" and version.guest_id
    assert web.client.get_cookie(GUEST_COOKIE) is not None  # the comments' guest identity
    text = web.text(f"{base(proposal)}/ar")
    assert 'lang="ar"' in text and "Leyla" in text and "guest" in text
    # The honeypot: filled in, refused.
    assert web.post(base(proposal), {"language": "en", "text": "x", "name": "Bot",
                                     "website": "http://spam"}).status_code == 400


@pytest.mark.parametrize("visibility", ["members", "confidential"])
def test_guests_may_not_translate_what_is_not_public(web, make, visibility):
    collective = make.collective(languages="el en")
    maria = make.member(collective, "Maria")
    body = make.working_group(collective, maria, visibility=visibility)
    proposal = make.proposal(body, maria, "drafting", text=ORIGINAL)
    assert web.post(base(proposal), {"language": "en", "text": ENGLISH, "name": "Leyla"}
                    ).status_code == 404
    source = translated.proposal_source(viewer_for(maria), proposal)
    with pytest.raises(NotFound):
        translated.save_translation(source, ANONYMOUS,
                                    translated.Translator(guest=_guest(), guest_name="Leyla"),
                                    "en", ENGLISH)
    assert versions() == []


def _guest():
    from assembly.comments.service import Guest

    return Guest("guest-id-1", "client")


def test_a_signed_in_non_member_translates_only_public_items(app, make, clinic):
    collective, maria, proposal = clinic
    outsider = make.person("Outsider")
    source = translated.proposal_source(viewer_for(outsider), proposal)
    save(source, outsider, "en", ENGLISH)
    closed = make.proposal(make.assembly(collective), maria, "drafting", visibility="members")
    with pytest.raises(NotFound):
        translated.proposal_source(viewer_for(outsider), closed)
    # Should they hold the source anyway: refused.
    source = translated.proposal_source(viewer_for(maria), closed)
    with pytest.raises(Forbidden):
        translated.save_translation(source, viewer_for(outsider),
                                    translated.Translator(person=outsider), "en", ENGLISH)


# --- visibility ------------------------------------------------------------------------------

def test_a_confidential_translation_never_reaches_others(app, web, other_web, make):
    collective = make.collective(languages="el en")
    ana = make.member(collective, "Ana")
    bob = make.member(collective, "Bob")
    care = make.working_group(collective, ana, "Case assembly", visibility="confidential")
    assert db.session.get(Body, care.id) is not None
    proposal = make.proposal(care, ana, "drafting", text="Support plan.")
    save(translated.proposal_source(viewer_for(ana), proposal), ana, "en", CANARY + " zebrafish")
    web.login(ana)
    assert CANARY in web.text(f"{base(proposal)}/en")
    other_web.login(bob)
    for url in (f"{base(proposal)}/en", f"{base(proposal)}/en/versions/1",
                f"{base(proposal)}/en/edit", f"{base(proposal)}/new", page(proposal)):
        response = other_web.get(url)
        assert response.status_code == 404, url
        assert CANARY not in response.get_data(as_text=True)
    anonymous = WebClient(app.test_client())
    assert anonymous.get(f"{base(proposal)}/en").status_code == 404
    assert other_web.post(base(proposal), {"language": "en", "text": "x"}).status_code == 404
    # Search does not index translations (yet); whatever it does, the canary stays out.
    assert CANARY not in other_web.text(f"/c/{collective.slug}/search?q=zebrafish")


# --- the projector ---------------------------------------------------------------------------

def test_the_projector_shows_the_meetings_second_language_beside_the_original(app, make):
    collective = make.collective(languages="el en ar")
    maria = make.member(collective, "Maria")
    proposal = make.proposal(make.assembly(collective), maria, "on_agenda", text=ORIGINAL)
    meeting = proposal.events[-1].meeting
    assert meeting.languages.split()[:2] == ["el", "en"]
    state = live.live_state(meeting)
    state.current_item_id = meeting.items[0].id
    db.session.commit()
    current = live.snapshot(meeting)["current"]
    assert current["language"] == "el" and current["text_html_2"] is None
    save(translated.proposal_source(viewer_for(maria), proposal), maria, "en", ENGLISH,
         title="Saturdays")
    current = live.snapshot(meeting)["current"]
    assert (current["language_2"], current["title_2"], current["outdated_2"]) == (
        "en", "Saturdays", False)
    assert "<strong>every</strong>" in current["text_html_2"]
    # A newer revision: the translation is still shown, marked as made from an earlier one.
    proposals.revise(proposal, maria, ORIGINAL + " Και την Κυριακή.", base_revision=1)
    db.session.commit()
    assert live.snapshot(meeting)["current"]["outdated_2"] is True


def test_the_projector_starts_from_the_language_the_proposal_is_written_in(app, make):
    """A proposal written in English in a Greek-first collective: English is its original on
    the wall, and the meeting's other language, Greek, is the one shown beside it."""
    collective = make.collective(languages="el en ar")
    maria = make.member(collective, "Maria")
    proposal = make.proposal(make.assembly(collective), maria, "on_agenda", text=ENGLISH)
    proposal.language = "en"
    meeting = proposal.events[-1].meeting
    live.live_state(meeting).current_item_id = meeting.items[0].id
    db.session.commit()
    save(translated.proposal_source(viewer_for(maria), proposal), maria, "el", ORIGINAL,
         title="Σάββατα")
    current = live.snapshot(meeting)["current"]
    assert (current["language"], current["language_2"], current["title_2"]) == (
        "en", "el", "Σάββατα")


def test_the_second_language_of_a_meeting():
    assert translated.second_language(["el", "en", "ar"], "el") == "en"
    assert translated.second_language(["en", "el"], "el") == "en"
    # A proposal written in the meeting's second language: beside it, the meeting's first.
    assert translated.second_language(["el", "en", "ar"], "en") == "el"
    assert translated.second_language(["el"], "el") is None


def test_updating_a_translation_through_its_pages(web, clinic):
    collective, maria, proposal = clinic
    save(translated.proposal_source(viewer_for(maria), proposal), maria, "en", "Saturdays.")
    web.login(maria)
    form = web.text(f"{base(proposal)}/en/edit")
    assert "Saturdays.</textarea>" in form and 'name="base_number" type="hidden" value="1"' in form
    mine = form[form.index('id="yours-heading"'):]
    assert '<option value="ar"' not in mine  # the language is the translation's own
    response = web.post(base(proposal), {"language": "en", "text": ENGLISH, "base_number": "1",
                                         "revision": "1"})
    assert response.status_code == 302
    assert [v.number for v in versions()] == [1, 2]
    newest = web.text(f"{base(proposal)}/en")
    assert "<strong>every</strong>" in newest and f"{base(proposal)}/en/versions/1" in newest
    earlier = web.text(f"{base(proposal)}/en/versions/1")
    assert "Saturdays." in earlier and "An earlier version." in earlier
    assert web.get(f"{base(proposal)}/en/versions/9").status_code == 404
    assert web.get(f"{base(proposal)}/fr").status_code == 404
