"""Structured (JSON) logging that never carries personal data, tokens or raw paths."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

# Belt and braces: our code never logs contact data, but a library message might.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+?\d[\d\- ]{8,}\d)(?!\d)")
_TOKENISH = re.compile(r"[A-Za-z0-9_\-]{40,}")


def scrub(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub("[number]", text)
    return _TOKENISH.sub("[token]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, event and structured extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": scrub(record.getMessage()),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update({k: scrub(v) if isinstance(v, str) else v for k, v in extra.items()})
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


NOISY = ("httpx", "httpcore", "aiosqlite", "asyncio", "sqlalchemy", "mail.log", "aiosmtplib",
         "markdown_it")


def quiet_libraries() -> None:
    """Library loggers that would print URLs (with tokens) or SQL parameters at INFO/DEBUG."""
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet_libraries()
    # The access log prints raw paths, and /verify/{token} carries a token (PITFALLS).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def log(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    logger.log(level, event, extra={"fields": fields})


_request_log = logging.getLogger("ouen.request")


def request_logging(app: ASGIApp) -> ASGIApp:
    """Logs method, route template, status and duration; never the path, query or body."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, capture)
        except Exception as exc:
            # The exception handler outside us answers; log the status it will send.
            status = getattr(exc, "status_code", 500)
            raise
        finally:
            log(
                _request_log,
                logging.INFO,
                "request",
                method=scope.get("method", ""),
                route=scope.get("path_template") or "(unmatched)",
                status=status,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )

    return middleware
