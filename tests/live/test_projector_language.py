"""The wall speaks the meeting's language; each phone speaks its own person's."""

import re


def _opening(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


def test_projector_follows_the_meeting_and_phones_their_person(web, other_web, make):
    collective = make.collective(languages="el en ar")
    maria = make.member(collective, "Maria", language="en")
    meeting = make.meeting(make.assembly(collective), maria, live=True, languages="el en")
    base = f"/c/{collective.slug}/m/{meeting.id}"
    web.login(maria)
    web.client.set_cookie("lang", "en")
    projector = web.text(f"{base}/projector")
    assert 'lang="el"' in _opening(projector) and 'dir="ltr"' in _opening(projector)
    assert "Ατζέντα" in projector or "ατζέντα" in projector.lower()  # the agenda heading
    assert 'lang="en"' in _opening(web.text(f"{base}/phone"))  # Maria's own language
    chosen = web.text(f"{base}/projector?lang=ar")  # the room chose Arabic tonight
    assert 'lang="ar"' in _opening(chosen) and 'dir="rtl"' in _opening(chosen)
    assert 'lang="el"' in _opening(other_web.text(f"{base}/projector?lang=xx"))
