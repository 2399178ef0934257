"""Settings: the OUEN_* environment variables of DESIGN.md §4, read once, typed, validated."""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

ENVS = ("development", "test", "production")
MAIL_BACKENDS = ("smtp", "file", "console")
SMTP_SECURITY = ("none", "starttls", "tls")
CAPTCHA_MODES = ("hcaptcha", "disabled")


# Development placeholders for the contact block; production refuses to start with them.
PLACEHOLDER_CONTACT = {
    "OUEN_CONTACT_NAME": "応援プラットフォーム運営事務局（設定してください）",
    "OUEN_CONTACT_PHONE": "000-000-0000",
    "OUEN_CONTACT_EMAIL": "contact@example.invalid",
    "OUEN_CONTACT_HOURS": "平日 9:00–17:00（設定してください）",
}
RETENTION = {  # variable: (default, allowed maximum)
    "OUEN_RETENTION_UNVERIFIED_HOURS": (48, 24 * 30),
    "OUEN_RETENTION_CLOSED_DAYS": (365, 3650),
    "OUEN_RETENTION_SPAM_DAYS": (30, 3650),
    "OUEN_RETENTION_RETIRED_DAYS": (365, 3650),
    "OUEN_RETENTION_MAIL_DAYS": (7, 3650),
    "OUEN_RETENTION_LINK_DAYS": (0, 3650),
    "OUEN_RETENTION_AUDIT_IP_DAYS": (365, 3650),
}


class SettingsError(ValueError):
    """A setting is missing, malformed, or insecure for the chosen environment."""


