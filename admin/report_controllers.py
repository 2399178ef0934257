"""Exports (pseudonymised statistics; cases with contact data) and the audit viewer."""

from __future__ import annotations

from pathlib import Path

from litestar import Response, get, post
from litestar.response import Template

from admin import messages
from admin.auth import Staff, StaffActor, StaffController
from admin.models import StaffUser
from admin.permissions import Permission, allowed
from admin.reports import audit_page, case_rows, published_statistics, to_csv
from admin.services import check_totp
from core import i18n
from core.audit import ANCHOR_FILE, read_anchors
from core.context import DB, Audit, Cipher, ClientIp, Config, Limiter
from core.db import utcnow
from core.web import AnyRequest, form_fields, language_of, parse_id, render

CASE_HEADER = ("ref", "status", "category", "ward", "org_name", "nickname", "email", "phone",
               "catchphrase", "body", "received_at")


def _csv(body: bytes, name: str) -> Response[bytes]:
    return Response(body, status_code=200, media_type="text/csv", headers={
        "content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"})


class ReportController(StaffController):
    path = "/admin"

    @get("/exports", name="admin.exports", opt={"permission": Permission.STATS_EXPORT})
    async def exports(self, request: AnyRequest, staff: Staff) -> Template:
        return render(request, "admin/exports.html", staff=staff, error=None,
                      can_export_cases=allowed(staff.role, Permission.CASE_EXPORT))

    @get("/exports/statistics.csv", name="admin.exports.statistics",
         opt={"permission": Permission.STATS_EXPORT})
    async def statistics(self, db_session: DB, audit: Audit, actor: StaffActor,
                         settings: Config) -> Response[bytes]:
        rows = await published_statistics(db_session, settings.stats_min_cell)
        await audit.record(db_session, "export.statistics", actor, detail=f"rows={len(rows)}")
        body = to_csv(("category", "month", "status", "ward", "proposals"), rows)
        return _csv(body, f"ouen-statistics-{utcnow():%Y%m%d}.csv")

    @post("/exports/cases.csv", name="admin.exports.cases",
          opt={"permission": Permission.CASE_EXPORT})
    async def cases(self, request: AnyRequest, db_session: DB, staff: Staff, actor: StaffActor,
                    audit: Audit, cipher: Cipher, limiter: Limiter, ip: ClientIp
                    ) -> Response[bytes] | Template:
        user = await db_session.get(StaffUser, staff.id)
        assert user is not None
        code = (await form_fields(request)).get("code", "")
        within_limit = await limiter.hit(f"export:staff:{user.id}", 5, 15 * 60)
        # A fresh second factor, whatever the age of the session.
        passed = (
            within_limit and user.totp_secret_enc is not None
            and await check_totp(db_session, cipher, audit, user, code, ip)
        )
        if not passed:
            refused = messages.MESSAGES["code_refused"]
            _ = i18n.make_gettext(language_of(request))
            return render(request, "admin/exports.html", status=400, staff=user,
                          can_export_cases=True, error=_(refused))
        rows = await case_rows(db_session, cipher)
        await audit.record(db_session, "export.cases_with_contact_data", actor,
                           detail=f"rows={len(rows)}")
        return _csv(to_csv(CASE_HEADER, rows), f"ouen-cases-{utcnow():%Y%m%d}.csv")

    @get("/audit", name="admin.audit", opt={"permission": Permission.AUDIT_READ})
    async def audit_log(self, request: AnyRequest, db_session: DB, staff: Staff) -> Template:
        q = request.query_params
        before = q.get("before", "")
        action, who = q.get("action", "")[:64], q.get("actor", "")[:64]
        rows, next_before = await audit_page(db_session, action, who, parse_id(before))
        return render(request, "admin/audit.html", staff=staff, rows=rows,
                      action=action, actor=who, next_before=next_before, result=None)

    @post("/audit/verify", name="admin.audit.verify", opt={"permission": Permission.AUDIT_READ})
    async def verify(self, request: AnyRequest, db_session: DB, staff: Staff, actor: StaffActor,
                     audit: Audit, settings: Config) -> Template:
        anchors = read_anchors(Path(settings.var_dir) / ANCHOR_FILE)
        result = await audit.verify(db_session, anchors)
        await audit.record(db_session, "audit.verified", actor,
                           detail=f"ok={result.ok} checked={result.checked}")
        rows, next_before = await audit_page(db_session, "", "", None)
        return render(request, "admin/audit.html", staff=staff, rows=rows, action="", actor="",
                      next_before=next_before, result=result)
