"""API authentication: django-rest-knox tokens sent as `Authorization: Token <key>`.

Knox stores only a hash of each key and refuses expired tokens. On top of it, a
key that is not well formed (wrong length, not hex, NUL bytes) is refused with
401 before it reaches the database, and the user is marked with whether the
token passed the second factor (`accounts.permissions`). `TokenScheme`
describes the header in the OpenAPI schema.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.settings import knox_settings
from rest_framework.exceptions import AuthenticationFailed

from .permissions import token_passed_second_factor

_KEY = re.compile(
    re.escape(knox_settings.TOKEN_PREFIX).encode()
    + rb"[0-9a-f]{%d}" % knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
)


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        if not _KEY.fullmatch(token):
            raise AuthenticationFailed(_("Invalid token."))
        user, auth_token = super().authenticate_credentials(token)
        user.second_factor_passed = token_passed_second_factor(auth_token)
        return user, auth_token


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for these tokens (as DRF's token scheme was named)."""

    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )
