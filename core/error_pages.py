"""Friendly error pages in the visitor's language; every unhandled exception is logged."""

from __future__ import annotations

import logging
import time

from litestar import Response
from litestar.exceptions import HTTPException
from litestar.response import Template
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from core.i18n import N_
from core.web import AnyRequest, render

logger = logging.getLogger("ouen.errors")

TITLES = {
    400: N_("The request could not be understood"),
    403: N_("This action was refused"),
    404: N_("Page not found"),
    405: N_("This page cannot be used that way"),
    413: N_("What you sent is too large"),
    415: N_("This kind of submission is not accepted"),
    422: N_("Some of what you sent cannot be stored"),
    429: N_("Too many requests"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is temporarily unavailable"),
}
EXPLANATIONS = {
    400: N_("Please go back and try again."),
    403: N_("Your session may have expired, or the page was open for a long time. Please "
            "reload the form and try again. Nothing was saved."),
    404: N_("The address may be mistyped, or the page may have been removed."),
    405: N_("Please start again from the home page."),
    413: N_("Please shorten your text (up to 8,000 characters) and send it again. "
            "Nothing was saved."),
    415: N_("Please use the form on this site to send your entries. Nothing was saved."),
    422: N_("It contained invisible control characters (such as a NUL byte), perhaps from "
            "pasted text. Please go back, remove them and send it again. Nothing was saved."),
    429: N_("Please wait a while and try again."),
    500: N_("The error has been recorded. Please try again later. Nothing you entered "
            "appears in our logs."),
    503: N_("Please try again in a few minutes. If you were sending a form, go back: what "
            "you typed is still there, and nothing was saved."),
}


def _page(request: AnyRequest, status: int) -> Template:
    key = status if status in TITLES else (500 if status >= 500 else 400)
    return render(
        request, "errors/error.html", status=status,
        title=TITLES[key], explanation=EXPLANATIONS[key],
    )


def http_error(request: AnyRequest, exc: HTTPException) -> Response[object] | Template:
    if exc.status_code >= 500:
        logger.error("server error %s", exc.status_code, exc_info=exc)
    return _page(request, exc.status_code)


# What a database that cannot answer or cannot write raises: refused or dropped connections,
# a full disk, a read-only file, an exhausted pool.
DATABASE_DOWN: tuple[type[Exception], ...] = (
    OperationalError, InterfaceError, PoolTimeout, ConnectionError)
_LOGGED: dict[str, float] = {}
LOG_EVERY = 60.0  # seconds: one line per kind of outage and minute, not one per request


def log_outage(exc: BaseException) -> None:
    kind = type(getattr(exc, "orig", None) or exc).__name__
    now = time.monotonic()
    if now - _LOGGED.get(kind, float("-inf")) >= LOG_EVERY:
        _LOGGED[kind] = now
        logger.error("database unavailable", extra={"fields": {"error": kind}})


def database_unavailable(request: AnyRequest, exc: Exception) -> Template:
    """503 with a page that says to try again; logged once a minute per kind."""
    log_outage(exc)
    page = _page(request, 503)
    page.headers["retry-after"] = "30"
    return page


def unhandled_error(request: AnyRequest, exc: Exception) -> Template:
    logger.error(
        "unhandled exception", exc_info=exc,
        extra={"fields": {"route": request.scope.get("path_template") or "(unmatched)"}},
    )
    return _page(request, 500)
