"""Story bodies: Markdown rendered with an allow-list; nothing executable survives."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from publishing.markdown import render_markdown

ALLOWED = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h2", "h3", "a"}


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def tags_in(html: str) -> set[str]:
    return {tag for tag, _attrs in elements(html)}


def assert_safe(html: str) -> None:
    for tag, attrs in elements(html):
        assert tag in ALLOWED, html
        allowed_attrs = {"href", "rel"} if tag == "a" else set()
        assert set(attrs) <= allowed_attrs, html
        if tag == "a":
            assert (attrs["href"] or "").startswith(("http://", "https://")), html
            assert attrs["rel"] == "nofollow noopener"


def test_the_usual_markdown_becomes_the_allowed_tags() -> None:
    html = render_markdown(
        "# 大見出し\n\n## 見出し\n\n### 小見出し\n\n#### もっと小さい\n\n"
        "**太字** と *斜体*、改行は  \nここ。\n\n- 一\n- 二\n\n1. いち\n\n> 引用\n\n"
        "[市のページ](https://www.city.kobe.lg.jp/?a=1&b=2)"
    )
    assert "<h1" not in html  # the page's own title is the only h1
    assert html.count("<h2>") == 2 and html.count("<h3>") == 2
    for tag in ("<strong>太字</strong>", "<em>斜体</em>", "<br>", "<ul>", "<ol>", "<blockquote>"):
        assert tag in html
    assert ('<a href="https://www.city.kobe.lg.jp/?a=1&amp;b=2" rel="nofollow noopener">'
            "市のページ</a>") in html
    assert_safe(html)


@pytest.mark.parametrize(
    "nasty",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<img src=x onerror="alert(1)">',
        '<svg onload="alert(1)"></svg>',
        "<iframe src=javascript:alert(1)></iframe>",
        '<a href="javascript:alert(1)">x</a>',
        "<style>body{display:none}</style>",
        "<details open ontoggle=alert(1)>",
        "<!-- <script>alert(1)</script> -->",
        '<p onclick="alert(1)">x</p>',
        "<<script>script>alert(1)<</script>/script>",
        '<a href="https://ok.example" onclick="alert(1)">x</a>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "    <script>alert(1)</script>",
        "```html\n<script>alert(1)</script>\n```",
        "`<img src=x onerror=alert(1)>`",
    ],
)
def test_raw_html_never_becomes_markup(nasty: str) -> None:
    html = render_markdown(f"before\n\n{nasty}\n\nafter")
    assert_safe(html)
    assert tags_in(html) <= {"p"}  # shown as text, if at all


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](java%0ascript:alert(1))",
        "[x](jav\tascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](mailto:someone@example.jp)",
        "[x](tel:0783225211)",
        "[x](file:///etc/passwd)",
        "[x](//evil.example/)",
        "[x](/admin/stories)",
        "[x](relative/page)",
        "<javascript:alert(1)>",
        "<mailto:someone@example.jp>",
        "<someone@example.jp>",
        "[x]: javascript:alert(1)\n\n[y][x]",
    ],
)
def test_only_http_and_https_links_survive(link: str) -> None:
    html = render_markdown(link)
    assert_safe(html)
    assert "<a" not in html, html


def test_links_carry_rel_and_nothing_else() -> None:
    html = render_markdown('[x](https://ok.example "\\" onmouseover=alert(1) x=\\"")')
    assert html == '<p><a href="https://ok.example" rel="nofollow noopener">x</a></p>'


def test_markdown_images_are_not_images() -> None:
    html = render_markdown("![家の前で](https://evil.example/tracker.png)")
    assert "img" not in tags_in(html)
    assert_safe(html)


def test_empty_and_crlf() -> None:
    assert render_markdown("") == ""
    assert render_markdown("一行目\r\n二行目") == "<p>一行目\n二行目</p>"
