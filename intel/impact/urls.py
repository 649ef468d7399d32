"""Web URLs of contributor impact (included by `intel.urls`)."""

from __future__ import annotations

from django.urls import path

from intel.impact import views

urlpatterns = [
    path("impact/", views.impact, name="impact"),
    path("review/<int:pk>/note/", views.acknowledgement_send, name="acknowledgement_send"),
    path("review/<int:pk>/contradicted/", views.contradiction_mark, name="contradiction_mark"),
]
