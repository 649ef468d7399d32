"""Production settings: missing or malformed values stop start-up, naming the variable;
`check --deploy` is clean when the required values are given."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(48)[:60],
    "DJANGO_ALLOWED_HOSTS": "example.org",
}


def run_manage(*args: str, **env_overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_"))}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "too-short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DJANGO_DEBUG": "perhaps"}, "DJANGO_DEBUG"),
        ({"DATABASE_URL": "notaurl://x"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT"),
        ({"SITE_URL": "example.org"}, "SITE_URL"),
        ({"NUM_PROXIES": "one"}, "NUM_PROXIES"),
        ({"NUM_PROXIES": "-1"}, "NUM_PROXIES"),
        ({"API_TOKEN_TTL_HOURS": "0"}, "API_TOKEN_TTL_HOURS"),
        ({"ANONYMOUS_GRADE_K": "0"}, "ANONYMOUS_GRADE_K"),
        ({"ANONYMOUS_GRADE_K": "five"}, "ANONYMOUS_GRADE_K"),
    ],
)
def test_bad_production_setting_stops_start_up_naming_the_variable(overrides, named):
    result = run_manage("check", **{**PRODUCTION, **overrides})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_seed_demo_refuses_in_production():
    result = run_manage("seed_demo", **PRODUCTION)
    assert result.returncode != 0
    assert "DJANGO_DEBUG=0" in result.stderr


def test_num_proxies_feeds_both_drf_and_allauth():
    code = (
        "from django.conf import settings as s; "
        "print(s.REST_FRAMEWORK['NUM_PROXIES'], s.ALLAUTH_TRUSTED_PROXY_COUNT)"
    )
    assert run_manage("shell", "--no-imports", "-c", code).stdout.split() == ["0", "0"]
    assert run_manage("shell", "--no-imports", "-c", code, NUM_PROXIES="2").stdout.split() == [
        "2",
        "2",
    ]
