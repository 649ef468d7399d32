"""Refuse, with a 400, requests carrying characters that no text of ours may hold.

A NUL byte cannot be stored in a PostgreSQL text column and an unpaired
surrogate cannot be encoded as UTF-8, so either one reaching a query or a
save would be a 500. No address, query parameter, header or form field of a
genuine request contains them; they are refused here once for every view.
JSON bodies are checked per field by DRF's serializers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .views import bad_request_response

_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _shown(name: str) -> str:
    """A name safe to repeat in the message (its forbidden characters replaced)."""
    return _FORBIDDEN.sub("\ufffd", name)


def _bad_pair(pairs: Iterable[tuple[str, list[str]]]) -> str | None:
    for name, values in pairs:
        if _FORBIDDEN.search(name) or any(_FORBIDDEN.search(value) for value in values):
            return _shown(name)
    return None


class RejectUnsafeCharactersMiddleware:
    """NUL bytes or unpaired surrogates in the path, headers, cookies, query or form: 400."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = self._problem(request)
        if problem is not None:
            return bad_request_response(request, reason=problem)
        return self.get_response(request)

    def _problem(self, request: HttpRequest) -> str | None:
        if _FORBIDDEN.search(request.path_info):
            return _(
                "The address contains a NUL character or an unpaired surrogate, "
                "which this site does not accept."
            )
        for key, value in request.META.items():
            is_header = key.startswith("HTTP_") or key == "CONTENT_TYPE"
            if is_header and isinstance(value, str) and _FORBIDDEN.search(value):
                return _(
                    "The %(header)s header contains a NUL character or an unpaired "
                    "surrogate, which this site does not accept."
                ) % {"header": key.removeprefix("HTTP_").replace("_", "-").title()}
        # Django unquotes cookie values, so `"\000"` in the header arrives as a NUL.
        name = _bad_pair((key, [value]) for key, value in request.COOKIES.items())
        if name is not None:
            return _(
                "The cookie “%(name)s” contains a NUL character or an unpaired surrogate, "
                "which this site does not accept."
            ) % {"name": name}
        name = _bad_pair(request.GET.lists())
        if name is not None:
            return _(
                "The query parameter “%(name)s” contains a NUL character or an unpaired "
                "surrogate, which this site does not accept."
            ) % {"name": name}
        if request.method == "POST" and request.content_type in _FORM_TYPES:
            name = _bad_pair(request.POST.lists())
            if name is not None:
                return _(
                    "The form field “%(name)s” contains a NUL character or an unpaired "
                    "surrogate, which this site does not accept."
                ) % {"name": name}
        return None
