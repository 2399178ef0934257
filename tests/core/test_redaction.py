"""Personal data in a story's text: kinds found, values never returned."""

from __future__ import annotations

from cryptography.fernet import Fernet

from core import redaction as pd
from core.crypto import FieldCipher
from core.db import utcnow
from intake.contact import collaborator_values, proposal_values
from intake.models import Collaborator, CollaboratorStatus, Proposal, ProposalStatus
from tests.factories import contact_columns

CIPHER = FieldCipher((Fernet.generate_key().decode(),), "index-secret-" + "z" * 32)


def applicant(**extra: str | None) -> Proposal:
    now = utcnow()
    values = {"nickname": "こうべ太郎", "email": "Taro.Kobe@example.jp", "phone": "0783225211",
              "website_url": "https://www.kodomo.example.jp/", "twitter": "kobe_kodomo",
              "facebook_url": "https://www.facebook.com/kobe.kodomo", **extra}
    return Proposal(
        **contact_columns(CIPHER, now, **values),
        ref="OU-TEST-0001", status=ProposalStatus.COMPLETED, category="children", catchphrase="x",
        body="x",
        email_bidx="x",
        locale="ja", consent_at=now, policy_version="1", created_at=now,
    )


KNOWN = proposal_values(CIPHER, applicant(), "applicant")


def kinds(text: str, field: str = "body") -> set[tuple[str, str]]:
    return {(f.who, f.kind) for f in pd.find({field: text}, KNOWN)}


def test_nothing_in_an_ordinary_story() -> None:
    text = "2026年11月から毎週土曜日に30食を届けています。長田区の公民館で。"
    assert kinds(text) == set()


def test_the_applicants_values_however_they_are_written() -> None:
    assert kinds("代表のこうべ 太郎さん") == {("applicant", "nickname")}
    assert kinds("ｺｳﾍﾞではなく　こうべ太郎") == {("applicant", "nickname")}
    assert kinds("連絡は taro.kobe@EXAMPLE.jp へ") == {("applicant", "email")}
    for phone in ("078-322-5211", "０７８－３２２－５２１１", "078 322 5211", "(078)322-5211",
                  "+81 78-322-5211", "+81783225211"):
        assert kinds(f"電話 {phone} まで") == {("applicant", "phone")}, phone
    assert kinds("詳しくは kodomo.example.jp/ で") == {("applicant", "website")}
    assert kinds("フォローは @kobe_kodomo へ") == {("applicant", "twitter")}
    assert kinds("facebook.com/kobe.kodomo を見てね") == {("applicant", "facebook")}


def test_other_addresses_and_numbers_are_found_as_patterns() -> None:
    assert kinds("問い合わせ hanako@example.org") == {("anyone", "email")}
    assert kinds("事務所 090-1234-5678") == {("anyone", "phone")}
    both = kinds("taro.kobe@example.jp と 090-1234-5678", "summary")
    assert both == {("applicant", "email"), ("anyone", "phone")}


def test_findings_name_the_field_and_never_the_value() -> None:
    findings = pd.find({"title": "こうべ太郎の挑戦", "body": "電話 078-322-5211",
                        "photos": "taro.kobe@example.jp"}, KNOWN)
    assert [(f.field, f.who, f.kind) for f in findings] == [
        ("title", "applicant", "nickname"), ("body", "applicant", "phone"),
        ("photos", "applicant", "email")]
    for finding in findings:
        assert "こうべ" not in repr(finding) and "5211" not in repr(finding)


def test_collaborators_are_project_members() -> None:
    now = utcnow()
    helper = Collaborator(
        **contact_columns(CIPHER, now, display_name="やまだ花子", email="hanako@example.jp",
                          phone="09011112222"),
        ref="CO-1", status=CollaboratorStatus.ACTIVE, org_name="まちかど配送",
        org_type="business", email_bidx="x", categories=[], wards=[],
        offers=[], availability="any", capacity=1, intro="", locale="ja", consent_at=now,
        policy_version="1", created_at=now, updated_at=now)
    known = collaborator_values(CIPHER, helper)
    found = {(f.who, f.kind) for f in pd.find({"body": "やまだ 花子さんと 090-1111-2222"}, known)}
    assert found == {("member", "nickname"), ("member", "phone")}
    # The organisation's name is not personal data.
    assert pd.find({"body": "まちかど配送のみなさん"}, known) == []


def test_short_or_missing_values_do_not_match_everything() -> None:
    known = proposal_values(CIPHER, applicant(nickname="A", website_url=None, twitter=None,
                                                 facebook_url=None), "applicant")
    assert {k.kind for k in known} == {"email", "phone"}
    assert pd.find({"body": "A happy day for all"}, known) == []


def test_redaction_for_editors() -> None:
    text = "こうべ 太郎です。078-322-5211 か taro.kobe@example.jp、または 090-9999-8888 へ。"
    shown = pd.redact(text, KNOWN)
    for value in ("こうべ", "5211", "taro.kobe", "8888"):
        assert value not in shown
    assert shown.count(pd.REDACTED) == 4 and "です。" in shown
