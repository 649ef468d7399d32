"""URLs under /api/: one include per app's API module."""

from __future__ import annotations

from django.urls import path

from accounts import api as accounts_api

urlpatterns = [
    path("auth/token/", accounts_api.TokenObtainView.as_view(), name="api-token"),
    path("me/", accounts_api.MeView.as_view(), name="api-me"),
]
