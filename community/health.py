"""Liveness checks behind /healthz: can we reach the database and the broker?

The answer is 503 when either fails, naming it. The cache is reported too but
does not fail the check: without Redis it counts in per-process memory
(`community.cache`) and the site keeps answering.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection

from .cache import FallbackRedisCache

logger = logging.getLogger(__name__)

OK = "ok"
IN_PROCESS = "in-process"
FAILING = "failing"
LOCAL_MEMORY = "local-memory"
FALLBACK = "per-process-fallback"


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health: database did not answer")
        return FAILING
    return OK


def broker_status() -> str:
    """Ping Redis; with no broker configured tasks run in-process, which is healthy."""
    if not settings.REDIS_URL:
        return IN_PROCESS
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
    )
    try:
        client.ping()
    except redis.RedisError:
        logger.exception("health: broker did not answer")
        return FAILING
    finally:
        client.close()
    return OK


def cache_status() -> str:
    """Redis answers, or it does not and each process counts alone; no Redis configured."""
    backend = caches["default"]
    if not isinstance(backend, FallbackRedisCache):
        return LOCAL_MEMORY
    return OK if backend.redis_answers() else FALLBACK


def health_report() -> tuple[bool, dict[str, str]]:
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = FAILING not in checks.values()
    return healthy, {**checks, "cache": cache_status()}
