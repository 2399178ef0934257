"""Fixed-window rate limits, in memory for one process or in Redis for several."""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: int) -> bool:
        """Count one event for `key`; False once more than `limit` fall in the window."""

    async def used(self, key: str, window: int) -> int:
        """How many events `key` has in the current window, without counting one."""

    async def claim(self, key: str, ttl: int) -> bool:
        """Mark `key` as used for `ttl` seconds: True the first time, False while it holds."""

    async def release(self, key: str) -> None:
        """Forget a claim (what it guarded did not happen after all)."""

    async def close(self) -> None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._counts: dict[str, tuple[float, int]] = {}
        self._claims: dict[str, float] = {}

    async def hit(self, key: str, limit: int, window: int) -> bool:
        now = time.monotonic()
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
        expires, count = self._counts.get(key, (now + window, 0))
        if expires <= now:
            expires, count = now + window, 0
        self._counts[key] = (expires, count + 1)
        return count + 1 <= limit

    async def used(self, key: str, window: int) -> int:
        expires, count = self._counts.get(key, (0.0, 0))
        return count if expires > time.monotonic() else 0

    async def claim(self, key: str, ttl: int) -> bool:
        now = time.monotonic()
        if len(self._claims) > 100_000:
            self._claims = {k: v for k, v in self._claims.items() if v > now}
        if self._claims.get(key, 0.0) > now:
            return False
        self._claims[key] = now + ttl
        return True

    async def release(self, key: str) -> None:
        self._claims.pop(key, None)

    async def close(self) -> None:
        return None


class RedisRateLimiter:
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url)

    async def hit(self, key: str, limit: int, window: int) -> bool:
        bucket = f"ouen:rl:{key}:{int(time.time()) // window}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(bucket)
            pipe.expire(bucket, window + 5)
            count, _ = await pipe.execute()
        return int(count) <= limit

    async def used(self, key: str, window: int) -> int:
        value = await self._redis.get(f"ouen:rl:{key}:{int(time.time()) // window}")
        return int(value or 0)

    async def claim(self, key: str, ttl: int) -> bool:
        return bool(await self._redis.set(f"ouen:claim:{key}", 1, nx=True, ex=ttl))

    async def release(self, key: str) -> None:
        await self._redis.delete(f"ouen:claim:{key}")

    async def close(self) -> None:
        await self._redis.aclose()


def create_rate_limiter(redis_url: str) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
