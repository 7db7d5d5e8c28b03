"""Open-data exports: JSON and CSV of every public proposal (with its events), agreement,
meeting and minutes; public items only, even for members; streamed in keyset batches and
pageable."""

import csv
import io
import json

import pytest
import sqlalchemy as sa

from assembly.archive.export import DATASETS
from assembly.archive.service import Scope
from assembly.extensions import db
from assembly.live.service import close_meeting
from tests.archive.conftest import assert_no_canary

READERS = ["anonymous", "eve", "bob", "ana"]
FORMATS = ["json", "csv"]


def _url(archive, dataset, fmt, query=""):
    return f"/c/{archive.clinic.slug}/export/{dataset}.{fmt}{query}"


def _json(response) -> dict:
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    return json.loads(response.get_data(as_text=True))


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))


@pytest.mark.parametrize("who", READERS)
def test_exports_hold_public_items_only_for_every_reader(archive, web, who):
    """Open data is the same for everyone: a signed-in member, even a participant of the
    confidential body, gets public items only."""
    if who != "anonymous":
        web.login(getattr(archive, who))
    for dataset in DATASETS:
        for fmt in FORMATS:
            response = web.get(_url(archive, dataset, fmt))
            assert response.status_code == 200, (dataset, fmt)
            assert_no_canary(response.get_data(as_text=True), f"{dataset}.{fmt} for {who}")


def test_proposals_json_carries_events_and_text(archive, web):
    data = _json(web.get(_url(archive, "proposals", "json")))
    assert data["dataset"] == "proposals" and data["public_only"] is True
    assert data["next"] is None
    by_title = {item["title"]: item for item in data["items"]}
    assert set(by_title) == {"Open on Saturdays", "Buy a fridge", "Move the pharmacy",
                             "Night shifts", "Free dental care"}
    dental = by_title["Free dental care"]
    assert dental["phase"] == "agreed" and dental["body"] == archive.assembly.slug
    assert dental["text"] == "Every Tuesday; a dentist volunteers, costs shared."
    phases = [e["to_phase"] for e in dental["events"]]
    assert dental["events"][0]["kind"] == "created" and dental["events"][0]["actor"] == "Ana"
    assert [p for p in phases if p] == ["identified", "drafting", "on_agenda", "agreed"]
    assert [e["seq"] for e in dental["events"]] == sorted(e["seq"] for e in dental["events"])
    assert dental["events"][-1]["meeting_id"] is not None
    assert dental["url"].endswith(f"/p/{dental['id']}-{archive.proposals['agreed'].slug}")


def test_each_dataset_in_csv_parses_with_its_header(archive, web):
    for name, dataset in DATASETS.items():
        rows = _csv(web.get(_url(archive, name, "csv")))
        assert rows, name
        assert tuple(rows[0]) == dataset.csv_fields


def test_agreements_meetings_and_minutes(archive, web):
    agreements = _json(web.get(_url(archive, "agreements", "json")))["items"]
    assert [a["title"] for a in agreements] == ["Night shifts", "Free dental care"]
    assert agreements[1]["implementers"] == "The pharmacy group"
    assert agreements[1]["present"] == "Ana"
    meetings = _json(web.get(_url(archive, "meetings", "json")))["items"]
    assert "Clinic hall, 2nd floor" in [m["place"] for m in meetings]
    assert {m["timezone"] for m in meetings} == {"Europe/Athens"}
    minutes = _csv(web.get(_url(archive, "minutes", "csv")))
    assert len(minutes) == 1 and "Free dental care" in minutes[0]["text"]
    # The members-only proposal agreed at the same public meeting stays unnamed there.
    assert "not open to every reader" in minutes[0]["text"]


def test_csv_cells_never_start_a_formula(archive, web, make):
    make.proposal(archive.assembly, archive.ana, title="=HYPERLINK(\"http://x\")")
    rows = _csv(web.get(_url(archive, "proposals", "csv")))
    assert "'=HYPERLINK(\"http://x\")" in [row["title"] for row in rows]
    items = _json(web.get(_url(archive, "proposals", "json")))["items"]
    assert '=HYPERLINK("http://x")' in [item["title"] for item in items]  # JSON keeps it


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_are_streamed_in_batches(archive, web, app, fmt):
    app.config["EXPORT_BATCH_SIZE"] = 2
    response = web.get(_url(archive, "events", fmt))
    assert response.was_streamed  # response.is_streamed, before the test client read it
    chunks = [chunk for chunk in response.response if chunk]
    count = db.session.scalar(sa.select(sa.func.count()).select_from(
        DATASETS["events"].select(Scope(archive.clinic)).subquery()))
    assert count > 2
    # A header, then one chunk per batch of 2 (and for JSON a closing chunk).
    assert len(chunks) >= 1 + (count + 1) // 2
    text = b"".join(chunks).decode()
    parsed = json.loads(text)["items"] if fmt == "json" else list(csv.DictReader(io.StringIO(text)))
    assert len(parsed) == count


