"""Liveness checks behind /healthz: can we reach the database and the broker?"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

OK = "ok"
IN_PROCESS = "in-process"
FAILING = "failing"


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
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        logger.exception("health: broker did not answer")
        return FAILING
    finally:
        client.close()
    return OK


def health_report() -> tuple[bool, dict[str, str]]:
    checks = {"database": database_status(), "broker": broker_status()}
    return FAILING not in checks.values(), checks
