"""The rights-request pages (/admin/rights): record a request that came by phone, letter,
email or at the counter, see what is due, and carry it out (admin/rights.py)."""

from __future__ import annotations

import json
from typing import Any

from litestar import Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from admin import messages
from admin import rights as service
from admin.auth import Staff, StaffActor, StaffController
from admin.calendar import japan_today
from admin.models import RightsKind, RightsRequest, RightsStatus
from admin.permissions import Permission, allowed
from core import i18n
from core.context import DB, Audit, Cipher
from core.errors import DomainError
from core.i18n import N_
from core.web import AnyRequest, form_fields, language_of, render
from intake import messages as intake_messages
from intake.models import Proposal
from intake.self_service import Person, held

READ = {"permission": Permission.RIGHTS_READ}
MANAGE = {"permission": Permission.RIGHTS_MANAGE}
FIELD_LABELS = {"ref": N_("Reference number"), "kind": N_("What the person asks for"),
                "channel": N_("Received by"), "identity_check": N_("How identity was checked"),
                "received_on": N_("Received on")}


def _choices() -> dict[str, Any]:
    return {"kinds": service.KINDS, "channels": service.CHANNELS,
            "checks": service.IDENTITY_CHECKS, "outcomes": service.OUTCOMES,
            "field_labels": FIELD_LABELS}


async def _request(db: AsyncSession, request_id: int) -> tuple[RightsRequest, Person]:
    row = await db.get(RightsRequest, request_id)
    person = await service.subject_of(db, row) if row is not None else None
    if row is None or person is None:
        raise NotFoundException()
    return row, person


def _messages(request: AnyRequest, errors: dict[str, str], labels: dict[str, str]
              ) -> dict[str, str]:
    """Error codes as sentences: admin's own, or the intake form's naming the field."""
    _ = i18n.make_gettext(language_of(request))
    return {name: _(messages.MESSAGES[code]) if code in messages.MESSAGES else
            _(intake_messages.ERRORS[code], field=_(labels.get(name, name)))
            for name, code in errors.items()}


