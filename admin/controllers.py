"""The dashboard: figures by status, the first-contact SLA, my queue, intake per week."""

from __future__ import annotations

from litestar import get
from litestar.response import Template
from sqlmodel import col, func, select

from admin import messages
from admin.auth import Staff, StaffController
from admin.calendar import japan_today
from admin.permissions import Permission, allowed
from admin.reports import failed_mail, intake_per_week, my_queue, overdue_count, week_chart_svg
from admin.rights import overdue_requests
from core import i18n
from core.context import DB, Config
from core.suppression import suppress_list
from core.web import AnyRequest, language_of, render
from intake.models import Proposal, ProposalStatus


class DashboardController(StaffController):
    path = "/admin"

    @get("/", name="admin.dashboard", opt={"permission": Permission.DASHBOARD_READ})
    async def dashboard(self, request: AnyRequest, db_session: DB, staff: Staff,
                        settings: Config) -> Template:
        rows = await db_session.exec(
            select(Proposal.status, func.count())
            .where(col(Proposal.status) != ProposalStatus.UNVERIFIED)
            .group_by(Proposal.status)
        )
        _ = i18n.make_gettext(language_of(request))
        bars = await intake_per_week(db_session)
        sla_days = settings.sla_business_days
        counts = {str(status): int(n) for status, n in rows.all()}
        # Editors and auditors see the figures as published: small counts hidden.
        exact = allowed(staff.role, Permission.PROPOSAL_READ)
        shown = ({status: str(n) for status, n in counts.items()} if exact
                 else suppress_list(counts, settings.stats_min_cell))
        return render(request, "admin/dashboard.html", staff=staff,
                      counts=shown, statuses=list(messages.STATUS_LABELS.items()),
                      changed=request.query_params.get("changed") == "1",
                      overdue=await overdue_count(db_session, sla_days),
                      sla_days=sla_days,
                      queue=await my_queue(db_session, staff), bars=bars,
                      chart=week_chart_svg(bars, _("Verified proposals per week"),
                                           0 if exact else settings.stats_min_cell),
                      can_cases=allowed(staff.role, Permission.PROPOSAL_READ),
                      can_audit=allowed(staff.role, Permission.AUDIT_READ),
                      can_export=allowed(staff.role, Permission.STATS_EXPORT),
                      can_users=allowed(staff.role, Permission.USER_MANAGE),
                      can_rights=allowed(staff.role, Permission.RIGHTS_READ),
                      failed_mail=(await failed_mail(db_session)
                                   if allowed(staff.role, Permission.USER_MANAGE) else []),
                      rights_overdue=await overdue_requests(db_session, japan_today()))
