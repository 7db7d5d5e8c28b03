"""The implementation pages: the agreement section, the form and its refusals, the body page."""

from datetime import timedelta

from freezegun import freeze_time

from assembly.core.db import utcnow
from assembly.implementation import service as implementation

from .conftest import CANARY, agree


def _url(proposal):
    return f"/c/{proposal.collective.slug}/p/{proposal.id}/implementation"


def _page(proposal):
    return f"/c/{proposal.collective.slug}/p/{proposal.id}-{proposal.slug}"


def test_progress_and_completion_show_on_the_agreement(web, make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana, implementer_body=clinic.pharmacy)
    web.login(clinic.ana)
    assert "Not started yet" in web.text(_page(proposal))
    response = web.post(_url(proposal), {"kind": "progress", "note": "Shelves **ordered**",
                                         "percent": "40"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#implementation-{proposal.agreement.id}")
    page = web.text(_page(proposal))
    assert "<strong>ordered</strong>" in page and "40% done" in page
    assert "Ana recorded progress on its implementation (40%)." in page  # the history line
    assert web.post(_url(proposal), {"kind": "completed", "note": "Open!"}).status_code == 302
    page = web.text(_page(proposal))
    assert "Completed" in page and "Ana marked its implementation complete." in page


def test_a_non_implementer_cannot_mark_completion(web, make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana, implementer_body=clinic.pharmacy)
    web.login(clinic.bob)
    page = web.text(_page(proposal))
    assert 'value="progress"' in page and 'value="completed"' not in page
    response = web.post(_url(proposal), {"kind": "completed", "note": "Looks done to me"})
    assert response.status_code == 403
    assert "Looks done to me" in response.get_data(as_text=True)  # what was typed is kept
    assert implementation.history(proposal.agreement) == []
    # Progress is open to any member.
    assert web.post(_url(proposal), {"kind": "progress", "note": "Saw it"}).status_code == 302


def test_outsiders_and_incomers_cannot_record(web, make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana)
    response = web.post(_url(proposal), {"kind": "progress", "note": "Hi"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    web.login(clinic.dora)
    assert 'name="note"' not in web.text(_page(proposal))
    assert web.post(_url(proposal), {"kind": "progress", "note": "Hi"}).status_code == 403
    assert implementation.history(proposal.agreement) == []


def test_bad_input_keeps_what_was_typed(web, make, clinic):
    proposal = agree(make, clinic.assembly, clinic.ana)
    web.login(clinic.ana)
    response = web.post(_url(proposal), {"kind": "progress", "note": "", "percent": "55"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'value="55"' in text and "This field is required." in text
    long_note = "Typed with care " + "x" * implementation.MAX_NOTE
    response = web.post(_url(proposal), {"kind": "progress", "note": long_note})
    assert response.status_code == 422
    assert long_note in response.get_data(as_text=True)
    response = web.post(_url(proposal), {"kind": "progress", "note": "Half", "percent": "150"})
    assert response.status_code == 422 and "Half" in response.get_data(as_text=True)
    assert implementation.history(proposal.agreement) == []


def test_body_page_lists_overdue_implementation(web, make, clinic):
    agree(make, clinic.assembly, clinic.ana, deadline_days=1, title="Open corner")
    care = make.working_group(clinic.collective, clinic.ana, "Case group",
                              visibility="confidential")
    agree(make, care, clinic.ana, deadline_days=1, title=f"Care plan {CANARY}")
    body_url = f"/c/{clinic.collective.slug}/b/{clinic.assembly.slug}/"
    assert "Overdue implementation" not in web.text(body_url)
    with freeze_time(utcnow() + timedelta(days=4)):
        page = web.text(body_url)
        assert "Overdue implementation" in page and "Open corner" in page
        assert CANARY not in page
        web.login(clinic.ana)
        care_page = web.text(f"/c/{clinic.collective.slug}/b/{care.slug}/")
        assert "Overdue implementation" in care_page and CANARY in care_page
