"""The site's name and one base URL for every absolute link it writes (emails, feeds).

While a request is being served, links use that request's scheme and host, so
a site reached on another port or name sends links that work there (the host
has already passed ``ALLOWED_HOSTS``). Outside a request — Celery workers, beat,
management commands — they use ``SITE_URL``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop

DEFAULT_SITE_NAME = gettext_noop("Community Intelligence Platform")

_request_base_url: ContextVar[str | None] = ContextVar("request_base_url", default=None)


def base_url() -> str:
    """The scheme and host links start with, without a trailing slash."""
    return _request_base_url.get() or settings.SITE_URL


def site_name() -> str:
    """The site's name in the active language: ``SITE_NAME``, translated while it is ours."""
    if settings.SITE_NAME == DEFAULT_SITE_NAME:
        return gettext(DEFAULT_SITE_NAME)
    return settings.SITE_NAME


# For contexts built before the language of their rendering is chosen (emails).
site_name_lazy = lazy(site_name, str)


def absolute_url(path: str) -> str:
    """``path`` (starting with ``/``) as an absolute link."""
    return f"{base_url()}{path}"


class BaseUrlMiddleware:
    """Remembers the current request's base URL for links written while serving it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_base_url.set(f"{request.scheme}://{request.get_host()}")
        try:
            return self.get_response(request)
        finally:
            _request_base_url.reset(token)
