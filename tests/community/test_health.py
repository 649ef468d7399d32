"""/healthz: 200 when the database and broker answer, 503 otherwise; public."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_is_public_and_ok(anonymous, settings):
    response = anonymous.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    expected_broker = "ok" if settings.REDIS_URL else "in-process"
    assert body["checks"]["broker"] == expected_broker
    assert body["checks"]["cache"] == ("ok" if settings.REDIS_URL else "local-memory")


def test_health_is_503_when_broker_does_not_answer(anonymous, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = anonymous.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "failing"


@pytest.mark.redis
def test_with_redis_down_health_is_503_naming_the_broker_and_the_cache_counts_per_process(
    anonymous, private_redis
):
    private_redis.stop()
    response = anonymous.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "checks": {"database": "ok", "broker": "failing", "cache": "per-process-fallback"},
    }
    private_redis.start()
    response = anonymous.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"]["cache"] == "ok"


def test_health_refuses_post(anonymous):
    assert anonymous.post(reverse("healthz")).status_code == 405


def test_health_is_not_cached(anonymous):
    response = anonymous.get(reverse("healthz"))
    assert "no-cache" in response["Cache-Control"]
