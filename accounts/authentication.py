"""API authentication: django-rest-knox tokens sent as `Authorization: Token <key>`.

Knox stores only a hash of each key and refuses expired tokens. On top of it, a
key that is not well formed (wrong length, not hex, NUL bytes) is refused with
401 before it reaches the database, and the user is marked with whether the
token passed the second factor (`accounts.permissions`). `TokenScheme`
describes the header in the OpenAPI schema.

Every API request passes here, so the token, its user, the user's membership
and TOTP authenticator come in one query, and knox's sweep of the user's
other expired tokens runs only when that query says there is one to delete
(it used to cost a query of its own on every request). That query is written
out once per process (`_token_query`): built by the ORM on every request, it
cost more CPU than the rest of the check together.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable
from functools import cache
from hmac import compare_digest
from typing import Any, cast

from allauth.mfa.models import Authenticator
from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework.exceptions import AuthenticationFailed

from .models import Membership, User
from .permissions import token_passed_second_factor

_KEY = re.compile(
    re.escape(knox_settings.TOKEN_PREFIX).encode()
    + rb"[0-9a-f]{%d}" % knox_settings.AUTH_TOKEN_CHARACTER_LENGTH
)


# A column's value as the database gives it → as the model holds it.
_Reader = Callable[[Any], Any]


def _reader(field: Field, alias: str) -> _Reader:
    """What the ORM applies to `field`'s column when it reads it (on SQLite a datetime
    comes as text, a boolean as an integer)."""
    column = field.get_col(alias)
    converters = [
        *connection.ops.get_db_converters(column),
        *column.get_db_converters(connection),
    ]

    def read(value: Any) -> Any:
        for convert in converters:
            value = convert(value, column, connection)
        return value

    return read


@cache
def _token_query() -> tuple[str, list[tuple[type[Model], list[str], list[_Reader]]], _Reader]:
    """The SQL of the token check, per model (token, user, membership) its attribute
    names and column readers in the order of the row, and the reader of the TOTP
    authenticator's creation time.

    The row ends with that creation time and whether the user has another
    expired token (parameters: the authenticator type, now, the key's prefix).
    """
    quote = connection.ops.quote_name
    models: dict[str, type[Model]] = {"t": get_token_model(), "u": User, "m": Membership}
    columns: list[str] = []
    parts = []
    for alias, model in models.items():
        fields = list(model._meta.concrete_fields)
        columns += [f"{alias}.{quote(str(field.column))}" for field in fields]
        parts.append(
            (model, [field.attname for field in fields], [_reader(f, alias) for f in fields])
        )
    token, user, membership = models["t"], models["u"], models["m"]

    def table(model: type[Model]) -> str:
        return quote(model._meta.db_table)

    def column(model: type[Model], name: str) -> str:
        return quote(str(cast(Field, model._meta.get_field(name)).column))

    sql = (
        f"SELECT {', '.join(columns)}, "  # noqa: S608 - table and column names only
        f"(SELECT a.{column(Authenticator, 'created_at')} FROM {table(Authenticator)} AS a "
        f"WHERE a.{column(Authenticator, 'type')} = %s "
        f"AND a.{column(Authenticator, 'user')} = t.{column(token, 'user')} "
        f"ORDER BY a.{column(Authenticator, 'id')} LIMIT 1), "
        f"EXISTS(SELECT 1 FROM {table(token)} AS o "
        f"WHERE o.{column(token, 'user')} = t.{column(token, 'user')} "
        f"AND o.{column(token, 'expiry')} < %s "
        f"AND o.{column(token, 'digest')} <> t.{column(token, 'digest')}) "
        f"FROM {table(token)} AS t "
        f"JOIN {table(user)} AS u ON u.{column(user, 'id')} = t.{column(token, 'user')} "
        f"LEFT JOIN {table(membership)} AS m "
        f"ON m.{column(membership, 'user')} = u.{column(user, 'id')} "
        f"WHERE t.{column(token, 'token_key')} = %s"
    )
    return sql, parts, _reader(Authenticator._meta.get_field("created_at"), "a")


def _candidates(key_prefix: str, now: Any) -> list[Any]:
    """The tokens with `key_prefix`, each with its user and the user's membership (or none)
    cached as the ORM's select_related would, and annotated with `totp_created_at` and
    `others_expired`."""
    sql, parts, created_at = _token_query()
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                Authenticator.Type.TOTP.value,
                connection.ops.adapt_datetimefield_value(now),
                key_prefix,
            ],
        )
        rows = cursor.fetchall()
    user_of_token = get_token_model()._meta.get_field("user")
    user_of_membership = Membership._meta.get_field("user")
    tokens = []
    for row in rows:
        instances: list[Any] = []
        offset = 0
        for model, names, readers in parts:
            values = [read(value) for read, value in zip(readers, row[offset:], strict=False)]
            offset += len(names)
            is_missing = values[0] is None  # the left join found no membership
            instances.append(None if is_missing else model.from_db(connection.alias, names, values))
        auth_token, user, membership = instances
        user_of_token.set_cached_value(auth_token, user)
        user_of_membership.remote_field.set_cached_value(user, membership)
        if membership is not None:
            user_of_membership.set_cached_value(membership, user)
        auth_token.totp_created_at = created_at(row[offset])
        auth_token.others_expired = bool(row[offset + 1])
        tokens.append(auth_token)
    return tokens


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        """Knox's check (the same candidates, expiry, digest and active user), in one query."""
        if not _KEY.fullmatch(token):
            raise AuthenticationFailed(_("Invalid token."))
        key = token.decode()
        now = timezone.now()
        for auth_token in _candidates(key[: CONSTANTS.TOKEN_KEY_LENGTH], now):
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
