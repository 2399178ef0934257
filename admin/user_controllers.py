"""Staff accounts, for admins: create (one-time password shown once), role, active, TOTP."""

from __future__ import annotations

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import messages
from admin.auth import Sessions, Staff, StaffActor, StaffController
from admin.credentials import Passwords
from admin.models import StaffUser
from admin.permissions import ROLES, Permission
from admin.services import create_user, update_user
from core import i18n
from core.context import DB, Audit
from core.errors import DomainError
from core.web import MAX_ID, AnyRequest, form_fields, language_of, render

MANAGE = {"permission": Permission.USER_MANAGE}


async def _users_page(
    request: AnyRequest, db: AsyncSession, staff: StaffUser, status: int = 200,
    error: str | None = None, created: tuple[str, str] | None = None,
) -> Template:
    users = (await db.exec(select(StaffUser).order_by(col(StaffUser.id)))).all()
    _ = i18n.make_gettext(language_of(request))
    return render(request, "admin/users.html", status=status, staff=staff,
                  users=users, roles=[(r, messages.ROLE_LABELS[r]) for r in ROLES],
                  error=_(messages.MESSAGES[error]) if error else None, created=created)


class UserController(StaffController):
    path = "/admin/users"

    @get("/", name="admin.users", opt=MANAGE)
    async def index(self, request: AnyRequest, db_session: DB, staff: Staff) -> Template:
        return await _users_page(request, db_session, staff)

    @post("/", name="admin.users.create", opt=MANAGE)
    async def create(self, request: AnyRequest, db_session: DB, staff: Staff, actor: StaffActor,
                     audit: Audit, passwords: NamedDependency[Passwords]) -> Template:
        form = await form_fields(request)
        try:
            user, secret = await create_user(
                db_session, passwords, audit, email=form.get("email", ""),
                role=form.get("role", ""),
                display_name=form.get("display_name", "").strip()[:100],
                organisation=form.get("organisation", "").strip()[:100], actor=actor,
            )
        except DomainError as exc:
            return await _users_page(request, db_session, staff, 400, exc.code)
        return await _users_page(request, db_session, staff, created=(user.email, secret))

    @post("/{user_id:int}", name="admin.users.update", opt=MANAGE)
    async def update(self, request: AnyRequest, user_id: FromPath[int], db_session: DB,
                     staff: Staff, actor: StaffActor, audit: Audit, sessions: Sessions
                     ) -> Template | Redirect:
        target = await db_session.get(StaffUser, user_id) if 1 <= user_id <= MAX_ID else None
        if target is None:
            return Redirect(path="/admin/users", status_code=303)
        form = await form_fields(request)
        try:
            changed = await update_user(
                db_session, audit, target, role=form.get("role", ""),
                active=form.get("active") == "1", totp_required=form.get("totp_required") == "1",
                actor=actor)
        except DomainError as exc:
            return await _users_page(request, db_session, staff, 400, exc.code)
        if changed and target.id is not None:
            # A privilege change takes effect at once: that user signs in again.
            await sessions.delete_for_user(db_session, target.id)
        return Redirect(path="/admin/users", status_code=303)