@dataclass(frozen=True)
class Settings:
    """Everything the application reads from its environment."""

    env: str = "development"
    database_url: str = "sqlite+aiosqlite:///var/ouen.db"
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = ""
    data_keys: tuple[str, ...] = ()
    audit_key: str = ""
    index_key: str = ""
    mail_backend: str = "file"
    mail_dir: str = "var/mail"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_security: str = "starttls"
    smtp_timeout: float = 20.0
    mail_from: str = "ouen@localhost"
    captcha: str = "disabled"
    hcaptcha_sitekey: str = ""
    hcaptcha_secret: str = ""
    hcaptcha_verify_url: str = "https://api.hcaptcha.com/siteverify"
    redis_url: str = ""
    trusted_proxies: tuple[str, ...] = ()
    var_dir: str = "var"
    erasure_ledger: str = "var/erasures.jsonl"
    inprocess_worker: bool = True
    form_min_seconds: float = 3.0
    sla_business_days: int = 3
    form_max_age_seconds: int = 24 * 3600
    # Retention (core/retention.py holds the rules; 0 means at the next purge).
    retention_unverified_hours: int = 48
    retention_closed_days: int = 365
    retention_spam_days: int = 30
    retention_retired_days: int = 365
    retention_mail_days: int = 7
    retention_link_days: int = 0
    retention_audit_ip_days: int = 365
    # The 問い合わせ先 block of every public page and email.
    contact_name: str = PLACEHOLDER_CONTACT["OUEN_CONTACT_NAME"]
    contact_phone: str = PLACEHOLDER_CONTACT["OUEN_CONTACT_PHONE"]
    contact_email: str = PLACEHOLDER_CONTACT["OUEN_CONTACT_EMAIL"]
    contact_hours: str = PLACEHOLDER_CONTACT["OUEN_CONTACT_HOURS"]
    stats_min_cell: int = 5
    submit_limit_ip_per_hour: int = 20
    submit_limit_email_per_hour: int = 5
    log_level: str = "INFO"
    generated_keys: tuple[str, ...] = field(default=(), compare=False)

    @property
    def sender_domain(self) -> str:
        """The domain of OUEN_MAIL_FROM (for Message-IDs)."""
        return self.mail_from.rpartition("@")[2]

    @property
    def public_base(self) -> str:
        """OUEN_BASE_URL without a trailing slash, for links in emails and pages."""
        return self.base_url.rstrip("/")

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def base_host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some values replaced (tests and benchmarks)."""
        return replace(self, **changes)


def _keys_file(var_dir: Path) -> dict[str, str]:
    """Development keys, generated once into var/ and reused by every process."""
    path = var_dir / "keys.json"
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        return data
    var_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "secret_key": secrets.token_urlsafe(48),
        "data_key": Fernet.generate_key().decode(),
        "audit_key": secrets.token_urlsafe(48),
        "index_key": secrets.token_urlsafe(48),
    }
    # Written whole to a file of our own, then linked into place: the link either creates
    # keys.json complete or fails because another process got there first, and then we read
    # what that process wrote (never a half-written file).
    fd, staging = tempfile.mkstemp(dir=var_dir, prefix=".keys-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
        os.link(staging, path)
    except FileExistsError:
        existing: dict[str, str] = json.loads(path.read_text())
        return existing
    finally:
        os.unlink(staging)
    return data


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from exc


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name, "").strip().lower() or default
    if value not in allowed:
        raise SettingsError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _check_fernet(key: str) -> None:
    try:
        if len(base64.urlsafe_b64decode(key.encode())) != 32:
            raise ValueError
    except ValueError as exc:
        raise SettingsError(
            "OUEN_DATA_KEYS must be comma-separated Fernet keys (32 url-safe base64 bytes); "
            "create one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'"
        ) from exc


def _retention(env: Mapping[str, str]) -> dict[str, int]:
    return {name.removeprefix("OUEN_").lower(): _int(env, name, default)
            for name, (default, _most) in RETENTION.items()}


def _contact(env: Mapping[str, str]) -> dict[str, str]:
    return {name.removeprefix("OUEN_").lower(): env.get(name, "").strip() or placeholder
            for name, placeholder in PLACEHOLDER_CONTACT.items()}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the OUEN_* variables; refuse insecure production setups."""
    env = os.environ if environ is None else environ
    app_env = _choice(env, "OUEN_ENV", "development", ENVS)
    var_dir = Path(env.get("OUEN_VAR_DIR", "var"))
    generated: list[str] = []
    secret_key = env.get("OUEN_SECRET_KEY", "")
    data_keys = tuple(k.strip() for k in env.get("OUEN_DATA_KEYS", "").split(",") if k.strip())
    audit_key = env.get("OUEN_AUDIT_KEY", "")
    index_key = env.get("OUEN_INDEX_KEY", "")
    if not (secret_key and data_keys and audit_key and index_key):
        dev = _keys_file(var_dir) if app_env != "production" else {}
        if not secret_key:
            secret_key = dev.get("secret_key", "")
            generated.append("OUEN_SECRET_KEY")
        if not data_keys:
            data_keys = (dev["data_key"],) if dev else ()
            generated.append("OUEN_DATA_KEYS")
        if not audit_key:
            audit_key = dev.get("audit_key", "")
            generated.append("OUEN_AUDIT_KEY")
        if not index_key:
            # A keys file from before OUEN_INDEX_KEY existed keyed the blind index with the
            # secret key; keep doing so there, so stored email indexes still match.
            index_key = dev.get("index_key", "") or secret_key
            generated.append("OUEN_INDEX_KEY")
    settings = Settings(
        env=app_env,
        database_url=env.get("OUEN_DATABASE_URL", "") or f"sqlite+aiosqlite:///{var_dir}/ouen.db",
        base_url=(env.get("OUEN_BASE_URL", "") or "").rstrip("/"),
        secret_key=secret_key,
        data_keys=data_keys,
        audit_key=audit_key,
        index_key=index_key,
        mail_backend=_choice(env, "OUEN_MAIL_BACKEND", "file", MAIL_BACKENDS),
        mail_dir=env.get("OUEN_MAIL_DIR", "") or str(var_dir / "mail"),
        smtp_host=env.get("OUEN_SMTP_HOST", "") or "localhost",
        smtp_port=_int(env, "OUEN_SMTP_PORT", 25),
        smtp_username=env.get("OUEN_SMTP_USERNAME", ""),
        smtp_password=env.get("OUEN_SMTP_PASSWORD", ""),
        smtp_security=_choice(env, "OUEN_SMTP_SECURITY", "starttls", SMTP_SECURITY),
        mail_from=env.get("OUEN_MAIL_FROM", "") or "ouen@localhost",
        captcha=_choice(env, "OUEN_CAPTCHA", "disabled", CAPTCHA_MODES),
        hcaptcha_sitekey=env.get("OUEN_HCAPTCHA_SITEKEY", ""),
        hcaptcha_secret=env.get("OUEN_HCAPTCHA_SECRET", ""),
        hcaptcha_verify_url=env.get("OUEN_HCAPTCHA_VERIFY_URL", "")
        or "https://api.hcaptcha.com/siteverify",
        redis_url=env.get("OUEN_REDIS_URL", ""),
        trusted_proxies=tuple(
            p.strip() for p in env.get("OUEN_TRUSTED_PROXIES", "").split(",") if p.strip()
        ),
        var_dir=str(var_dir),
        erasure_ledger=env.get("OUEN_ERASURE_LEDGER", "") or str(var_dir / "erasures.jsonl"),
        inprocess_worker=env.get("OUEN_INPROCESS_WORKER", "1") not in ("0", "false", "no"),
        form_min_seconds=float(_int(env, "OUEN_FORM_MIN_SECONDS", 3)),
        submit_limit_ip_per_hour=_int(env, "OUEN_SUBMIT_LIMIT_IP_PER_HOUR", 20),
        submit_limit_email_per_hour=_int(env, "OUEN_SUBMIT_LIMIT_EMAIL_PER_HOUR", 5),
        sla_business_days=_int(env, "OUEN_SLA_BUSINESS_DAYS", 3),
        **_retention(env),  # type: ignore[arg-type]
        **_contact(env),  # type: ignore[arg-type]
        stats_min_cell=_int(env, "OUEN_STATS_MIN_CELL", 5),
        log_level=env.get("OUEN_LOG_LEVEL", "INFO").upper(),
        generated_keys=tuple(generated),
    )
    if not settings.base_url and app_env != "production":
        settings = settings.with_changes(base_url="http://127.0.0.1:8000")
    validate(settings)
    return settings


