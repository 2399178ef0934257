"""Rate limits in memory and in Redis (shared by several instances)."""

from __future__ import annotations

import os
import secrets

import pytest

from core.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter

REDIS_URL = os.environ.get("OUEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


async def _redis_or_skip() -> RedisRateLimiter:
    limiter = RedisRateLimiter(REDIS_URL)
    try:
        await limiter.hit(f"probe:{secrets.token_hex(4)}", 1, 5)
    except Exception:
        await limiter.close()
        if os.environ.get("OUEN_REQUIRE_POSTGRES") == "1":
            pytest.fail("Redis not reachable at " + REDIS_URL)
        pytest.skip("Redis not reachable")
    return limiter


async def check_limit(limiter: RateLimiter) -> None:
    key = f"test:{secrets.token_hex(8)}"
    assert [await limiter.hit(key, 3, 60) for _ in range(4)] == [True, True, True, False]
    assert await limiter.hit(key + ":other", 3, 60)  # keys do not share a counter


async def test_memory_limiter() -> None:
    await check_limit(MemoryRateLimiter())


async def test_redis_limiter_is_shared_between_instances() -> None:
    first = await _redis_or_skip()
    second = RedisRateLimiter(REDIS_URL)
    try:
        await check_limit(first)
        key = f"test:{secrets.token_hex(8)}"
        assert await first.hit(key, 1, 60)
        assert not await second.hit(key, 1, 60)  # another instance sees the same count
    finally:
        await first.close()
        await second.close()


async def check_claims(limiter: RateLimiter) -> None:
    key = f"claim:{secrets.token_hex(8)}"
    assert await limiter.claim(key, 60) and not await limiter.claim(key, 60)
    await limiter.release(key)
    assert await limiter.claim(key, 60)  # released: it may be claimed again
    assert await limiter.claim(key + ":other", 60)


async def test_claims_in_memory_and_in_redis() -> None:
    await check_claims(MemoryRateLimiter())
    redis = await _redis_or_skip()
    try:
        await check_claims(redis)
    finally:
        await redis.close()
