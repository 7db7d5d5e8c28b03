"""The one sanitiser: hostile Markdown and HTML never come out as active content."""

import re

import pytest

from assembly.core.markup import render_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">raw</a>',
    '<a href="JAVASCRIPT:alert(1)">raw</a>',
    '<a href="javascript&#58;alert(1)">raw</a>',
    '<a href="&#x6A;avascript:alert(1)">raw</a>',
    '<a href="vbscript:msgbox(1)">raw</a>',
    '<a href="data:text/html,<script>alert(1)</script>">raw</a>',
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
    '<a href="https://ok.example" onmouseover=alert(1)>ok</a>',
    '<p onmouseover="alert(1)">hover</p>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<style>body{display:none}</style>",
    "<body onload=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<input autofocus onfocus="alert(1)">',
    "<details open ontoggle=alert(1)>",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    "<b><i>unclosed <a href='javascript:alert(1)'>x",
    '> quoted\n>> "nested" <script>alert(1)</script>\n>>> [x](javascript:alert(1))',
    "[ref link][evil]\n\n[evil]: javascript:alert(1)",
    '[ref][r]\n\n[r]: data:text/html;base64,PHNjcmlwdD4= "title"',
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "www.example.org and javascript:alert(1) and http://ok.example/x",
    '![img](x" onerror="alert(1))',
    "![img](javascript:alert(1))",
    '<a href="https://ok.example" title="x" onclick=alert(1)>t</a>',
    "`<script>alert(1)</script>` and ```\n<script>alert(1)</script>\n```",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<a href="&#0000106&#0000097vascript:alert(1)">old</a>',
    '"><script>alert(1)</script>',
    "<!--<script>alert(1)</script>-->",
]

SCRIPT = re.compile(r"<\s*script", re.I)
EVENT = re.compile(r"<[^>]*\son\w+\s*=", re.I)
BAD_URL = re.compile(r"""(href|src|action|data)\s*=\s*["']?\s*(javascript|vbscript|data):""", re.I)
ACTIVE_TAGS = re.compile(r"<\s*(iframe|svg|style|object|embed|form|input|meta|base|img|math)\b",
                         re.I)
ANCHOR = re.compile(r"<a\s[^>]*>", re.I)


def test_the_corpus_is_large_enough():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_comes_out_harmless(source):
    html = str(render_markdown(source))
    assert not SCRIPT.search(html), html
    assert not EVENT.search(html), html
    assert not BAD_URL.search(html), html
    assert not ACTIVE_TAGS.search(html), html
    for anchor in ANCHOR.findall(html):
        assert 'rel="nofollow noopener"' in anchor, html


@pytest.mark.parametrize("source", ["[site](https://example.org)", "<https://example.org>",
                                    "see www.example.org", "mail <mailto:a@example.org>",
                                    '<a href="http://example.org" rel="me">x</a>'])
def test_every_link_is_nofollow_noopener(source):
    html = str(render_markdown(source))
    anchors = ANCHOR.findall(html)
    assert anchors, html
    assert all('rel="nofollow noopener"' in a for a in anchors), html


def test_ordinary_markdown_survives():
    html = str(render_markdown("**bold** and *soft*\n\n- one\n- two\n\n> quoted"))
    assert "<strong>bold</strong>" in html and "<em>soft</em>" in html
    assert "<li>one</li>" in html and "<blockquote>" in html


def test_empty_input():
    assert str(render_markdown("")) == "" and str(render_markdown(None)) == ""


def test_a_link_whose_url_was_refused_keeps_only_its_text():
    assert str(render_markdown("[click](javascript:alert(1))")) == "<p>click</p>"
    assert str(render_markdown('<a title="t">bare</a>')) == "<p>bare</p>"
