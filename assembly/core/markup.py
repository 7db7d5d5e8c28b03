"""All user text goes through one sanitiser: Markdown, then bleach with an allowlist."""

from functools import lru_cache

import bleach
import markdown as md
from bleach.linkifier import Linker
from markupsafe import Markup

ALLOWED_TAGS = [
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody",
    "tr", "th", "td", "del", "ins", "sup", "sub",
]
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "th": ["align"], "td": ["align"]}
ALLOWED_PROTOCOLS = ["http", "https", "mailto"]


def _safe_links(attrs, new=False):
    """Every link gets rel="nofollow noopener"; a link whose URL the cleaner refused (e.g.
    javascript:) has no href left and becomes its plain text."""
    if not attrs.get((None, "href")):
        return None
    attrs[(None, "rel")] = "nofollow noopener"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True
)
_linker = Linker(callbacks=[_safe_links], skip_tags=["pre", "code"])


# Rendering is pure and the same texts come back again and again (a live meeting re-sends the
# current proposal with every change; a long discussion's page shows hundreds of comments), so
# texts are remembered: many short ones (comments, reasons) and fewer long ones (proposals),
# which bounds the memory either way (~7 MB and ~20 MB at most).
SHORT_TEXT_LENGTH = 1_000
CACHED_TEXT_LENGTH = 50_000


def render_markdown(text: str | None) -> Markup:
    if not text:
        return Markup("")
    if len(text) <= SHORT_TEXT_LENGTH:
        return _render_short(text)
    if len(text) <= CACHED_TEXT_LENGTH:
        return _render_long(text)
    return _render(text)


def _render(text: str) -> Markup:
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    return Markup(_linker.linkify(_cleaner.clean(html)))


_render_short = lru_cache(maxsize=2048)(_render)
_render_long = lru_cache(maxsize=128)(_render)
