"""Settings: defaults, generated development keys reused, production refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from core.settings import SettingsError, load_settings

PROD_OK = {
    "OUEN_ENV": "production",
    "OUEN_BASE_URL": "https://ouen.city.example.jp",
    "OUEN_SECRET_KEY": "s" * 40,
    "OUEN_DATA_KEYS": Fernet.generate_key().decode(),
    "OUEN_AUDIT_KEY": "a" * 40,
    "OUEN_INDEX_KEY": "i" * 40,
    "OUEN_MAIL_BACKEND": "smtp",
    "OUEN_CAPTCHA": "hcaptcha",
    "OUEN_HCAPTCHA_SITEKEY": "site",
    "OUEN_HCAPTCHA_SECRET": "secret",
    "OUEN_DATABASE_URL": "postgresql+asyncpg://ouen@db/ouen",
    "OUEN_CONTACT_NAME": "神戸市 市民参画推進局 応援プラットフォーム事務局",
    "OUEN_CONTACT_PHONE": "078-322-5211",
    "OUEN_CONTACT_EMAIL": "ouen@city.example.jp",
    "OUEN_CONTACT_HOURS": "平日 9:00–17:00",
}


def test_development_defaults(tmp_path: Path) -> None:
    settings = load_settings({"OUEN_VAR_DIR": str(tmp_path)})
    assert settings.env == "development"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.mail_backend == "file" and settings.captcha == "disabled"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/ouen.db"
    assert settings.smtp_security == "starttls"


def test_generated_keys_are_written_once_and_reused(tmp_path: Path) -> None:
    first = load_settings({"OUEN_VAR_DIR": str(tmp_path)})
    second = load_settings({"OUEN_VAR_DIR": str(tmp_path)})
    assert first.secret_key and first.secret_key == second.secret_key
    assert first.data_keys == second.data_keys and first.audit_key == second.audit_key
    assert (tmp_path / "keys.json").stat().st_mode & 0o077 == 0


def test_production_accepts_a_complete_configuration() -> None:
    settings = load_settings(PROD_OK)
    assert settings.production and settings.generated_keys == ()
    assert settings.contact_phone == "078-322-5211"


@pytest.mark.parametrize(
    ("name", "value"),
    [("OUEN_RETENTION_CLOSED_DAYS", "-1"), ("OUEN_RETENTION_CLOSED_DAYS", "3651"),
     ("OUEN_RETENTION_UNVERIFIED_HOURS", "721"), ("OUEN_STATS_MIN_CELL", "1"),
     ("OUEN_RETENTION_MAIL_DAYS", "a week")],
)
def test_retention_and_statistics_settings_outside_their_range_are_refused(
    name: str, value: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({"OUEN_VAR_DIR": str(tmp_path), name: value})


def test_retention_settings_are_read(tmp_path: Path) -> None:
    settings = load_settings({"OUEN_VAR_DIR": str(tmp_path), "OUEN_RETENTION_CLOSED_DAYS": "0",
                              "OUEN_RETENTION_SPAM_DAYS": "14", "OUEN_STATS_MIN_CELL": "10"})
    assert (settings.retention_closed_days, settings.retention_spam_days,
            settings.stats_min_cell) == (0, 14, 10)
    assert settings.retention_retired_days == 365 and settings.retention_mail_days == 7


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"OUEN_SECRET_KEY": ""}, "OUEN_SECRET_KEY"),
        ({"OUEN_DATA_KEYS": ""}, "OUEN_DATA_KEYS"),
        ({"OUEN_AUDIT_KEY": ""}, "OUEN_AUDIT_KEY"),
        ({"OUEN_INDEX_KEY": ""}, "OUEN_INDEX_KEY"),
        ({"OUEN_INDEX_KEY": "short"}, "at least 32 characters"),
        ({"OUEN_INDEX_KEY": "s" * 40}, "must differ"),
        ({"OUEN_CAPTCHA": "disabled"}, "OUEN_CAPTCHA=hcaptcha"),
        ({"OUEN_MAIL_BACKEND": "console"}, "OUEN_MAIL_BACKEND=smtp"),
        ({"OUEN_MAIL_BACKEND": "file"}, "OUEN_MAIL_BACKEND=smtp"),
        ({"OUEN_BASE_URL": ""}, "OUEN_BASE_URL"),
        ({"OUEN_BASE_URL": "http://ouen.example.jp"}, "https://"),
        ({"OUEN_CONTACT_NAME": ""}, "OUEN_CONTACT_NAME"),
        ({"OUEN_CONTACT_PHONE": ""}, "OUEN_CONTACT_PHONE"),
        ({"OUEN_CONTACT_EMAIL": ""}, "OUEN_CONTACT_EMAIL"),
        ({"OUEN_CONTACT_HOURS": ""}, "OUEN_CONTACT_HOURS"),
    ],
)
def test_production_refuses_insecure_defaults(change: dict[str, str], complaint: str) -> None:
    with pytest.raises(SettingsError, match=complaint):
        load_settings({**PROD_OK, **change})


@pytest.mark.parametrize(
    "env",
    [
        {"OUEN_SMTP_SECURITY": "opportunistic"},
        {"OUEN_MAIL_BACKEND": "pigeon"},
        {"OUEN_SMTP_PORT": "twenty-five"},
        {"OUEN_DATA_KEYS": "not-a-key"},
        {"OUEN_DATABASE_URL": "mysql://x"},
        {"OUEN_CAPTCHA": "hcaptcha"},
    ],
)
def test_malformed_values_are_refused_with_a_message(env: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(SettingsError):
        load_settings({"OUEN_VAR_DIR": str(tmp_path), **env})


def test_several_data_keys_for_rotation(tmp_path: Path) -> None:
    keys = [Fernet.generate_key().decode() for _ in range(2)]
    settings = load_settings({"OUEN_VAR_DIR": str(tmp_path), "OUEN_DATA_KEYS": ",".join(keys)})
    assert settings.data_keys == tuple(keys)


def test_generated_index_key_is_its_own(tmp_path: Path) -> None:
    first = load_settings({"OUEN_VAR_DIR": str(tmp_path)})
    again = load_settings({"OUEN_VAR_DIR": str(tmp_path)})
    assert first.index_key and first.index_key == again.index_key
    assert first.index_key not in (first.secret_key, first.audit_key)


def test_keys_file_from_before_the_index_key_keeps_its_lookups(tmp_path: Path) -> None:
    """Such a file keyed the blind index with the secret key; it still does."""
    (tmp_path / "keys.json").write_text(json.dumps({
        "secret_key": "old-secret-" + "x" * 32, "data_key": Fernet.generate_key().decode(),
        "audit_key": "old-audit-" + "y" * 32}))
    settings = load_settings({"OUEN_VAR_DIR": str(tmp_path)})
    assert settings.index_key == settings.secret_key


def test_changing_the_secret_key_leaves_email_lookups_alone(tmp_path: Path) -> None:
    from app import make_cipher

    before = load_settings({"OUEN_VAR_DIR": str(tmp_path)})
    after = load_settings({"OUEN_VAR_DIR": str(tmp_path), "OUEN_SECRET_KEY": "n" * 40})
    assert before.secret_key != after.secret_key
    assert (make_cipher(before).blind_index("taro@example.jp")
            == make_cipher(after).blind_index("taro@example.jp"))


def _keys_of(var_dir: str) -> tuple[str, str, str, str]:
    settings = load_settings({"OUEN_VAR_DIR": var_dir})
    return (settings.secret_key, settings.data_keys[0], settings.audit_key, settings.index_key)


def test_processes_starting_together_share_one_set_of_keys(tmp_path: Path) -> None:
    """Eight processes generate development keys into an empty var/ at once: all of them
    end up with the same keys (none reads a half-written file), and no staging file stays."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(8) as pool:
        for attempt in range(3):
            var_dir = tmp_path / f"var{attempt}"
            results = pool.map(_keys_of, [str(var_dir)] * 8)
            assert len(set(results)) == 1, results
            assert sorted(p.name for p in var_dir.iterdir()) == ["keys.json"]
            assert results[0] == _keys_of(str(var_dir))
