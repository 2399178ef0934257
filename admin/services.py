"""Staff accounts: creation, password and second-factor checks, lockout."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.credentials import (
    Passwords,
    one_time_password,
    password_problem,
    totp_step,
)
from admin.models import StaffUser, Stage
from admin.permissions import ROLES, Role
from core.addresses import valid_address
from core.audit import SYSTEM, Actor, AuditLog
from core.crypto import FieldCipher
from core.db import utcnow
from core.errors import DomainError

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
_STAFF: Table = StaffUser.__table__  # type: ignore[attr-defined]


def is_locked(user: StaffUser, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def staff_actor(user: StaffUser, ip: str = "") -> Actor:
    """A staff member as the audit log names them: `staff:<id>`, organisation, role."""
    return Actor("staff", user.id, user.organisation, user.role, ip)


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
    actor: Actor = SYSTEM,
) -> tuple[StaffUser, str]:
    """A new account with a one-time password that must be changed at first login."""
    email = email.strip().lower()
    if role not in ROLES:
        raise DomainError("role_invalid", "role")
    if not valid_address(email):
        raise DomainError("staff_email_invalid", "email")
    if await find_user(db, email) is not None:
        raise DomainError("staff_email_taken", "email")
    secret = one_time_password()
    user = StaffUser(
        email=email, display_name=display_name or email.split("@")[0],
        organisation=organisation, role=Role(role), password_hash=await passwords.hash(secret),
        must_change_password=True, totp_required=role == Role.ADMIN, created_at=utcnow(),
    )
    db.add(user)
    await db.flush()
    await audit.record(db, "user.created", actor, object_type="staff_user",
                       object_id=user.id or "", detail=f"role={role}")
    return user, secret


class LoginResult(enum.Enum):
    OK = "ok"
    REFUSED = "refused"  # wrong password, unknown, inactive or locked: one answer for all


@dataclass(frozen=True)
class PasswordCheck:
    result: LoginResult
    user: StaffUser | None


async def _reserve_guess(db: AsyncSession, user: StaffUser, now: datetime) -> int | None:
    """Count a guess at this account's password or code *before* it is checked, in one
    atomic UPDATE: the number of this guess in the lock window, or None while the account is
    locked. Concurrent guesses queue on the row (PostgreSQL) or the one writer (SQLite), so
    however many arrive at once, at most LOCK_AFTER of them are ever checked."""
    conn = await db.connection()
    row = (await conn.execute(
        update(_STAFF).where(_STAFF.c.id == user.id, or_(
            _STAFF.c.locked_until.is_(None), _STAFF.c.locked_until <= now))
        .values(failed_logins=_STAFF.c.failed_logins + 1)
        .returning(_STAFF.c.failed_logins))).first()
    if row is None:
        return None
    set_committed_value(user, "failed_logins", row.failed_logins)
    if row.failed_logins > LOCK_AFTER:  # a window already used up: lock, check nothing
        await _lock(db, user, now)
        return None
    return int(row.failed_logins)


async def _set_counter(db: AsyncSession, user: StaffUser, failed: int,
                       locked_until: datetime | None) -> None:
    conn = await db.connection()
    await conn.execute(update(_STAFF).where(_STAFF.c.id == user.id)
                       .values(failed_logins=failed, locked_until=locked_until))
    set_committed_value(user, "failed_logins", failed)
    set_committed_value(user, "locked_until", locked_until)


async def _lock(db: AsyncSession, user: StaffUser, now: datetime) -> None:
    await _set_counter(db, user, 0, now + LOCK_FOR)


async def _guess_failed(db: AsyncSession, audit: AuditLog, user: StaffUser, guess: int,
                        now: datetime, ip: str) -> str:
    """A reserved guess was wrong: the account locks at the LOCK_AFTER-th."""
    if guess < LOCK_AFTER:
        return "wrong password"
    await _lock(db, user, now)
    await audit.record(db, "account.locked",
                       Actor("system", organisation=user.organisation, ip=ip),
                       object_type="staff_user", object_id=user.id or "",
                       detail=f"minutes={LOCK_FOR.seconds // 60}")
    return "wrong password; account locked"


async def check_password(
    db: AsyncSession, passwords: Passwords, audit: AuditLog, email: str, password: str,
    ip: str, now: datetime | None = None,
) -> PasswordCheck:
    """Check the first factor. The dummy hash keeps unknown accounts as slow as known ones,
    and a locked account is hashed too, so timing tells nothing."""
    now = now or utcnow()
    user = await find_user(db, email) if len(email) <= 254 else None
    guess = await _reserve_guess(db, user, now) if user is not None and user.active else None
    ok = await passwords.verify(user.password_hash if user else None, password[:1000])
    if user is None:
        await audit.record(db, "login.failed", Actor("anonymous", ip=ip), detail="unknown account")
        return PasswordCheck(LoginResult.REFUSED, None)
    reason = None
    if not user.active:
        reason = "inactive"
    elif guess is None:
        reason = "locked"
    elif not ok:
        reason = await _guess_failed(db, audit, user, guess, now, ip)
    if reason:
        await audit.record(db, "login.failed", staff_actor(user, ip), object_type="staff_user",
                           object_id=user.id or "", detail=reason)
        return PasswordCheck(LoginResult.REFUSED, user)
    await _set_counter(db, user, 0, user.locked_until)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash(password)
        db.add(user)
    return PasswordCheck(LoginResult.OK, user)


TOTP_PURPOSE = "staff.totp"


def seal_totp_secret(cipher: FieldCipher, user: StaffUser, secret: str) -> str:
    """A second-factor secret as stored: sealed for this purpose and this account only."""
    return cipher.seal(TOTP_PURPOSE, secret, str(user.id))


def totp_secret(cipher: FieldCipher, user: StaffUser) -> str | None:
    return cipher.open(TOTP_PURPOSE, user.totp_secret_enc, str(user.id)) \
        if user.totp_secret_enc else None


async def rewrap_totp_secrets(db: AsyncSession, cipher: FieldCipher) -> int:
    """Seal every stored second-factor secret again under the newest data key."""
    users = (await db.exec(select(StaffUser).where(col(StaffUser.totp_secret_enc).is_not(None))
                           )).all()
    stale = [u for u in users if cipher.key_of(u.totp_secret_enc or "") != cipher.current_key]
    for user in stale:
        user.totp_secret_enc = cipher.rewrap(TOTP_PURPOSE, user.totp_secret_enc or "",
                                             str(user.id))
        db.add(user)
    return len(stale)


def stage_after_password(user: StaffUser) -> Stage:
    """`password`: enter a TOTP code; `enrol`: set one up first (admins must); else `full`."""
    if user.totp_secret_enc:
        return Stage.PASSWORD
    if user.role == Role.ADMIN or user.totp_required:
        return Stage.ENROL
    return Stage.FULL


async def check_totp(
    db: AsyncSession, cipher: FieldCipher, audit: AuditLog, user: StaffUser, code: str,
    ip: str, secret: str | None = None,
) -> bool:
    """Check a second-factor code (the stored secret, or `secret` while enrolling). Every
    code counts as a guess before it is checked (see `_reserve_guess`); a locked account
    passes no code, wherever the code is asked for."""
    now = utcnow()
    guess = await _reserve_guess(db, user, now)
    if guess is None:
        await audit.record(db, "login.failed", staff_actor(user, ip), object_type="staff_user",
                           object_id=user.id or "", detail="second factor: locked")
        return False
    key = secret or totp_secret(cipher, user)
    step = totp_step(key, code, user.totp_last_step) if key else None
    if step is None:
        reason = await _guess_failed(db, audit, user, guess, now, ip)
        await audit.record(db, "login.failed", staff_actor(user, ip), object_type="staff_user",
                           object_id=user.id or "", detail=f"second factor: {reason}")
        return False
    await _set_counter(db, user, 0, user.locked_until)
    user.totp_last_step = step
    if secret:
        user.totp_secret_enc = seal_totp_secret(cipher, user, secret)
        await audit.record(db, "mfa.enrolled", staff_actor(user, ip), object_type="staff_user",
                           object_id=user.id or "")
    db.add(user)
    return True


async def change_password(
    db: AsyncSession, passwords: Passwords, audit: AuditLog, user: StaffUser,
    current: str, new: str, repeat: str, ip: str,
) -> None:
    """Change the password, or raise DomainError naming what was wrong."""
    now = utcnow()
    # Guessing through a stolen session counts toward the lockout like a failed sign-in.
    guess = await _reserve_guess(db, user, now)
    right = await passwords.verify(user.password_hash, current[:1000])
    if guess is None or not right:
        reason = await _guess_failed(db, audit, user, guess, now, ip) if guess else "locked"
        await audit.record(db, "password.change_failed", staff_actor(user, ip),
                           object_type="staff_user", object_id=user.id or "", detail=reason)
        raise DomainError("current_wrong", "current")
    await _set_counter(db, user, 0, user.locked_until)
    if new != repeat:
        raise DomainError("mismatch", "repeat")
    problem = password_problem(new, user.email)
    if problem:
        raise DomainError(problem, "new")
    if new == current:
        raise DomainError("same", "new")
    user.password_hash = await passwords.hash(new)
    user.must_change_password = False
    user.password_changed_at = utcnow()
    db.add(user)
    await audit.record(db, "password.changed", staff_actor(user, ip), object_type="staff_user",
                       object_id=user.id or "")


async def update_user(
    db: AsyncSession, audit: AuditLog, target: StaffUser, *, role: str, active: bool,
    totp_required: bool, actor: Actor,
) -> bool:
    """Change role, active flag or the TOTP requirement. Returns whether privileges changed
    (the caller ends the user's sessions then)."""
    if role not in ROLES:
        raise DomainError("role_invalid", "role")
    if target.id == actor.staff_id and (role != target.role or not active):
        raise DomainError("not_yourself")
    changes = []
    if role != target.role:
        changes.append(f"role {target.role}->{role}")
    if active != target.active:
        changes.append(f"active {target.active}->{active}")
    if totp_required != target.totp_required and role != Role.ADMIN:
        changes.append(f"totp_required {target.totp_required}->{totp_required}")
    if not changes:
        return False
    target.role, target.active = Role(role), active
    target.totp_required = totp_required or role == Role.ADMIN
    db.add(target)
    await audit.record(db, "user.updated", actor, object_type="staff_user",
                       object_id=target.id or "", detail="; ".join(changes))
    return True
