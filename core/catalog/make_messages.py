"""Extract message ids and write locales/ja/LC_MESSAGES/messages.po from
core/catalog/ja_messages*.py (`make messages`)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SOURCES = ("core", "intake", "notifications", "publishing", "admin", "matching", "templates")
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
KEYWORDS = {"_": None, "N_": None}


def extract_ids() -> list[str]:
    """Every message id marked in code and templates, in first-seen order."""
    seen: dict[str, None] = {}
    for folder in SOURCES:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, METHODS, keywords=KEYWORDS
        ):
            if isinstance(message, str) and message:
                seen.setdefault(message, None)
    return list(seen)


def japanese() -> dict[str, str]:
    """All translations: ja_messages.py and one ja_messages_<area>.py per area, here."""
    merged: dict[str, str] = {}
    for path in sorted(HERE.glob("ja_messages*.py")):
        module = importlib.import_module(f"core.catalog.{path.stem}")
        merged.update(module.JA)
    return merged


def main() -> int:
    JA = japanese()

    catalog = Catalog(locale="ja", project="ouen", charset="utf-8", fuzzy=False)
    missing = [m for m in extract_ids() if m not in JA]
    for message_id in extract_ids():
        catalog.add(message_id, JA.get(message_id, ""))
    with (ROOT / "locales" / "ja" / "LC_MESSAGES" / "messages.po").open("wb") as fh:
        write_po(fh, catalog, width=0)
    for message_id in missing:
        print(f"untranslated: {message_id!r}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
