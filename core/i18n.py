"""Languages: Japanese by default, English; chosen by ?lang=, cookie, then Accept-Language."""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANG_COOKIE = "lang"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
# Message ids are English; the Japanese catalogue translates them.
SOURCE_LANGUAGE = "en"


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalogue for `lang`, compiled in memory from its .po file at first use.

    The .po file is the source of truth (`make messages` updates it from the code); nothing
    is compiled to disk, so a fresh clone runs as it is. Fuzzy entries are left out."""
    if lang == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    po_path = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def parse_accept_language(header: str) -> str | None:
    """The supported language the browser prefers most, by q-value."""
    best: tuple[float, str] | None = None
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        if lang not in LANGUAGES:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, lang)
    return best[1] if best else None


def choose_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return parse_accept_language(accept or "") or DEFAULT_LANGUAGE


def N_(message: str) -> str:  # the gettext convention: mark now, translate where shown
    """Marks a message for extraction (babel.cfg, `make messages`); it is translated where it
    is shown, by passing the marked value to `_()`."""
    return message


def make_gettext(lang: str) -> Callable[..., str]:
    """`_("Hello %(name)s", name=...)` for templates, in `lang`."""
    tr = translations(lang)

    def gettext(message: str, **values: object) -> str:
        text = tr.gettext(message)
        return text % values if values else text

    return gettext



class Messages:
    """Message keys (the codes of core.errors.DomainError) to their marked English texts,
    looked up in several packages' tables in order: a page shows the errors of the services
    it calls, whichever package raised them."""

    def __init__(self, *tables: Mapping[str, str]) -> None:
        self._tables = tables

    def __contains__(self, code: object) -> bool:
        return any(code in table for table in self._tables)

    def __getitem__(self, code: str) -> str:
        for table in self._tables:
            if code in table:
                return table[code]
        raise KeyError(code)
