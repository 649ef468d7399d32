"""WSGI entry point (gunicorn community.wsgi)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from community.memory import freeze_long_lived

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")

application = get_wsgi_application()

# Every view is imported now, through the URLconf, rather than by the first
# request, so that it is among what the process keeps for good.
get_resolver().url_patterns  # noqa: B018
freeze_long_lived()
