"""Reactions across packages without arrows pointing up.

A package that changes something others care about (a case closes, a collaborator leaves)
declares a `Hook` next to that change and emits it; the packages above register their
reactions on it (each in its own `reactions.py`, installed by the composition roots: the
app, the worker and the command line). `emit` awaits every reaction in order, in the
caller's session and transaction: a reaction that fails raises, and the caller's
transaction — the change that emitted the hook included — is rolled back. (Litestar's
event emitter runs listeners after the response, outside the request's transaction, so it
cannot give that guarantee.)

Nothing here knows any domain: a hook is a name and a list of async callables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from core.audit import AuditLog

E = TypeVar("E")


@dataclass(frozen=True)
class Unit:
    """What a reaction works with: the caller's session (its open transaction) and the
    audit log, so the reaction's own steps are on the record in the same transaction."""

    db: AsyncSession
    audit: AuditLog


Reaction = Callable[[Unit, E], Awaitable[None]]


class Hook(Generic[E]):
    """A named point that reactions of other packages attach to."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._reactions: list[Reaction[E]] = []

    def connect(self, reaction: Reaction[E]) -> Reaction[E]:
        """Register `reaction` (once: installing twice changes nothing); usable as a
        decorator."""
        if reaction not in self._reactions:
            self._reactions.append(reaction)
        return reaction

    def disconnect(self, reaction: Reaction[E]) -> None:
        if reaction in self._reactions:
            self._reactions.remove(reaction)

    @property
    def reactions(self) -> tuple[str, ...]:
        """The registered reactions by qualified name (`package.module.function`)."""
        return tuple(f"{r.__module__}.{r.__qualname__}" for r in self._reactions)

    async def emit(self, unit: Unit, event: E) -> None:
        """Run every reaction in registration order inside the caller's transaction."""
        for reaction in tuple(self._reactions):
            await reaction(unit, event)

    def __repr__(self) -> str:
        return f"Hook({self.name!r}, {len(self._reactions)} reactions)"
