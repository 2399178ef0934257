"""Server-side staff sessions in the database, or in Redis when OUEN_REDIS_URL is set.

Every login, second-factor step and logout issues a *new* random id and deletes the old
one, so an id an attacker planted in a browser never becomes a logged-in session (the
framework's backend would keep it — see PITFALLS). The cookie carries the id; stores keep
only its SHA-256."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import or_
from sqlmodel import col, delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from admin.models import StaffSession, Stage
from core.crypto import hash_token, new_token
from core.db import utcnow

COOKIE = "ouen_staff"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


@dataclass(frozen=True)
class SessionData:
    user_id: int
    stage: Stage
    created_at: datetime


def _expired(data: SessionData, last_seen: datetime, now: datetime) -> bool:
    return now - last_seen > IDLE or now - data.created_at > ABSOLUTE


@runtime_checkable
class SessionStore(Protocol):
    """`db` is the caller's transaction (the database store writes in it; Redis ignores it)."""

    async def create(
        self, db: AsyncSession, user_id: int, stage: Stage, created_at: datetime | None = None
    ) -> str: ...
    async def get(self, db: AsyncSession, token: str) -> SessionData | None: ...
    async def delete(self, db: AsyncSession, token: str) -> None: ...
    async def delete_for_user(self, db: AsyncSession, user_id: int) -> None: ...
    async def close(self) -> None: ...


class DatabaseSessions:
    async def create(
        self, db: AsyncSession, user_id: int, stage: Stage, created_at: datetime | None = None
    ) -> str:
        token, now = new_token(), utcnow()
        db.add(StaffSession(id_hash=hash_token(token), user_id=user_id, stage=stage,
                            created_at=created_at or now, last_seen_at=now))
        await db.flush()
        return token

    async def get(self, db: AsyncSession, token: str) -> SessionData | None:
        if not token or len(token) > 100:
            return None
        now = utcnow()
        row = await db.get(StaffSession, hash_token(token))
        if row is None:
            return None
        data = SessionData(user_id=row.user_id, stage=Stage(row.stage), created_at=row.created_at)
        if _expired(data, row.last_seen_at, now):
            await db.delete(row)
            return None
        # Touch at most once a minute: a page view need not always write.
        if now - row.last_seen_at > timedelta(minutes=1):
            row.last_seen_at = now
            db.add(row)
        return data

    async def delete(self, db: AsyncSession, token: str) -> None:
        await db.exec(delete(StaffSession).where(col(StaffSession.id_hash) == hash_token(token)))

    async def delete_for_user(self, db: AsyncSession, user_id: int) -> None:
        await db.exec(delete(StaffSession).where(col(StaffSession.user_id) == user_id))

    async def close(self) -> None:
        return None


class RedisSessions:
    """Shared by every instance; keys expire after the idle timeout."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    @staticmethod
    def _key(token: str) -> str:
        return f"ouen:session:{hash_token(token)}"

    async def create(
        self, db: AsyncSession, user_id: int, stage: Stage, created_at: datetime | None = None
    ) -> str:
        token, now = new_token(), utcnow()
        started = (created_at or now).isoformat()
        value = json.dumps({"user_id": user_id, "stage": stage, "created_at": started})
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(token), value, ex=int(IDLE.total_seconds()))
            pipe.sadd(f"ouen:user-sessions:{user_id}", hash_token(token))
            pipe.expire(f"ouen:user-sessions:{user_id}", int(ABSOLUTE.total_seconds()))
            await pipe.execute()
        return token

    async def get(self, db: AsyncSession, token: str) -> SessionData | None:
        if not token or len(token) > 100:
            return None
        raw = await self._redis.get(self._key(token))
        if raw is None:
            return None
        fields = json.loads(raw)
        data = SessionData(user_id=int(fields["user_id"]), stage=Stage(fields["stage"]),
                           created_at=datetime.fromisoformat(fields["created_at"]))
        if _expired(data, utcnow(), utcnow()):
            await self.delete(db, token)
            return None
        await self._redis.expire(self._key(token), int(IDLE.total_seconds()))
        return data

    async def delete(self, db: AsyncSession, token: str) -> None:
        await self._redis.delete(self._key(token))

    async def delete_for_user(self, db: AsyncSession, user_id: int) -> None:
        members = await self._redis.smembers(f"ouen:user-sessions:{user_id}")
        keys = [f"ouen:session:{m.decode() if isinstance(m, bytes) else m}" for m in members]
        if keys:
            await self._redis.delete(*keys)
        await self._redis.delete(f"ouen:user-sessions:{user_id}")

    async def close(self) -> None:
        await self._redis.aclose()


def create_session_store(redis_url: str) -> SessionStore:
    return RedisSessions(redis_url) if redis_url else DatabaseSessions()


async def purge_ended_sessions(db: AsyncSession, now: datetime, dry_run: bool = False) -> int:
    """Database sessions past their idle or absolute limit (Redis expires its own)."""
    ended = or_(col(StaffSession.last_seen_at) < now - IDLE,
                col(StaffSession.created_at) < now - ABSOLUTE)
    found = int((await db.exec(select(func.count()).select_from(StaffSession)
                               .where(ended))).one())
    if not dry_run:
        await db.exec(delete(StaffSession).where(ended))
    return found
