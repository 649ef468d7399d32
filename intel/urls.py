"""Web URLs of the intel app (reports, review, search, digests) under /intel/."""

from __future__ import annotations

app_name = "intel"
urlpatterns: list = []