class RightsController(StaffController):
    path = "/admin/rights"

    @get("/", name="admin.rights", opt=READ)
    async def index(self, request: AnyRequest, db_session: DB, staff: Staff) -> Template:
        today = japan_today()
        return render(request, "admin/rights/list.html", staff=staff, today=today,
                      open=await service.open_requests(db_session),
                      closed=await service.closed_requests(db_session),
                      can_manage=allowed(staff.role, Permission.RIGHTS_MANAGE), **_choices())

    @get("/new", name="admin.rights.new", opt=MANAGE)
    async def new(self, request: AnyRequest, staff: Staff) -> Template:
        values = {"received_on": japan_today().isoformat()}
        return render(request, "admin/rights/new.html", staff=staff, values=values, errors={},
                      **_choices())

    @post("/", name="admin.rights.create", opt=MANAGE)
    async def create(self, request: AnyRequest, db_session: DB, staff: Staff,
                     actor: StaffActor, audit: Audit) -> Template | Redirect:
        form = await form_fields(request)
        new, errors = await service.check_request(db_session, form, japan_today())
        if new is None:
            values = {name: form.get(name, "")[:40] for name in FIELD_LABELS}
            return render(request, "admin/rights/new.html", status=422, staff=staff,
                          values=values, errors=_messages(request, errors, FIELD_LABELS),
                          **_choices())
        row = await service.record_request(db_session, audit, actor, staff.id or 0, new)
        return Redirect(path=f"/admin/rights/{row.id}", status_code=303)

    async def _detail(self, request: AnyRequest, db: AsyncSession, staff: Staff,
                      request_id: int, status: int = 200, errors: dict[str, str] | None = None,
                      values: dict[str, str] | None = None) -> Template:
        row, person = await _request(db, request_id)
        return render(request, "admin/rights/detail.html", status=status, staff=staff, row=row,
                      person=person, is_proposal=isinstance(person, Proposal),
                      today=japan_today(), errors=errors or {}, values=values or {},
                      can_manage=allowed(staff.role, Permission.RIGHTS_MANAGE),
                      correctable=service.CORRECTABLE[person.__tablename__],
                      optional=service.OPTIONAL,
                      labels={**intake_messages.LABELS, **intake_messages.COLLABORATOR_LABELS},
                      done=request.query_params.get("done", "")[:20], **_choices())

    @get("/{request_id:int}", name="admin.rights.detail", opt=READ)
    async def detail(self, request: AnyRequest, request_id: FromPath[int], db_session: DB,
                     staff: Staff) -> Template:
        return await self._detail(request, db_session, staff, request_id)

    @post("/{request_id:int}/disclosure", name="admin.rights.disclosure", opt=MANAGE)
    async def disclosure(self, request_id: FromPath[int], db_session: DB, actor: StaffActor,
                         audit: Audit, cipher: Cipher) -> Response[bytes]:
        """Everything held about the person, contact data in clear, to send them by the
        channel their identity was checked on: an audited disclosure."""
        row, person = await _request(db_session, request_id)
        data = await held(db_session, cipher, audit, person)
        await audit.record(db_session, "rights.disclosed", actor, object_type="rights_request",
                           object_id=row.id or "",
                           detail=f"subject={row.subject_type}:{row.subject_id}")
        body = json.dumps({"kind": data.kind, "record": data.record, "contact": data.contact,
                           **data.sections}, ensure_ascii=False, indent=2, default=str)
        return Response(body.encode(), status_code=200, media_type="application/json", headers={
            "content-disposition": f'attachment; filename="ouen-{person.ref}.json"',
            "cache-control": "no-store"})

    @post("/{request_id:int}/correction", name="admin.rights.correction", opt=MANAGE)
    async def correction(self, request: AnyRequest, request_id: FromPath[int], db_session: DB,
                         staff: Staff, actor: StaffActor, audit: Audit, cipher: Cipher
                         ) -> Template | Redirect:
        row, person = await _request(db_session, request_id)
        form = await form_fields(request)
        labels = {**intake_messages.LABELS, **intake_messages.COLLABORATOR_LABELS}
        try:
            if row.status != RightsStatus.OPEN or row.kind != RightsKind.CORRECTION:
                raise DomainError("rights_closed")
            _changed, errors = await service.correct(db_session, cipher, audit, actor, person,
                                                     form)
        except DomainError as exc:
            errors = {"form": "rights_erased" if exc.code == "self_service_erased" else exc.code}
        if errors:
            values = {name: form.get(name, "")[:300]
                      for name in service.CORRECTABLE[person.__tablename__]}
            return await self._detail(request, db_session, staff, request_id, 422,
                                      _messages(request, errors, labels), values)
        await service.close_request(db_session, audit, actor, staff.id or 0, row, "carried_out")
        return Redirect(path=f"/admin/rights/{row.id}?done=corrected", status_code=303)

    @post("/{request_id:int}/carry-out", name="admin.rights.carry_out", opt=MANAGE)
    async def carry_out(self, request: AnyRequest, request_id: FromPath[int], db_session: DB,
                        staff: Staff, actor: StaffActor, audit: Audit, cipher: Cipher
                        ) -> Template | Redirect:
        row, person = await _request(db_session, request_id)
        if (await form_fields(request)).get("confirm") != "yes":
            return await self._detail(request, db_session, staff, request_id, 422, _messages(
                request, {"form": "rights_confirm"}, {}))
        try:
            await service.carry_out(db_session, cipher, audit, actor, staff.id or 0, row, person)
        except DomainError as exc:
            return await self._detail(request, db_session, staff, request_id, 409,
                                      _messages(request, {"form": exc.code}, {}))
        return Redirect(path=f"/admin/rights/{row.id}?done=carried_out", status_code=303)

    @post("/{request_id:int}/close", name="admin.rights.close", opt=MANAGE)
    async def close(self, request: AnyRequest, request_id: FromPath[int], db_session: DB,
                    staff: Staff, actor: StaffActor, audit: Audit) -> Template | Redirect:
        row, _person = await _request(db_session, request_id)
        outcome = (await form_fields(request)).get("outcome", "")
        try:
            await service.close_request(db_session, audit, actor, staff.id or 0, row, outcome)
        except DomainError as exc:
            return await self._detail(request, db_session, staff, request_id, 422,
                                      _messages(request, {"outcome": exc.code}, {}))
        return Redirect(path=f"/admin/rights/{row.id}?done=closed", status_code=303)
