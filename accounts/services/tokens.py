"""API tokens (django-rest-knox): one new token per sign-in, revoked by the owner or with
the person's credentials and standing.

Knox stores a hash of each key, never the key: it is shown once, when issued.
Every token expires after `API_TOKEN_TTL_HOURS` (settings.REST_KNOX). All of a
person's tokens go when their password changes or is reset, when their TOTP
authenticator is added or removed (accounts.receivers), when their membership
is suspended or revoked, and when their account is deleted.
"""

from __future__ import annotations

from knox.models import AuthToken

from ..models import User


def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """Issue a new token for `user`; returns the stored row and the key (not kept anywhere)."""
    return AuthToken.objects.create(user=user)


def api_token_revoke(*, user: User, digest: str) -> bool:
    """Revoke one of `user`'s own tokens; False when they have no such token."""
    deleted, _by_model = AuthToken.objects.filter(user=user, digest=digest).delete()
    return deleted > 0


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of `user`; returns how many there were."""
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    return deleted
