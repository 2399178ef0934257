"""Staff sign-in (password, then a TOTP code, enrolled at first sign-in where required) and
sign-out; the signed-in member's own password and second factor."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import segno
from litestar import get, post
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import messages
from admin.auth import Sessions, Staff, StaffActor, StaffController, rotate_session, session_cookie
from admin.credentials import Passwords, new_totp_secret, provisioning_uri
from admin.models import StaffUser, Stage
from admin.permissions import Permission, Role
from admin.services import (
    LoginResult,
    change_password,
    check_password,
    check_totp,
    is_locked,
    staff_actor,
    stage_after_password,
)
from admin.sessions import COOKIE, SessionData, SessionStore
from core import i18n
from core.audit import Actor, AuditLog
from core.context import DB, Audit, Cipher, ClientIp, Config, Limiter
from core.crypto import FieldCipher, Sealer
from core.errors import DomainError
from core.ratelimit import RateLimiter
from core.settings import Settings
from core.web import AnyRequest, form_fields, language_of, render

PasswordHasher = NamedDependency[Passwords]
PUBLIC = {"public": True}
OWN = {"permission": Permission.ACCOUNT_SELF}
LOGIN_WINDOW = 15 * 60
IP_FAILURES = 30  # failed sign-ins from one address per window
IP_ATTEMPTS = 300  # sign-ins of any outcome from one address per window
ACCOUNT_ATTEMPTS = 10  # sign-ins to one account per window
CODE_SESSION_ATTEMPTS = 5  # second-factor codes from one pending sign-in per window
CODE_ACCOUNT_ATTEMPTS = 10  # second-factor codes for one account per window
TO_LOGIN = "/admin/login"


def message(request: AnyRequest, key: str) -> str:
    return i18n.make_gettext(language_of(request))(messages.MESSAGES[key])


def _to(path: str, settings: Settings, token: str | None = "") -> Redirect:
    """303 to `path`; with a token, the new session cookie (None removes the cookie)."""
    cookies = [] if token == "" else [session_cookie(settings, token)]
    return Redirect(path=path, status_code=303, cookies=cookies)


@dataclass
class SignIn:
    """What the steps of a sign-in share within one request."""

    request: AnyRequest
    db: AsyncSession
    audit: AuditLog
    store: SessionStore
    settings: Settings
    ip: str

    async def pending(self, stage: Stage) -> StaffUser | None:
        """The member whose sign-in has reached `stage` in this browser, if any."""
        token = self.request.cookies.get(COOKIE, "")
        data = await self.store.get(self.db, token) if token else None
        if data is None or data.stage != stage:
            return None
        user = await self.db.get(StaffUser, data.user_id)
        return user if user is not None and user.active else None

    async def session(self) -> SessionData | None:
        return await self.store.get(self.db, self.request.cookies.get(COOKIE, ""))

    async def advance(self, user: StaffUser, stage: Stage) -> Redirect:
        """A new session id at the new stage, and the page that stage leads to."""
        assert user.id is not None
        token = await rotate_session(self.db, self.store, self.request, user.id, stage)
        if stage == Stage.FULL:
            await self.audit.record(self.db, "login.success", staff_actor(user, self.ip),
                                    object_type="staff_user", object_id=user.id)
            target = "/admin/password" if user.must_change_password else "/admin"
        else:
            target = "/admin/login/totp" if stage == Stage.PASSWORD else "/admin/mfa/setup"
        return _to(target, self.settings, token)


def provide_sign_in(request: AnyRequest, db_session: DB, audit: Audit, sessions: Sessions,
                    settings: Config, ip: ClientIp) -> SignIn:
    return SignIn(request, db_session, audit, sessions, settings, ip)


async def _rate_limited(limiter: RateLimiter, cipher: FieldCipher, email: str, ip: str
                        ) -> list[str]:
    """The sign-in limits this attempt is over. Per address: failed attempts (staff behind one
    office address sign in all morning) and, far higher, all attempts (each costs an argon2
    hash). Per account: all."""
    limits = {
        "address": await limiter.used(_failures_key(cipher, ip), LOGIN_WINDOW) < IP_FAILURES,
        "address_all": await limiter.hit(f"login:ip:{cipher.blind_index(ip)}", IP_ATTEMPTS,
                                         LOGIN_WINDOW),
        "account": await limiter.hit(f"login:acct:{cipher.blind_index(email)}",
                                     ACCOUNT_ATTEMPTS, LOGIN_WINDOW),
    }
    return [kind for kind, ok in limits.items() if not ok]


def _failures_key(cipher: FieldCipher, ip: str) -> str:
    return f"login:ipfail:{cipher.blind_index(ip)}"


async def _limited_once(sign_in: SignIn, limiter: RateLimiter, cipher: FieldCipher,
                        kinds: list[str]) -> None:
    """Audit refused sign-ins once per client address and window, whatever the account or
    the limit (so a flood, even one trying a new address each time, leaves one entry):
    `login.rate_limited` with the limits that were hit first."""
    ip = sign_in.ip
    if await limiter.hit(f"login:limited:{cipher.blind_index(ip)}", 1, LOGIN_WINDOW):
        await sign_in.audit.record(sign_in.db, "login.rate_limited", Actor("anonymous", ip=ip),
                                   detail=f"limit={','.join(kinds)}")


async def _code_allowed(sign_in: SignIn, limiter: RateLimiter, cipher: FieldCipher,
                        user: StaffUser) -> bool:
    """Second-factor codes are limited per pending sign-in and per account (on top of the
    lockout after five wrong ones), so no session or account can be tried code after code."""
    session = cipher.blind_index(sign_in.request.cookies.get(COOKIE, ""))
    over = [kind for kind, key, limit in (
        ("second_factor_session", f"totp:session:{session}", CODE_SESSION_ATTEMPTS),
        ("second_factor_account", f"totp:acct:{user.id}", CODE_ACCOUNT_ATTEMPTS),
    ) if not await limiter.hit(key, limit, LOGIN_WINDOW)]
    if over:
        await _limited_once(sign_in, limiter, cipher, over)
    return not over


@functools.cache
def _enrolment(secret_key: str) -> Sealer:
    """The second-factor secret being enrolled travels through the enrolment form sealed for
    that purpose and that account, for 15 minutes; it is stored only once a code checks."""
    return Sealer(secret_key, "mfa-enrolment", ttl=15 * 60)


def _enrol_page(
    request: AnyRequest, settings: Settings, user: StaffUser, secret: str, error: str | None,
    status: int, own: bool = False,
) -> Template:
    uri = provisioning_uri(secret, user.email)
    buf = io.BytesIO()
    segno.make(uri, error="m").save(buf, kind="svg", scale=5, xmldecl=False, svgns=True,
                                    title="TOTP")
    return render(
        request, "admin/mfa_setup.html", status=status, error=error,
        qr_svg=buf.getvalue().decode(), secret=secret, own=own,
        action="/admin/account/totp" if own else "/admin/mfa/setup",
        staff=user if own else None,
        pending=_enrolment(settings.secret_key).seal(secret, str(user.id)),
    )


def _pending_secret(settings: Settings, user: StaffUser, form: dict[str, str]) -> str | None:
    """The secret being enrolled, from the enrolment form (None when not ours, for another
    account, or older than 15 minutes)."""
    return _enrolment(settings.secret_key).unseal(form.get("pending", "")[:500], str(user.id))


class AuthController(StaffController):
    path = "/admin"
    dependencies = {  # noqa: RUF012
        **StaffController.dependencies,
        "sign_in": Provide(provide_sign_in, sync_to_thread=False),
    }

    @get("/login", name="admin.login.form", opt=PUBLIC)
    async def login_form(self, request: AnyRequest) -> Template:
        return render(request, "admin/login.html")

    @post("/login", name="admin.login.submit", opt=PUBLIC)
    async def login(self, request: AnyRequest, sign_in: NamedDependency[SignIn],
                    cipher: Cipher, limiter: Limiter, passwords: PasswordHasher
                    ) -> Template | Redirect:
        form = await form_fields(request)
        email, password = form.get("email", "").strip().lower(), form.get("password", "")
        over = await _rate_limited(limiter, cipher, email, sign_in.ip)
        if over:
            await _limited_once(sign_in, limiter, cipher, over)
            return render(request, "admin/login.html", status=429,
                          error=message(request, "too_many"), email=email)
        check = await check_password(sign_in.db, passwords, sign_in.audit, email, password,
                                     sign_in.ip)
        if check.result is not LoginResult.OK or check.user is None:
            await limiter.hit(_failures_key(cipher, sign_in.ip), IP_FAILURES, LOGIN_WINDOW)
            return render(request, "admin/login.html", status=400,
                          error=message(request, "login_refused"), email=email)
        return await sign_in.advance(check.user, stage_after_password(check.user))

    @get("/login/totp", name="admin.login.totp_form", opt=PUBLIC)
    async def totp_form(self, request: AnyRequest, sign_in: NamedDependency[SignIn]
                        ) -> Template | Redirect:
        if await sign_in.pending(Stage.PASSWORD) is None:
            return Redirect(path=TO_LOGIN, status_code=303)
        return render(request, "admin/totp.html")

    @post("/login/totp", name="admin.login.totp", opt=PUBLIC)
    async def totp(self, request: AnyRequest, sign_in: NamedDependency[SignIn], cipher: Cipher,
                   limiter: Limiter) -> Template | Redirect:
        user = await sign_in.pending(Stage.PASSWORD)
        if user is None:
            return Redirect(path=TO_LOGIN, status_code=303)
        if not await _code_allowed(sign_in, limiter, cipher, user):
            return render(request, "admin/totp.html", status=429,
                          error=message(request, "too_many"))
        code = (await form_fields(request)).get("code", "")
        if not await check_totp(sign_in.db, cipher, sign_in.audit, user, code, sign_in.ip):
            return render(request, "admin/totp.html", status=400,
                          error=message(request, "code_refused"))
        return await sign_in.advance(user, Stage.FULL)

    @get("/mfa/setup", name="admin.mfa.form", opt=PUBLIC)
    async def mfa_form(self, request: AnyRequest, sign_in: NamedDependency[SignIn],
                       cipher: Cipher) -> Template | Redirect:
        user = await sign_in.pending(Stage.ENROL)
        if user is None:
            return Redirect(path=TO_LOGIN, status_code=303)
        return _enrol_page(request, sign_in.settings, user, new_totp_secret(), None, 200)

    @post("/mfa/setup", name="admin.mfa.enrol", opt=PUBLIC)
    async def mfa_enrol(self, request: AnyRequest, sign_in: NamedDependency[SignIn],
                        cipher: Cipher, limiter: Limiter) -> Template | Redirect:
        user = await sign_in.pending(Stage.ENROL)
        if user is None:
            return Redirect(path=TO_LOGIN, status_code=303)
        form = await form_fields(request)
        secret = _pending_secret(sign_in.settings, user, form)
        if secret is None:
            return Redirect(path="/admin/mfa/setup", status_code=303)
        if not await _code_allowed(sign_in, limiter, cipher, user):
            return _enrol_page(request, sign_in.settings, user, secret,
                               message(request, "too_many"), 429)
        if not await check_totp(sign_in.db, cipher, sign_in.audit, user, form.get("code", ""),
                                sign_in.ip, secret=secret):
            return _enrol_page(request, sign_in.settings, user, secret,
                               message(request, "code_refused"), 400)
        return await sign_in.advance(user, Stage.FULL)

    @post("/logout", name="admin.logout", opt=PUBLIC)
    async def logout(self, request: AnyRequest, sign_in: NamedDependency[SignIn]) -> Redirect:
        token = request.cookies.get(COOKIE)
        if token:
            data = await sign_in.session()
            await sign_in.store.delete(sign_in.db, token)
            user = await sign_in.db.get(StaffUser, data.user_id) if data else None
            if data is not None:
                actor = Actor("staff", data.user_id, user.organisation if user else "",
                              user.role if user else "", sign_in.ip)
                await sign_in.audit.record(sign_in.db, "logout", actor,
                                           object_type="staff_user", object_id=data.user_id)
        return _to(TO_LOGIN, sign_in.settings, None)


class AccountController(StaffController):
    """The signed-in member's own password and second factor."""

    path = "/admin"
    dependencies = AuthController.dependencies

    @get("/password", name="admin.password.form", opt={**OWN, "password_change_ok": True})
    async def password_form(self, request: AnyRequest, staff: Staff) -> Template:
        return render(request, "admin/password.html", staff=staff)

    @post("/password", name="admin.password.change", opt={**OWN, "password_change_ok": True})
    async def password(self, request: AnyRequest, staff: Staff,
                       sign_in: NamedDependency[SignIn], passwords: PasswordHasher
                       ) -> Template | Redirect:
        db = sign_in.db
        user = await db.get(StaffUser, staff.id)
        assert user is not None and user.id is not None
        form = await form_fields(request)
        try:
            await change_password(db, passwords, sign_in.audit, user, form.get("current", ""),
                                  form.get("new", ""), form.get("repeat", ""), sign_in.ip)
        except DomainError as exc:
            if exc.code == "current_wrong" and is_locked(user):
                # Guessing locked the account: this session ends too.
                await sign_in.store.delete_for_user(db, user.id)
                return _to(TO_LOGIN, sign_in.settings, None)
            return render(request, "admin/password.html", status=400, staff=user,
                          error=message(request, exc.code))
        # A changed password is a privilege change: every other session of this user ends.
        # The new id keeps the sign-in time, so the 12-hour limit does not restart.
        current = await sign_in.session()
        await sign_in.store.delete_for_user(db, user.id)
        token = await sign_in.store.create(db, user.id, Stage.FULL,
                                           created_at=current.created_at if current else None)
        return _to("/admin?changed=1", sign_in.settings, token)

    @get("/account/totp", name="admin.account.totp_form", opt=OWN)
    async def own_totp_form(self, request: AnyRequest, staff: Staff, settings: Config
                            ) -> Template:
        """Anyone may add a second factor; admins and those an admin requires it of have one."""
        if staff.totp_secret_enc:
            return _own_totp_page(request, staff, None, 200)
        return _enrol_page(request, settings, staff, new_totp_secret(), None, 200, own=True)

    @post("/account/totp", name="admin.account.totp", opt=OWN)
    async def own_totp(self, request: AnyRequest, staff: Staff, actor: StaffActor,
                       sign_in: NamedDependency[SignIn], cipher: Cipher) -> Template | Redirect:
        user = await sign_in.db.get(StaffUser, staff.id)
        assert user is not None and user.id is not None
        form = await form_fields(request)
        refused = await (_remove_totp(request, sign_in, cipher, user, actor, form)
                         if form.get("action") == "remove"
                         else _add_totp(request, sign_in, cipher, user, form))
        if refused is not None:
            return refused
        # A change of how the account signs in: a new session id, like at sign-in.
        token = await rotate_session(sign_in.db, sign_in.store, request, user.id, Stage.FULL)
        return _to("/admin/account/totp", sign_in.settings, token)


