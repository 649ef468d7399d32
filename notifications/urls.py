"""Web URLs of notifications under /notifications/ (namespace `notifications`)."""

from __future__ import annotations

from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_read, name="read"),
    path("unread.json", views.unread, name="unread"),
    path("settings/", views.notification_settings, name="settings"),
]
