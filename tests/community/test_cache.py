"""While Redis is away the cache answers from per-process memory, behind a circuit breaker."""

from __future__ import annotations

import pytest
import redis

from community.breaker import CircuitBreaker
from community.cache import FallbackRedisCache

needs_redis = pytest.mark.redis


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_breaker_keeps_callers_away_until_the_wait_is_over_then_lets_one_probe():
    clock = Clock()
    breaker = CircuitBreaker(name="test", retry_after=5, clock=clock)
    assert breaker.allows()
    assert breaker.failed() is True, "the first failure opens it"
    assert breaker.failed() is False, "later failures are not news"
    clock.now += 4.9
    assert not breaker.allows()
    clock.now += 0.2
    assert breaker.allows(), "after the wait one caller probes"
    assert not breaker.allows(), "the others keep away while it does"
    assert breaker.succeeded() is True
    assert breaker.allows()
    assert breaker.succeeded() is False


def cache_on(url: str, retry_after: float = 3600) -> FallbackRedisCache:
    return FallbackRedisCache(
        url,
        {
            "KEY_PREFIX": "t",
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.5,
                "RETRY_AFTER": retry_after,
            },
        },
    )


def raw_keys(url: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return sorted(client.keys("*"))
    finally:
        client.close()


@needs_redis
def test_values_live_in_redis_while_it_answers(redis_server):
    cache = cache_on(redis_server.url)
    cache.set("greeting", "hello", 60)
    assert cache.get("greeting") == "hello"
    assert raw_keys(redis_server.url) == [b"t:1:greeting"]
    assert not cache.breaker.is_open


@needs_redis
def test_with_redis_down_every_operation_answers_from_process_memory(redis_server):
    cache = cache_on(redis_server.url)
    redis_server.stop()
    assert cache.add("attempts", 1, 60) is True
    assert cache.add("attempts", 1, 60) is False
    assert cache.incr("attempts") == 2
    cache.set_many({"a": 1, "b": 2}, 60)
    assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": 2}
    assert cache.has_key("a")
    assert cache.delete("a") is True
    assert cache.get("a", "gone") == "gone"
    assert cache.breaker.is_open


@needs_redis
def test_every_instance_in_a_process_shares_one_fallback(redis_server):
    redis_server.stop()
    cache_on(redis_server.url).set("shared", "yes", 60)
    assert cache_on(redis_server.url).get("shared") == "yes"


@needs_redis
def test_while_the_breaker_is_open_redis_is_left_alone(redis_server):
    cache = cache_on(redis_server.url)
    redis_server.stop()
    cache.set("during", "outage", 60)
    redis_server.start()
    cache.set("still", "local", 60)
    assert cache.get("still") == "local"
    assert raw_keys(redis_server.url) == [], "nothing reached Redis before the wait was over"


@needs_redis
def test_once_redis_answers_again_the_local_entries_are_dropped(redis_server):
    cache = cache_on(redis_server.url, retry_after=0)
    redis_server.stop()
    cache.set("limit", "counted locally", 60)
    redis_server.start()
    assert cache.get("limit") is None, "Redis is asked again and has no such entry"
    assert not cache.breaker.is_open
    redis_server.stop()
    assert cache.get("limit") is None, "the local entry did not outlive the outage"


def make_read_only(client: redis.Redis) -> None:
    # A replica of a master that does not exist refuses writes, as after a failover.
    client.replicaof("127.0.0.1", 1)


def make_full(client: redis.Redis) -> None:
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", 1)


@needs_redis
@pytest.mark.parametrize("degrade", [make_read_only, make_full], ids=["read-only", "full"])
def test_a_redis_that_refuses_writes_counts_as_an_outage(redis_server, degrade):
    cache = cache_on(redis_server.url)
    client = redis.Redis.from_url(redis_server.url)
    degrade(client)
    client.close()
    cache.set("attempts", 1, 60)
    assert cache.get("attempts") == 1
    assert cache.breaker.is_open


def test_something_else_on_the_redis_port_counts_as_an_outage(smtp_server):
    cache = cache_on(f"redis://{smtp_server.host}:{smtp_server.port}/0")
    cache.set("attempts", 1, 60)
    assert cache.get("attempts") == 1
    assert cache.breaker.is_open


@needs_redis
def test_an_error_that_is_not_an_outage_is_raised(redis_server):
    cache = cache_on(redis_server.url)
    cache.set("text", "not a number", 60)
    with pytest.raises(redis.ResponseError):
        cache.incr("text")
    assert not cache.breaker.is_open


@needs_redis
def test_health_ping_reports_redis_itself_whatever_the_breaker_says(redis_server):
    cache = cache_on(redis_server.url)
    redis_server.stop()
    assert cache.redis_answers() is False
    redis_server.start()
    assert cache.redis_answers() is True
    assert not cache.breaker.is_open
