"""allauth's account and MFA events that end a person's API tokens.

A token is a standing credential: when the password or the TOTP authenticator
changes, tokens issued under the old ones must not live on. Receivers stay thin
and call the token service.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.base.internal.flows import post_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.dispatch import receiver

from .services import api_tokens_revoke_all


@receiver(password_changed)
@receiver(password_set)
@receiver(password_reset)
def _password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    api_tokens_revoke_all(user=user)


@receiver(authenticator_added)
def _authenticator_added(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type != Authenticator.Type.TOTP:
        return
    # Tokens issued without a code (there was no authenticator) would never
    # count as having passed it; they go rather than linger.
    api_tokens_revoke_all(user=user)
    # Enrolling meant entering a current code from this very authenticator:
    # record it as this session's second factor, as allauth's MFA login step
    # would, so the person goes on without signing out and in again.
    post_authentication(request, authenticator)


@receiver(authenticator_removed)
def _authenticator_removed(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.TOTP:
        api_tokens_revoke_all(user=user)
