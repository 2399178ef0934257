"""No contact data or link token in what our code logs, checked on the raw log records
(message, arguments, extra fields, exception) before the JSON formatter scrubs anything:
the scrubber is a safety net for library messages, not an excuse to log personal data."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from core.logs import JsonFormatter, log
from notifications.worker import Worker
from tests.conftest import VALID_FORM, SmtpCapture, csrf_of, on_root_logger, started_of
from tests.factories import COLLABORATOR_FORM, link_in
from tests.intake.factories import PERSONAL

Client = httpx.AsyncClient
APPLICANT = ("taro.kobe@example.jp", "taro.kobe%40example.jp", "0783225211", "078-322-5211",
             "０７８－３２２－５２１１", "こうべ太郎")


class RawRecords(logging.Handler):
    """Keeps every record as it was logged, nothing formatted away."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def texts(self) -> list[str]:
        out = []
        for record in self.records:
            parts = [record.getMessage(), repr(record.args), repr(record.__dict__)]
            if record.exc_info:
                parts.append("".join(traceback.format_exception(*record.exc_info)))
            out.append("\n".join(parts))
        return out

    def leaks(self, values: tuple[str, ...]) -> list[tuple[str, str]]:
        """(value, record) for every value found in any record."""
        return [(value, text[:200]) for text in self.texts() for value in values if value in text]

    def events(self) -> list[str]:
        return [record.getMessage() for record in self.records]


@pytest.fixture
def raw_logs() -> Iterator[RawRecords]:
    """Every record production would emit (libraries quietened as in production), and our
    own loggers down to DEBUG."""
    handler = RawRecords()
    with on_root_logger(handler):
        yield handler


async def test_the_capture_sees_what_the_scrubber_would_hide(raw_logs: RawRecords) -> None:
    """The check can fail: an address in the arguments or in a list of extra fields (which
    the formatter does not scrub at all) is found."""
    probe = logging.getLogger("ouen.probe")
    probe.info("to %s", "taro.kobe@example.jp")
    log(probe, logging.INFO, "sent", recipients=["０７８－３２２－５２１１"])
    assert [v for v, _ in raw_logs.leaks(APPLICANT)] == ["taro.kobe@example.jp",
                                                         "０７８－３２２－５２１１"]
    formatted = JsonFormatter().format(raw_logs.records[0])
    assert "taro.kobe@example.jp" not in formatted  # what the scrubbing test relies on


async def test_proposal_journey_logs_no_contact_data_or_token(
    client: Client, worker: Worker, smtp: SmtpCapture, raw_logs: RawRecords
) -> None:
    page = await client.get("/apply")
    form = {**VALID_FORM, "_csrf_token": csrf_of(page.text), "_started": started_of(page.text)}
    confirm = await client.post("/apply", data=form)
    assert confirm.status_code == 200 and "入力内容の確認" in confirm.text
    submitted = await client.post("/apply/submit", data=form, follow_redirects=False)
    assert submitted.status_code == 303
    assert await worker.sender.process_due() == 1
    token = link_in(smtp.messages[0])
    shown = await client.get(f"/verify/{token}")
    assert shown.status_code == 200
    done = await client.post(f"/verify/{token}", data={"_csrf_token": csrf_of(shown.text)})
    assert done.status_code == 200

    events = raw_logs.events()
    for event in ("request", "proposal submitted", "email sent", "proposal verified"):
        assert event in events, event  # the journey was logged
    routes = {r.__dict__["fields"]["route"] for r in raw_logs.records
              if r.getMessage() == "request"}
    assert {"/apply", "/apply/submit", "/verify/{token}"} <= routes
    assert raw_logs.leaks((*APPLICANT, token)) == []


async def test_collaborator_journey_logs_no_contact_data_or_token(
    client: Client, worker: Worker, smtp: SmtpCapture, raw_logs: RawRecords
) -> None:
    page = await client.get("/collaborate")
    form: dict[str, Any] = {**COLLABORATOR_FORM, "_csrf_token": csrf_of(page.text),
                            "_started": started_of(page.text)}
    assert (await client.post("/collaborate", data=form)).status_code == 200
    submitted = await client.post("/collaborate/submit", data=form, follow_redirects=False)
    assert submitted.status_code == 303
    assert await worker.sender.process_due() == 1
    token = link_in(smtp.messages[0])
    shown = await client.get(f"/verify/{token}")
    await client.post(f"/verify/{token}", data={"_csrf_token": csrf_of(shown.text)})
    events = raw_logs.events()
    assert "collaborator submitted" in events and "collaborator verified" in events
    assert raw_logs.leaks((*PERSONAL, "hanako.minato%40example.jp", token)) == []
