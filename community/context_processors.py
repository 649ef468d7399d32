"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

from .links import base_url, site_name_lazy


def site(request: HttpRequest) -> dict[str, object]:
    return {"SITE_URL": base_url(), "SITE_NAME": site_name_lazy()}