@pytest.mark.parametrize(("dataset", "fmt"),
                         [(name, "json") for name in DATASETS] + [("proposals", "csv")])
def test_exports_come_in_pages(archive, web, dataset, fmt):
    whole = _json(web.get(_url(archive, dataset, "json")))["items"]
    assert len(whole) > 1 or dataset == "minutes"
    seen, url = [], _url(archive, dataset, fmt, "?limit=2")
    while url:
        response = web.get(url)
        page = _json(response)["items"] if fmt == "json" else _csv(response)
        assert len(page) <= 2
        seen += [int(item["id"]) for item in page]
        link = response.headers.get("Link")
        url = link[1:link.index(">")].removeprefix("http://localhost") if link else None
        if fmt == "json":
            assert (json.loads(response.get_data())["next"] is None) == (link is None)
    assert seen == [item["id"] for item in whole]


@pytest.mark.parametrize("query", ["?limit=0", "?limit=100000", "?limit=x", "?after=-1"])
def test_bad_page_arguments_are_refused(archive, web, query):
    response = web.get(_url(archive, "proposals", "json", query))
    assert 400 <= response.status_code < 500


def test_unknown_dataset_or_format(archive, web):
    assert web.get(_url(archive, "people", "json")).status_code == 404
    assert web.get(_url(archive, "proposals", "xml")).status_code == 404


def test_open_data_page_lists_every_file(archive, web):
    page = web.text(f"/c/{archive.clinic.slug}/open-data")
    for name in DATASETS:
        assert f"/export/{name}.json" in page and f"/export/{name}.csv" in page
    assert f"/b/{archive.assembly.slug}/meetings.ics" in page
    assert_no_canary(page, "the open data page")
    assert "<script" not in page


def _queries(web, url) -> int:
    statements = []

    def count(*args, **kwargs):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert web.get(url).status_code == 200, url
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_exports_and_feeds_do_not_query_per_row(archive, web, make):
    slug = archive.clinic.slug
    urls = [_url(archive, name, "json") for name in DATASETS] + [
        f"/c/{slug}/feed.atom", f"/c/{slug}/meetings.ics", f"/c/{slug}/open-data"]
    few = {url: _queries(web, url) for url in urls}
    live = make.meeting(archive.assembly, archive.ana, days=1, live=True)  # agrees the new ones
    for n in range(3):
        make.proposal(archive.assembly, archive.ana, "agreed", title=f"More {n}")
        make.meeting(archive.assembly, archive.ana, days=10 + n, place=f"Room {n}")
    close_meeting(live, archive.ana)  # more minutes
    db.session.commit()
    assert {url: _queries(web, url) for url in urls} == few


def test_public_minutes_do_not_name_a_closed_working_group(archive, web, make):
    """A public proposal delegated, at a public meeting, to the members-only group: the minutes
    record the delegation without naming the group."""
    from datetime import timedelta

    from assembly.core.db import utcnow
    from assembly.proposals.service import delegate

    live = make.meeting(archive.assembly, archive.ana, days=1, live=True)
    proposal = make.proposal(archive.assembly, archive.ana, "on_agenda", title="Cheaper rent")
    delegate(proposal, archive.ana, working_group=archive.finances, mandate="Ask around.",
             return_date=utcnow().date() + timedelta(days=14), meeting=live)
    close_meeting(live, archive.ana)
    db.session.commit()
    minutes = _json(web.get(_url(archive, "minutes", "json")))["items"]
    text = next(m["text"] for m in minutes if m["meeting_id"] == live.id)
    assert "Cheaper rent" in text and "Ask around." in text
    assert "a working group not open to every reader" in text
    assert_no_canary(text, "the minutes of a delegation")