def validate(settings: Settings) -> None:
    """Raise SettingsError naming every problem; production refuses insecure defaults."""
    problems: list[str] = []
    scheme = urlsplit(settings.base_url).scheme
    if settings.base_url and scheme not in ("http", "https"):
        problems.append("OUEN_BASE_URL must start with http:// or https://")
    if not settings.database_url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        problems.append("OUEN_DATABASE_URL must be sqlite+aiosqlite:// or postgresql+asyncpg://")
    for name, (_default, most) in RETENTION.items():
        if not 0 <= getattr(settings, name.removeprefix("OUEN_").lower()) <= most:
            problems.append(f"{name} must be from 0 to {most}")
    if not 2 <= settings.stats_min_cell <= 100:
        problems.append("OUEN_STATS_MIN_CELL must be from 2 to 100")
    if not 1 <= settings.sla_business_days <= 30:
        problems.append("OUEN_SLA_BUSINESS_DAYS must be from 1 to 30")
    for key in settings.data_keys:
        _check_fernet(key)
    if settings.captcha == "hcaptcha" and not (
        settings.hcaptcha_sitekey and settings.hcaptcha_secret
    ):
        problems.append("OUEN_CAPTCHA=hcaptcha needs OUEN_HCAPTCHA_SITEKEY and _SECRET")
    if settings.production:
        if settings.generated_keys:
            problems.append(
                "production needs explicit keys; missing: " + ", ".join(settings.generated_keys)
            )
        elif min(len(settings.secret_key), len(settings.audit_key), len(settings.index_key)) < 32:
            problems.append(
                "OUEN_SECRET_KEY, OUEN_AUDIT_KEY and OUEN_INDEX_KEY need at least 32 characters")
        elif len({settings.secret_key, settings.audit_key, settings.index_key}) < 3:
            problems.append("OUEN_SECRET_KEY, OUEN_AUDIT_KEY and OUEN_INDEX_KEY must differ")
        if settings.captcha == "disabled":
            problems.append("production needs OUEN_CAPTCHA=hcaptcha")
        if settings.mail_backend != "smtp":
            problems.append("production needs OUEN_MAIL_BACKEND=smtp")
        placeholders = [name for name, value in PLACEHOLDER_CONTACT.items()
                        if getattr(settings, name.removeprefix("OUEN_").lower()) == value]
        if placeholders:
            problems.append("production needs the contact block shown on every public page "
                            "and email: " + ", ".join(placeholders))
        if not settings.base_url:
            problems.append("production needs OUEN_BASE_URL (the only source of links in emails)")
        elif scheme != "https":
            problems.append("OUEN_BASE_URL must use https:// in production")
    if problems:
        raise SettingsError("ouen cannot start:\n  - " + "\n  - ".join(problems))
