"""Staff accounts: creation, password and second-factor checks, lockout."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.credentials import (
    Passwords,
    one_time_password,
    password_problem,
    totp_step,
)
from admin.models import StaffUser
from admin.permissions import ROLES
from core.audit import AuditLog
from core.crypto import FieldCipher
from core.db import utcnow

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)


def is_locked(user: StaffUser, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def actor_of(user: StaffUser) -> str:
    return f"staff:{user.id}"


class UserError(ValueError):
    """A user could not be created; the message is for the operator."""


async def staff_count(db: AsyncSession) -> int:
    return int((await db.exec(select(func.count()).select_from(StaffUser))).one())


async def find_user(db: AsyncSession, email: str) -> StaffUser | None:
    query = select(StaffUser).where(col(StaffUser.email) == email.strip().lower())
    return (await db.exec(query)).first()


async def create_user(
    db: AsyncSession,
    passwords: Passwords,
    audit: AuditLog,
    *,
    email: str,
    role: str,
    display_name: str = "",
    organisation: str = "",
    actor: str = "system",
    actor_organisation: str = "",
    ip: str = "",
) -> tuple[StaffUser, str]:
    """A new account with a one-time password that must be changed at first login."""
    email = email.strip().lower()
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise UserError("not an email address")
    if await find_user(db, email) is not None:
        raise UserError("an account with this email address exists")
    secret = one_time_password()
    user = StaffUser(
        email=email, display_name=display_name or email.split("@")[0],
        organisation=organisation, role=role, password_hash=await passwords.hash(secret),
        must_change_password=True, totp_required=role == "admin", created_at=utcnow(),
    )
    db.add(user)
    await db.flush()
    await audit.record(db, "user.created", actor=actor, organisation=actor_organisation,
                       object_type="staff_user", object_id=user.id or "",
                       detail=f"role={role}", ip=ip)
    return user, secret


class LoginResult(enum.Enum):
    OK = "ok"
    REFUSED = "refused"  # wrong password, unknown, inactive or locked: one answer for all


@dataclass(frozen=True)
class PasswordCheck:
    result: LoginResult
    user: StaffUser | None


async def check_password(
    db: AsyncSession, passwords: Passwords, audit: AuditLog, email: str, password: str,
    ip: str, now: datetime | None = None,
) -> PasswordCheck:
    """Check the first factor. The dummy hash keeps unknown accounts as slow as known ones."""
    now = now or utcnow()
    user = await find_user(db, email) if len(email) <= 254 else None
    ok = await passwords.verify(user.password_hash if user else None, password[:1000])
    if user is None:
        await audit.record(db, "login.failed", actor="anonymous", detail="unknown account", ip=ip)
        return PasswordCheck(LoginResult.REFUSED, None)
    reason = None
    if not user.active:
        reason = "inactive"
    elif is_locked(user, now):
        reason = "locked"
    elif not ok:
        reason = await _count_failure(db, audit, user, now, ip)
    if reason:
        await audit.record(db, "login.failed", actor=actor_of(user),
                           organisation=user.organisation, object_type="staff_user",
                           object_id=user.id or "", detail=reason, ip=ip)
        return PasswordCheck(LoginResult.REFUSED, user)
    user.failed_logins = 0
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash(password)
    db.add(user)
    return PasswordCheck(LoginResult.OK, user)


async def _count_failure(
    db: AsyncSession, audit: AuditLog, user: StaffUser, now: datetime, ip: str
) -> str:
    user.failed_logins += 1
    reason = "wrong password"
    if user.failed_logins >= LOCK_AFTER:
        user.locked_until = now + LOCK_FOR
        user.failed_logins = 0
        reason = "wrong password; account locked"
        await audit.record(db, "account.locked", actor="system",
                           organisation=user.organisation, object_type="staff_user",
                           object_id=user.id or "", detail=f"minutes={LOCK_FOR.seconds // 60}",
                           ip=ip)
    db.add(user)
    return reason


def stage_after_password(user: StaffUser) -> str:
    """`password`: enter a TOTP code; `enrol`: set one up first (admins must); else `full`."""
    if user.totp_secret_enc:
        return "password"
    if user.role == "admin" or user.totp_required:
        return "enrol"
    return "full"


async def check_totp(
    db: AsyncSession, cipher: FieldCipher, audit: AuditLog, user: StaffUser, code: str,
    ip: str, secret: str | None = None,
) -> bool:
    """Check a second-factor code (the stored secret, or `secret` while enrolling).
    A locked account passes no code, wherever the code is asked for."""
    if is_locked(user):
        await audit.record(db, "login.failed", actor=actor_of(user),
                           organisation=user.organisation, object_type="staff_user",
                           object_id=user.id or "", detail="second factor: locked", ip=ip)
        return False
    key = secret or (cipher.decrypt(user.totp_secret_enc) if user.totp_secret_enc else None)
    step = totp_step(key, code, user.totp_last_step) if key else None
    if step is None:
        reason = await _count_failure(db, audit, user, utcnow(), ip)
        await audit.record(db, "login.failed", actor=actor_of(user),
                           organisation=user.organisation, object_type="staff_user",
                           object_id=user.id or "", detail=f"second factor: {reason}", ip=ip)
        return False
    user.totp_last_step = step
    user.failed_logins = 0
    if secret:
        user.totp_secret_enc = cipher.encrypt(secret)
        await audit.record(db, "mfa.enrolled", actor=actor_of(user),
                           organisation=user.organisation, object_type="staff_user",
                           object_id=user.id or "", ip=ip)
    db.add(user)
    return True


async def change_password(
    db: AsyncSession, passwords: Passwords, audit: AuditLog, user: StaffUser,
    current: str, new: str, repeat: str, ip: str,
) -> str | None:
    """Returns a message key on failure, None once changed."""
    if not await passwords.verify(user.password_hash, current[:1000]):
        # Guessing through a stolen session counts toward the lockout like a failed sign-in.
        reason = await _count_failure(db, audit, user, utcnow(), ip)
        await audit.record(db, "password.change_failed", actor=actor_of(user),
                           organisation=user.organisation, object_type="staff_user",
                           object_id=user.id or "", detail=reason, ip=ip)
        return "current_wrong"
    if new != repeat:
        return "mismatch"
    problem = password_problem(new, user.email)
    if problem:
        return problem
    if new == current:
        return "same"
    user.password_hash = await passwords.hash(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    db.add(user)
    await audit.record(db, "password.changed", actor=actor_of(user),
                       organisation=user.organisation, object_type="staff_user",
                       object_id=user.id or "", ip=ip)
    return None


async def update_user(
    db: AsyncSession, audit: AuditLog, target: StaffUser, *, role: str, active: bool,
    totp_required: bool, actor: StaffUser, ip: str,
) -> tuple[str | None, bool]:
    """Change role, active flag or the TOTP requirement. Returns (error key, privileges
    changed) — the caller ends the user's sessions when privileges changed."""
    if role not in ROLES:
        return "role_invalid", False
    if target.id == actor.id and (role != target.role or not active):
        return "not_yourself", False
    changes = []
    if role != target.role:
        changes.append(f"role {target.role}->{role}")
    if active != target.active:
        changes.append(f"active {target.active}->{active}")
    if totp_required != target.totp_required and role != "admin":
        changes.append(f"totp_required {target.totp_required}->{totp_required}")
    if not changes:
        return None, False
    target.role, target.active = role, active
    target.totp_required = totp_required or role == "admin"
    db.add(target)
    await audit.record(db, "user.updated", actor=actor_of(actor),
                       organisation=actor.organisation, object_type="staff_user",
                       object_id=target.id or "", detail="; ".join(changes), ip=ip)
    return None, True
