"""Web URLs of the accounts app (membership, vetting, audit) under /members/."""

from __future__ import annotations

app_name = "accounts"
urlpatterns: list = []
