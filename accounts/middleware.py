"""Marks the session's user with whether their sign-in passed the second factor.

Runs after Django's AuthenticationMiddleware and stays as lazy as it: the
session's authentication records are read only when something looks at
`request.user`. The rule itself is `accounts.permissions`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import get_user
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from .permissions import session_passed_second_factor


def _session_user(request: HttpRequest) -> Any:
    user = get_user(request)
    if user.is_authenticated:
        user.second_factor_passed = session_passed_second_factor(request, user)
    return user


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = SimpleLazyObject(lambda: _session_user(request))  # type: ignore[assignment]
        return self.get_response(request)
