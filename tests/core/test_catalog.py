"""The Japanese catalogue against the code: every message the code marks (babel.cfg) has a
Japanese translation in locales/ja/LC_MESSAGES/messages.po, and the .po holds nothing else.
`make messages` updates the .po from the code; this check says what is then left to do."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "locales" / "messages.pot"
PO = ROOT / "locales" / "ja" / "LC_MESSAGES" / "messages.po"
# As the Makefile's `messages` target calls `pybabel extract` (--no-default-keywords -k _ -k N_
# -k gettext -k ngettext:1,2 -k pgettext:1c,2 -k npgettext:1c,2,3 -c TRANSLATORS: -s); if the
# two drift apart, test_messages_pot_is_current fails even after `make messages`.
KEYWORDS: dict[str, tuple[int | tuple[int, str], ...] | None] = {
    "_": None,
    "N_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ["TRANSLATORS:"]
TO_DO = (
    "\n\nRun `make messages`, then in locales/ja/LC_MESSAGES/messages.po translate empty "
    "entries, check and unflag fuzzy ones, and delete obsolete (#~) entries and entries the "
    "code no longer uses."
)

Key = tuple[str, str | None]


def _key(message: Message) -> Key:
    """A message as the catalogue files it: its (singular) id and its context."""
    singular = message.id if isinstance(message.id, str) else message.id[0]
    return singular, message.context


def _name(message: Message) -> str:
    where = f" ({message.locations[0][0]}:{message.locations[0][1]})" if message.locations else ""
    context = f" [context {message.context!r}]" if message.context else ""
    return f"{message.id!r}{context}{where}"


def _translated(message: Message) -> bool:
    """Every form has a text (Japanese has one plural form)."""
    string = message.string
    if isinstance(string, (list, tuple)):
        return bool(string) and all(string)
    return bool(string)


def _entries(catalog: Catalog) -> Iterable[Message]:
    """The messages, without the header entry."""
    return (m for m in catalog if m.id)


@cache
def extracted() -> Catalog:
    """The messages marked in the code, extracted as `make messages` does, in-process."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")  # type: ignore[no-untyped-call]
    catalog = Catalog(project="ouen")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def problems(code: Catalog, po: Catalog) -> list[str]:
    """What is wrong with the translations `po` for the messages in `code`, one line each."""
    found: list[str] = []
    if po.fuzzy:
        found.append("the header of the catalogue is marked fuzzy (nothing would be used)")
    for message in _entries(code):
        entry = po.get(*_key(message))
        if entry is None or not _translated(entry):
            found.append(f"untranslated: {_name(message)}")
    in_code = {_key(m) for m in _entries(code)}
    for entry in _entries(po):
        if entry.fuzzy:
            found.append(f"fuzzy: {_name(entry)}")
        if _key(entry) not in in_code:
            found.append(f"not in the code: {_name(entry)}")
    for entry in po.obsolete.values():
        found.append(f"obsolete (#~): {_name(entry)}")
    for entry, errors in po.check():
        found.extend(f"{error}: {_name(entry)}" for error in errors)
    return found


def test_every_message_has_a_japanese_translation_and_nothing_else() -> None:
    found = problems(extracted(), read(PO))
    if found:
        pytest.fail(f"{PO.relative_to(ROOT)}:\n" + "\n".join(found) + TO_DO, pytrace=False)


def test_messages_pot_is_current() -> None:
    """messages.pot is what the code extracts to (plural forms and contexts included)."""
    in_code = {(m.id, m.context): m for m in _entries(extracted())}
    in_pot = {(m.id, m.context): m for m in _entries(read(POT))}
    found = [f"missing from messages.pot: {_name(m)}" for k, m in in_code.items()
             if k not in in_pot]
    found += [f"in messages.pot, not in the code: {_name(m)}" for k, m in in_pot.items()
              if k not in in_code]
    if found:
        pytest.fail("\n".join(found) + TO_DO, pytrace=False)


def test_the_check_names_what_is_wrong() -> None:
    code = Catalog(locale="ja")
    code.add("Send", locations=[("app.py", 1)])
    code.add("Hello", locations=[("app.py", 2)])
    code.add("Close", locations=[("app.py", 3)])
    po = Catalog(locale="ja", fuzzy=False)
    po.add("Send", "送信する")
    po.add("Close", "閉じる", flags=["fuzzy"])
    po.add("Goodbye", "さようなら")
    po.obsolete["Older"] = Message("Older", "古い")
    assert problems(code, po) == [
        "untranslated: 'Hello' (app.py:2)",
        "fuzzy: 'Close'",
        "not in the code: 'Goodbye'",
        "obsolete (#~): 'Older'",
    ]
    po.add("Hello", "こんにちは")
    po["Close"].flags.discard("fuzzy")
    del po["Goodbye"]
    po.obsolete.clear()
    assert problems(code, po) == []