async def _remove_totp(request: AnyRequest, sign_in: SignIn, cipher: FieldCipher,
                       user: StaffUser, actor: Actor, form: dict[str, str]) -> Template | None:
    """Take the second factor off (a current code proves it is the member), or the page
    saying why not."""
    if not user.totp_secret_enc or user.role == Role.ADMIN or user.totp_required:
        return _own_totp_page(request, user, message(request, "totp_needed"), 400)
    if not await check_totp(sign_in.db, cipher, sign_in.audit, user, form.get("code", ""),
                            sign_in.ip):
        return _own_totp_page(request, user, message(request, "code_refused"), 400)
    user.totp_secret_enc, user.totp_last_step = None, None
    sign_in.db.add(user)
    await sign_in.audit.record(sign_in.db, "mfa.removed", actor, object_type="staff_user",
                               object_id=user.id or "")
    return None


async def _add_totp(request: AnyRequest, sign_in: SignIn, cipher: FieldCipher,
                    user: StaffUser, form: dict[str, str]) -> Template | Redirect | None:
    """Enrol the secret shown on the page once a code from it checks out."""
    if user.totp_secret_enc:
        return _own_totp_page(request, user, None, 200)
    secret = _pending_secret(sign_in.settings, user, form)
    if secret is None:
        return Redirect(path="/admin/account/totp", status_code=303)
    if not await check_totp(sign_in.db, cipher, sign_in.audit, user, form.get("code", ""),
                            sign_in.ip, secret=secret):
        return _enrol_page(request, sign_in.settings, user, secret,
                           message(request, "code_refused"), 400, own=True)
    return None


def _own_totp_page(
    request: AnyRequest, user: StaffUser, error: str | None, status: int
) -> Template:
    return render(request, "admin/account_totp.html", status=status, staff=user, error=error,
                  can_remove=bool(user.totp_secret_enc) and user.role != Role.ADMIN
                  and not user.totp_required)
