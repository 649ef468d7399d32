"""Accounts API URLs, included under /api/."""

from __future__ import annotations

from django.urls import path

from . import api

urlpatterns = [
    path("auth/token/", api.TokenObtainView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/application/", api.MyApplicationView.as_view(), name="api-my-application"),
    path(
        "me/application/resubmit/",
        api.MyApplicationResubmitView.as_view(),
        name="api-my-application-resubmit",
    ),
    path("applications/", api.ApplicationListView.as_view(), name="api-application-list"),
    path(
        "applications/<int:pk>/",
        api.ApplicationDetailView.as_view(),
        name="api-application-detail",
    ),
    path(
        "applications/<int:pk>/decision/",
        api.ApplicationDecisionView.as_view(),
        name="api-application-decision",
    ),
]
