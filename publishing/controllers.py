"""Public site pages: home and the privacy policy."""

from __future__ import annotations

from litestar import get
from litestar.response import Template

from core.web import AnyRequest, render
from intake.messages import CATEGORY_LABELS
from intake.services import POLICY_VERSION


@get("/", name="public.home")
async def home(request: AnyRequest) -> Template:
    return render(request, "publishing/home.html", categories=list(CATEGORY_LABELS.items()))


@get("/privacy", name="public.privacy")
async def privacy(request: AnyRequest) -> Template:
    return render(request, "publishing/privacy.html", policy_version=POLICY_VERSION)
