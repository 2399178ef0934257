"""Exports (pseudonymised statistics; cases with contact data) and the audit viewer."""

from __future__ import annotations

from pathlib import Path

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import messages
from admin.auth import current_staff, staff_guard
from admin.models import StaffUser
from admin.permissions import Permission, allowed
from admin.reports import audit_page, case_rows, statistics_rows, to_csv
from admin.services import actor_of, check_totp
from core import i18n
from core.audit import ANCHOR_FILE, read_anchors
from core.db import utcnow
from core.web import AnyRequest, client_ip, form_fields, language_of, parse_id, render, settings_of

DB = NamedDependency[AsyncSession]
CASE_HEADER = ("ref", "status", "category", "ward", "org_name", "nickname", "email", "phone",
               "catchphrase", "body", "received_at")


def _csv(body: bytes, name: str) -> Response[bytes]:
    return Response(body, status_code=200, media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})


class ReportController(Controller):
    path = "/admin"
    guards = [staff_guard]  # noqa: RUF012

    @get("/exports", name="admin.exports", opt={"permission": Permission.STATS_EXPORT})
    async def exports(self, request: AnyRequest) -> Template:
        staff = current_staff(request)
        return render(request, "admin/exports.html", staff=staff, error=None,
                      can_export_cases=allowed(staff.role, Permission.CASE_EXPORT))

    @get("/exports/statistics.csv", name="admin.exports.statistics",
         opt={"permission": Permission.STATS_EXPORT})
    async def statistics(self, request: AnyRequest, db_session: DB) -> Response[bytes]:
        rows = await statistics_rows(db_session)
        staff = current_staff(request)
        await request.app.state.audit.record(
            db_session, "export.statistics", actor=actor_of(staff),
            organisation=staff.organisation, detail=f"rows={len(rows)}",
            ip=client_ip(request, settings_of(request).trusted_proxies))
        body = to_csv(("category", "month", "status", "ward", "proposals"), rows)
        return _csv(body, f"ouen-statistics-{utcnow():%Y%m%d}.csv")

    @post("/exports/cases.csv", name="admin.exports.cases",
          opt={"permission": Permission.CASE_EXPORT})
    async def cases(self, request: AnyRequest, db_session: DB) -> Response[bytes] | Template:
        staff = await db_session.get(StaffUser, current_staff(request).id)
        assert staff is not None
        code = (await form_fields(request)).get("code", "")
        ip = client_ip(request, settings_of(request).trusted_proxies)
        limiter = request.app.state.rate_limiter
        within_limit = await limiter.hit(f"export:staff:{staff.id}", 5, 15 * 60)
        # A fresh second factor, whatever the age of the session.
        passed = (
            within_limit and staff.totp_secret_enc is not None
            and await check_totp(db_session, request.app.state.cipher, request.app.state.audit,
                                 staff, code, ip)
        )
        if not passed:
            refused = messages.MESSAGES["code_refused"]
            _ = i18n.make_gettext(language_of(request))
            return render(request, "admin/exports.html", status=400, staff=staff,
                          can_export_cases=True, error=_(refused))
        rows = await case_rows(db_session, request.app.state.cipher)
        await request.app.state.audit.record(
            db_session, "export.cases_with_contact_data", actor=actor_of(staff),
            organisation=staff.organisation, detail=f"rows={len(rows)}", ip=ip)
        return _csv(to_csv(CASE_HEADER, rows), f"ouen-cases-{utcnow():%Y%m%d}.csv")

    @get("/audit", name="admin.audit", opt={"permission": Permission.AUDIT_READ})
    async def audit(self, request: AnyRequest, db_session: DB) -> Template:
        q = request.query_params
        before = q.get("before", "")
        action, actor = q.get("action", "")[:64], q.get("actor", "")[:64]
        rows, next_before = await audit_page(db_session, action, actor, parse_id(before))
        return render(request, "admin/audit.html", staff=current_staff(request), rows=rows,
                      action=action, actor=actor, next_before=next_before, result=None)

    @post("/audit/verify", name="admin.audit.verify", opt={"permission": Permission.AUDIT_READ})
    async def verify(self, request: AnyRequest, db_session: DB) -> Template:
        anchors = read_anchors(Path(settings_of(request).var_dir) / ANCHOR_FILE)
        result = await request.app.state.audit.verify(db_session, anchors)
        staff = current_staff(request)
        await request.app.state.audit.record(
            db_session, "audit.verified", actor=actor_of(staff), organisation=staff.organisation,
            detail=f"ok={result.ok} checked={result.checked}",
            ip=client_ip(request, settings_of(request).trusted_proxies))
        rows, next_before = await audit_page(db_session, "", "", None)
        return render(request, "admin/audit.html", staff=staff, rows=rows, action="", actor="",
                      next_before=next_before, result=result)
