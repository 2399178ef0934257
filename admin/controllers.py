"""Staff login (password, then TOTP), enrolment, password change, logout, dashboard."""

from __future__ import annotations

import io

import segno
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import messages
from admin.auth import current_staff, rotate_session, session_cookie, staff_guard
from admin.credentials import new_totp_secret, provisioning_uri
from admin.models import StaffUser
from admin.permissions import Permission, allowed
from admin.reports import intake_per_week, my_queue, overdue_count, week_chart_svg
from admin.services import (
    LoginResult,
    actor_of,
    change_password,
    check_password,
    check_totp,
    is_locked,
    stage_after_password,
)
from admin.sessions import COOKIE, SessionData, SessionStore
from core import i18n
from core.web import AnyRequest, client_ip, form_fields, language_of, render, settings_of
from intake.models import Proposal

DB = NamedDependency[AsyncSession]
PUBLIC = {"public": True}
LOGIN_WINDOW = 15 * 60
IP_FAILURES = 30  # failed sign-ins from one address per window
IP_ATTEMPTS = 300  # sign-ins of any outcome from one address per window
ACCOUNT_ATTEMPTS = 10  # sign-ins to one account per window



def _store(request: AnyRequest) -> SessionStore:
    store: SessionStore = request.app.state.session_store
    return store


async def _pending(
    request: AnyRequest, db: AsyncSession, stage: str
) -> tuple[SessionData, StaffUser] | None:
    token = request.cookies.get(COOKIE, "")
    data = await _store(request).get(db, token) if token else None
    if data is None or data.stage != stage:
        return None
    user = await db.get(StaffUser, data.user_id)
    return (data, user) if user is not None and user.active else None


async def _limited_once(
    request: AnyRequest, db: AsyncSession, kinds: list[str], email: str, ip: str
) -> None:
    """Audit a refused sign-in once per limit, address and account in a window (so a flood
    leaves one entry, not thousands): `login.rate_limited` with which limits were hit."""
    cipher, limiter = request.app.state.cipher, request.app.state.rate_limiter
    key = f"login:limited:{','.join(kinds)}:{cipher.blind_index(ip)}:{cipher.blind_index(email)}"
    if await limiter.hit(key, 1, LOGIN_WINDOW):
        await request.app.state.audit.record(db, "login.rate_limited", actor="anonymous",
                                             detail=f"limit={','.join(kinds)}", ip=ip)


def _message(request: AnyRequest, key: str) -> str:
    return i18n.make_gettext(language_of(request))(messages.MESSAGES[key])


async def _signed_in(request: AnyRequest, db: AsyncSession, user: StaffUser) -> Redirect:
    settings = settings_of(request)
    assert user.id is not None
    token = await rotate_session(db, _store(request), request, user.id, "full")
    await request.app.state.audit.record(
        db, "login.success", actor=actor_of(user), organisation=user.organisation,
        object_type="staff_user", object_id=user.id,
        ip=client_ip(request, settings.trusted_proxies),
    )
    target = "/admin/password" if user.must_change_password else "/admin"
    return Redirect(path=target, status_code=303, cookies=[session_cookie(settings, token)])


