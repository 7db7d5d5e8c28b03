"""Atom feeds: one builder for every feed (collective, body, proposal, a person's own updates).

Entries carry plain text or sanitised HTML only; callers select them through
``assembly.visibility`` first, so a feed never holds more than its reader may read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Response

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


@dataclass(frozen=True)
class Entry:
    id: str  # a stable, unique URI (tag: or the permalink)
    title: str
    link: str
    updated: datetime
    summary_html: str = ""  # already sanitised (render_markdown or escaped text)
    author: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, value: str, **attrs) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = value
    return element


def atom_document(*, feed_id: str, title: str, self_url: str, alternate_url: str,
                  entries: list[Entry], language: str = "", subtitle: str = "") -> bytes:
    """The feed as bytes. ``updated`` is the newest entry's time (or the epoch when empty),
    so an unchanged archive gives an identical document and caches stay valid."""
    ET.register_namespace("", ATOM)
    attrs = {"{http://www.w3.org/XML/1998/namespace}lang": language} if language else {}
    feed = ET.Element(f"{{{ATOM}}}feed", attrs)
    _text(feed, "id", feed_id)
    _text(feed, "title", title)
    if subtitle:
        _text(feed, "subtitle", subtitle)
    newest = max((entry.updated for entry in entries), default=datetime(1970, 1, 1, tzinfo=UTC))
    _text(feed, "updated", _iso(newest))
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": alternate_url})
    _text(feed, "generator", "Assembly")
    for entry in entries:
        node = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(node, "id", entry.id)
        _text(node, "title", entry.title)
        ET.SubElement(node, f"{{{ATOM}}}link", {"rel": "alternate", "href": entry.link})
        _text(node, "updated", _iso(entry.updated))
        # Atom requires an author; the collective speaks when no person is named.
        author = ET.SubElement(node, f"{{{ATOM}}}author")
        _text(author, "name", entry.author or "Assembly")
        for term in entry.categories:
            ET.SubElement(node, f"{{{ATOM}}}category", {"term": term})
        if entry.summary_html:
            _text(node, "content", entry.summary_html, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def atom_response(**kwargs) -> Response:
    return Response(atom_document(**kwargs), mimetype="application/atom+xml",
                    content_type=ATOM_TYPE)
