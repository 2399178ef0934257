"""Every email to the public ends with the 問い合わせ先 block (OUEN_CONTACT_*) and the way to
one's own data (/my), in both languages and both parts."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from notifications.sender import TEMPLATES, EmailRenderer

SETTINGS = Settings(base_url="https://ouen.city.example.jp", contact_name="神戸市 応援窓口",
                    contact_phone="078-555-0199", contact_email="madoguchi@city.example.jp",
                    contact_hours="平日 9:00–17:30")
NAMES = sorted(path.parent.name for path in Path(TEMPLATES).glob("*/body.txt"))


def test_every_email_template_is_checked() -> None:
    assert len(NAMES) >= 8 and "proposal_verify" in NAMES and "self_service_link" in NAMES


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("locale", ["ja", "en"])
def test_every_email_carries_the_contact_block(name: str, locale: str) -> None:
    context: dict[str, object] = {"proposal": {}, "collaborator": {}, "other": {}, "link": {},
                                  "links": []}
    _subject, text, html = EmailRenderer.for_settings(SETTINGS).render(name, locale, context)
    for part in (text, html):
        for value in ("神戸市 応援窓口", "078-555-0199", "madoguchi@city.example.jp",
                      "平日 9:00–17:30", "https://ouen.city.example.jp/my"):
            assert value in part, (name, locale, value)
    assert ("問い合わせ先" in text) == (locale == "ja")
    assert ("Enquiries" in html) == (locale == "en")
