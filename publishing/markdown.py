"""Story bodies: Markdown (CommonMark, no raw HTML, no images) rendered, then sanitised.

Two layers, each enough alone: markdown-it never emits raw HTML or a link whose scheme is
not http(s), and nh3 (ammonia) then keeps only an allow-list of tags and attributes. Photos
are uploaded separately (re-encoded, with alt text), so Markdown images are off."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h2", "h3", "a"}
SCHEMES = {"http", "https"}
LINK_REL = "nofollow noopener"


def _safe_link(url: str) -> bool:
    scheme, sep, _rest = url.strip().partition(":")
    return bool(sep) and scheme.lower() in SCHEMES


def _demote_headings(state: StateCore) -> None:
    """The page's own title is the only h1: `#` and `##` become h2, deeper levels h3."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            token.tag = "h2" if level <= 2 else "h3"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline", "code", "fence"])
    md.validateLink = _safe_link  # type: ignore[method-assign]
    md.core.ruler.push("demote_headings", _demote_headings)
    return md


_MD = _parser()
_CLEANER = nh3.Cleaner(
    tags=TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href"}, "*": set()},  # "*": no generic title/lang
    url_schemes=SCHEMES,
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


def render_markdown(text: str) -> str:
    """Safe HTML for a story body written in Markdown."""
    html = _MD.render(text.replace("\r\n", "\n"))
    return _CLEANER.clean(html).strip()
