"""Caching headers for answers that depend on who asks: one middleware for every view.

Whatever a view builds may differ by reader, through the session cookie or the
`Authorization` header (clearance, drafts, CSRF tokens in forms), so every
answer says `Vary: Authorization, Cookie` and `Cache-Control: private`: a
shared cache never hands one reader's page to another. What a signed-in reader
sees (intelligence under TLP, their account, authenticator secrets) and the
token endpoint's answer are also `no-store`, so no copy stays on a disk.
Static files never get here: WhiteNoise serves them earlier, cacheable.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

# Answers that hand out a secret to a caller who is not signed in yet.
NO_STORE_PATHS = ("/api/auth/",)


class ReaderCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        patch_vary_headers(response, ("Authorization", "Cookie"))
        # DRF sets request.user too when a token authenticated the call.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path_info.startswith(NO_STORE_PATHS):
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, private=True)
        return response
