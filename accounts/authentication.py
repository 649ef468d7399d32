"""API authentication: django-rest-knox tokens sent as `Authorization: Token <key>`.

Knox stores only a hash of each key and refuses expired tokens. On top of it, a
key that is not well formed (wrong length, not hex, NUL bytes) is refused with
401 before it reaches the database, and the user is marked with whether the
token passed the second factor (`accounts.permissions`). `TokenScheme`
describes the header in the OpenAPI schema.

Every API request passes here, so the token, its user, the user's membership
and TOTP authenticator come in one query, and knox's sweep of the user's
other expired tokens runs only when that query says there is one to delete
(it used to cost a query of its own on every request).
"""

from __future__ import annotations

import binascii
import re
from hmac import compare_digest
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework.exceptions import AuthenticationFailed

from .permissions import token_passed_second_factor, totp_created_at

_KEY = re.compile(
    re.escape(knox_settings.TOKEN_PREFIX).encode()
    + rb"[0-9a-f]{%d}" % knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
)


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        """Knox's check (the same candidates, expiry, digest and active user), in one query."""
        if not _KEY.fullmatch(token):
            raise AuthenticationFailed(_("Invalid token."))
        key = token.decode()
        now = timezone.now()
        model = get_token_model()
        candidates = (
            model.objects.filter(token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("user", "user__membership")
            .annotate(
                totp_created_at=totp_created_at("user_id"),
                others_expired=Exists(
                    model.objects.filter(user_id=OuterRef("user_id"), expiry__lt=now).exclude(
                        digest=OuterRef("digest")
                    )
                ),
            )
        )
        for auth_token in candidates:
            expired = auth_token.expiry is not None and auth_token.expiry < now
            if (auth_token.others_expired or expired) and self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(key)
            except (TypeError, binascii.Error):
                raise AuthenticationFailed(_("Invalid token.")) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                user, auth_token = self.validate_user(auth_token)
                user.second_factor_passed = token_passed_second_factor(auth_token)
                return user, auth_token
        raise AuthenticationFailed(_("Invalid token."))


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for these tokens (as DRF's token scheme was named)."""

    target_class = "accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=knox_settings.AUTH_HEADER_PREFIX
        )
