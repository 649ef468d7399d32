"""Public URLs of the weekly briefing under /briefings/ (no sign-in needed except `account/`)."""

from __future__ import annotations

from django.urls import path, re_path

from intel.briefings import views

app_name = "briefings"
urlpatterns = [
    path("", views.archive, name="archive"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("subscribe/sent/", views.subscribe_sent, name="subscribe_sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("preferences/<str:token>/", views.preferences, name="preferences"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("account/", views.account, name="account"),
    re_path(r"^(?P<week_start>\d{4}-\d{2}-\d{2})/$", views.week, name="week"),
]