class AuthController(Controller):
    path = "/admin"
    guards = [staff_guard]  # noqa: RUF012 - Litestar's declared shape

    @get("/login", name="admin.login.form", opt=PUBLIC)
    async def login_form(self, request: AnyRequest) -> Template:
        return render(request, "admin/login.html")

    @post("/login", name="admin.login.submit", opt=PUBLIC)
    async def login(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        settings = settings_of(request)
        form = await form_fields(request)
        email, password = form.get("email", "").strip().lower(), form.get("password", "")
        ip = client_ip(request, settings.trusted_proxies)
        cipher, limiter = request.app.state.cipher, request.app.state.rate_limiter
        # Per address: failed attempts (staff behind one office address sign in all morning)
        # and, far higher, all attempts (each one costs an argon2 hash). Per account: all.
        failures = f"login:ipfail:{cipher.blind_index(ip)}"
        limits = {
            "address": await limiter.used(failures, LOGIN_WINDOW) < IP_FAILURES,
            "address_all": await limiter.hit(f"login:ip:{cipher.blind_index(ip)}", IP_ATTEMPTS,
                                             LOGIN_WINDOW),
            "account": await limiter.hit(f"login:acct:{cipher.blind_index(email)}",
                                         ACCOUNT_ATTEMPTS, LOGIN_WINDOW),
        }
        if not all(limits.values()):
            await _limited_once(request, db_session, [k for k, ok in limits.items() if not ok],
                                email, ip)
            return render(request, "admin/login.html", status=429,
                          error=_message(request, "too_many"), email=email)
        check = await check_password(db_session, request.app.state.passwords,
                                     request.app.state.audit, email, password, ip)
        if check.result is not LoginResult.OK or check.user is None or check.user.id is None:
            await limiter.hit(failures, IP_FAILURES, LOGIN_WINDOW)
            return render(request, "admin/login.html", status=400,
                          error=_message(request, "login_refused"), email=email)
        stage = stage_after_password(check.user)
        if stage == "full":
            return await _signed_in(request, db_session, check.user)
        token = await rotate_session(db_session, _store(request), request, check.user.id, stage)
        target = "/admin/login/totp" if stage == "password" else "/admin/mfa/setup"
        return Redirect(path=target, status_code=303, cookies=[session_cookie(settings, token)])

    @get("/login/totp", name="admin.login.totp_form", opt=PUBLIC)
    async def totp_form(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        if await _pending(request, db_session, "password") is None:
            return Redirect(path="/admin/login", status_code=303)
        return render(request, "admin/totp.html")

    @post("/login/totp", name="admin.login.totp", opt=PUBLIC)
    async def totp(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        pending = await _pending(request, db_session, "password")
        if pending is None:
            return Redirect(path="/admin/login", status_code=303)
        _data, user = pending
        form = await form_fields(request)
        ip = client_ip(request, settings_of(request).trusted_proxies)
        if not await check_totp(db_session, request.app.state.cipher, request.app.state.audit,
                                user, form.get("code", ""), ip):
            return render(request, "admin/totp.html", status=400,
                          error=_message(request, "code_refused"))
        return await _signed_in(request, db_session, user)

    @get("/mfa/setup", name="admin.mfa.form", opt=PUBLIC)
    async def mfa_form(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        pending = await _pending(request, db_session, "enrol")
        if pending is None:
            return Redirect(path="/admin/login", status_code=303)
        secret = new_totp_secret()
        return _enrol_page(request, pending[1], secret, None, 200)

    @post("/mfa/setup", name="admin.mfa.enrol", opt=PUBLIC)
    async def mfa_enrol(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        pending = await _pending(request, db_session, "enrol")
        if pending is None:
            return Redirect(path="/admin/login", status_code=303)
        _data, user = pending
        form = await form_fields(request)
        cipher = request.app.state.cipher
        try:
            secret = cipher.decrypt(form.get("pending", ""))
        except ValueError:
            return Redirect(path="/admin/mfa/setup", status_code=303)
        ip = client_ip(request, settings_of(request).trusted_proxies)
        if not await check_totp(db_session, cipher, request.app.state.audit, user,
                                form.get("code", ""), ip, secret=secret):
            return _enrol_page(request, user, secret, _message(request, "code_refused"), 400)
        return await _signed_in(request, db_session, user)

    @get("/password", name="admin.password.form",
         opt={"permission": Permission.ACCOUNT_SELF, "password_change_ok": True})
    async def password_form(self, request: AnyRequest) -> Template:
        return render(request, "admin/password.html", staff=current_staff(request))

    @post("/password", name="admin.password.change",
          opt={"permission": Permission.ACCOUNT_SELF, "password_change_ok": True})
    async def password(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        user = await db_session.get(StaffUser, current_staff(request).id)
        assert user is not None and user.id is not None
        form = await form_fields(request)
        state = request.app.state
        settings = settings_of(request)
        ip = client_ip(request, settings.trusted_proxies)
        problem = await change_password(db_session, state.passwords, state.audit, user,
                                        form.get("current", ""), form.get("new", ""),
                                        form.get("repeat", ""), ip)
        store = _store(request)
        if problem == "current_wrong" and is_locked(user):
            # Guessing locked the account: this session ends too.
            await store.delete_for_user(db_session, user.id)
            return Redirect(path="/admin/login", status_code=303,
                            cookies=[session_cookie(settings, None)])
        if problem:
            return render(request, "admin/password.html", status=400, staff=user,
                          error=_message(request, problem))
        # A changed password is a privilege change: every other session of this user ends.
        # The new id keeps the sign-in time, so the 12-hour limit does not restart.
        current = await store.get(db_session, request.cookies.get(COOKIE, ""))
        await store.delete_for_user(db_session, user.id)
        token = await store.create(db_session, user.id, "full",
                                   created_at=current.created_at if current else None)
        return Redirect(path="/admin?changed=1", status_code=303,
                        cookies=[session_cookie(settings, token)])

    @get("/account/totp", name="admin.account.totp_form",
         opt={"permission": Permission.ACCOUNT_SELF})
    async def own_totp_form(self, request: AnyRequest, db_session: DB) -> Template:
        """Anyone may add a second factor; admins and those an admin requires it of have one."""
        user = current_staff(request)
        if user.totp_secret_enc:
            return _own_totp_page(request, user, None, 200)
        return _enrol_page(request, user, new_totp_secret(), None, 200, own=True)

    @post("/account/totp", name="admin.account.totp",
          opt={"permission": Permission.ACCOUNT_SELF})
    async def own_totp(self, request: AnyRequest, db_session: DB) -> Template | Redirect:
        user = await db_session.get(StaffUser, current_staff(request).id)
        assert user is not None
        form = await form_fields(request)
        cipher, audit = request.app.state.cipher, request.app.state.audit
        settings = settings_of(request)
        ip = client_ip(request, settings.trusted_proxies)
        if form.get("action") == "remove":
            if not user.totp_secret_enc or user.role == "admin" or user.totp_required:
                return _own_totp_page(request, user, _message(request, "totp_needed"), 400)
            if not await check_totp(db_session, cipher, audit, user, form.get("code", ""), ip):
                return _own_totp_page(request, user, _message(request, "code_refused"), 400)
            user.totp_secret_enc, user.totp_last_step = None, None
            db_session.add(user)
            await audit.record(db_session, "mfa.removed", actor=actor_of(user),
                               organisation=user.organisation, object_type="staff_user",
                               object_id=user.id or "", ip=ip)
        else:
            if user.totp_secret_enc:
                return _own_totp_page(request, user, None, 200)
            try:
                secret = cipher.decrypt(form.get("pending", ""))
            except ValueError:
                return Redirect(path="/admin/account/totp", status_code=303)
            if not await check_totp(db_session, cipher, audit, user, form.get("code", ""), ip,
                                    secret=secret):
                return _enrol_page(request, user, secret, _message(request, "code_refused"),
                                   400, own=True)
        # A change of how the account signs in: a new session id, like at sign-in.
        token = await rotate_session(db_session, _store(request), request, user.id or 0, "full")
        return Redirect(path="/admin/account/totp", status_code=303,
                        cookies=[session_cookie(settings, token)])

    @post("/logout", name="admin.logout", opt=PUBLIC)
    async def logout(self, request: AnyRequest, db_session: DB) -> Redirect:
        token = request.cookies.get(COOKIE)
        if token:
            data = await _store(request).get(db_session, token)
            await _store(request).delete(db_session, token)
            if data is not None:
                user = await db_session.get(StaffUser, data.user_id)
                await request.app.state.audit.record(
                    db_session, "logout", actor=f"staff:{data.user_id}",
                    organisation=user.organisation if user else "",
                    object_type="staff_user", object_id=data.user_id,
                    ip=client_ip(request, settings_of(request).trusted_proxies),
                )
        settings = settings_of(request)
        return Redirect(path="/admin/login", status_code=303,
                        cookies=[session_cookie(settings, None)])


def _own_totp_page(
    request: AnyRequest, user: StaffUser, error: str | None, status: int
) -> Template:
    return render(request, "admin/account_totp.html", status=status, staff=user, error=error,
                  can_remove=bool(user.totp_secret_enc) and user.role != "admin"
                  and not user.totp_required)


def _enrol_page(
    request: AnyRequest, user: StaffUser, secret: str, error: str | None, status: int,
    own: bool = False,
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
        pending=request.app.state.cipher.encrypt(secret),
    )


class DashboardController(Controller):
    path = "/admin"
    guards = [staff_guard]  # noqa: RUF012

    @get("/", name="admin.dashboard", opt={"permission": Permission.DASHBOARD_READ})
    async def dashboard(self, request: AnyRequest, db_session: DB) -> Template:
        rows = await db_session.exec(
            select(Proposal.status, func.count())
            .where(col(Proposal.status) != "unverified")
            .group_by(Proposal.status)
        )
        counts = dict(rows.all())
        staff = current_staff(request)
        _ = i18n.make_gettext(language_of(request))
        bars = await intake_per_week(db_session)
        sla_days = settings_of(request).sla_business_days
        return render(request, "admin/dashboard.html", staff=staff,
                      counts=counts, statuses=list(messages.STATUS_LABELS.items()),
                      changed=request.query_params.get("changed") == "1",
                      overdue=await overdue_count(db_session, sla_days),
                      sla_days=sla_days,
                      queue=await my_queue(db_session, staff), bars=bars,
                      chart=week_chart_svg(bars, _("Verified proposals per week")),
                      can_cases=allowed(staff.role, Permission.PROPOSAL_READ),
                      can_audit=allowed(staff.role, Permission.AUDIT_READ),
                      can_export=allowed(staff.role, Permission.STATS_EXPORT),
                      can_users=allowed(staff.role, Permission.USER_MANAGE))
