"""The Redis cache with a per-process fallback, so losing Redis never breaks a page.

Every rate limit of the site counts in the cache: allauth's (sign-in, failed
sign-ins per account and address, sign-up, password reset, email
confirmation, the briefing subscription form), allauth's memory of used TOTP
codes, and DRF's throttles (whatever classes the API uses). With plain
`RedisCache` each of them raises while Redis is unreachable, and the request
ends in a 500.

`FallbackRedisCache` keeps them working: when Redis does not answer, the same
operation goes to a local-memory cache of this process, and a circuit breaker
(`community.breaker`) keeps later requests away from Redis for `RETRY_AFTER`
seconds, so an outage costs one short connection attempt per process and
window, not one per request. The decision is the same for every limiter:
none fails open (no limit disappears) and none fails closed (nobody is
locked out for an outage they did not cause); each holds **per process**, so
with N processes a client gets at most N times its allowance while Redis is
away. When Redis answers again the local entries are dropped: counts restart
from what Redis holds, and no stale value outlives the outage.

Options besides redis-py's (`socket_connect_timeout`, `socket_timeout`, …):
`RETRY_AFTER` (seconds, default 5) and `FALLBACK_MAX_ENTRIES` (default 10,000).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from .breaker import breaker_for

logger = logging.getLogger(__name__)

# Errors meaning "Redis cannot serve us now" (down, slow, something else on
# its port, a replica after a failover, out of memory), as opposed to a bad
# command or value, which is a bug and raised.
UNREACHABLE = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.exceptions.InvalidResponse,
    redis.exceptions.ReadOnlyError,
    redis.exceptions.OutOfMemoryError,
)
_SHARED_PARAMS = ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")


class FallbackRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        retry_after = float(options.pop("RETRY_AFTER", 5))
        max_entries = int(options.pop("FALLBACK_MAX_ENTRIES", 10_000))
        super().__init__(server, {**params, "OPTIONS": options})
        location = server if isinstance(server, str) else ",".join(server)
        self.breaker = breaker_for(f"cache {location}", retry_after=retry_after)
        # LocMemCache keeps its entries per name and process, so every thread's
        # instance of this backend shares one fallback.
        self.fallback = LocMemCache(
            f"redis-fallback {location}",
            {
                **{name: params[name] for name in _SHARED_PARAMS if name in params},
                "OPTIONS": {"MAX_ENTRIES": max_entries},
            },
        )

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if self.breaker.allows():
            try:
                result = getattr(super(), operation)(*args, **kwargs)
            except UNREACHABLE as error:
                if self.breaker.failed():
                    logger.warning(
                        "cache: Redis unreachable (%s); rate limits count per process for now",
                        error,
                    )
            else:
                self._answered()
                return result
        return getattr(self.fallback, operation)(*args, **kwargs)

    def _answered(self) -> None:
        # Reading `is_open` first keeps the lock off the path of every healthy call.
        if self.breaker.is_open and self.breaker.succeeded():
            logger.warning("cache: Redis answers again; per-process entries dropped")
            self.fallback.clear()

    def redis_answers(self) -> bool:
        """Ping Redis itself, whatever the breaker says (for /healthz)."""
        try:
            self._cache.get_client(write=True).ping()
        except UNREACHABLE:
            self.breaker.failed()
            return False
        self._answered()
        return True

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return bool(self._call("add", key, value, timeout, version=version))

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version=version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call("set", key, value, timeout, version=version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("touch", key, timeout, version=version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("delete", key, version=version))

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        # A list, so the fallback still sees every key if Redis fails half-way.
        return dict(self._call("get_many", list(keys), version=version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("has_key", key, version=version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._call("incr", key, delta, version=version))

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return list(self._call("set_many", data, timeout, version=version))

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        self._call("delete_many", list(keys), version=version)

    def clear(self) -> None:
        self.fallback.clear()
        self._call("clear")
