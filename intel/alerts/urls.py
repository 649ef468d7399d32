"""Web URLs of watchlists and alerts (included by `intel.urls`)."""

from __future__ import annotations

from django.urls import path

from intel.alerts import views

urlpatterns = [
    path("watches/", views.watch_list, name="watch_list"),
    path("watches/new/", views.watch_create, name="watch_create"),
    path("watches/<int:pk>/", views.watch_edit, name="watch_edit"),
    path("watches/<int:pk>/delete/", views.watch_delete, name="watch_delete"),
    path("watches/<int:pk>/unmute/", views.watch_unmute, name="watch_unmute"),
    path("watches/mute/<str:token>/", views.watch_mute, name="watch_mute"),
]
