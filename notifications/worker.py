"""The background worker: the outbox sender plus periodic jobs (`ouen worker`, or in-process)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from notifications.sender import OutboxSender

logger = logging.getLogger("ouen.worker")
Job = Callable[[], Awaitable[object]]


@dataclass
class Worker:
    sender: OutboxSender
    jobs: list[tuple[str, float, Job]] = field(default_factory=list)
    poll_seconds: float = 2.0

    async def _every(self, name: str, seconds: float, job: Job, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await job()
            except Exception:
                logger.exception("scheduled job failed: %s", name)
            try:
                await asyncio.wait_for(stop.wait(), timeout=seconds)
            except TimeoutError:
                pass

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set."""
        tasks = [asyncio.create_task(self.sender.run(stop, self.poll_seconds))]
        tasks += [asyncio.create_task(self._every(n, s, j, stop)) for n, s, j in self.jobs]
        await asyncio.gather(*tasks)
