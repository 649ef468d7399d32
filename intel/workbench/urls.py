"""Web URL of the workbench (under /intel/, namespace `intel`)."""

from __future__ import annotations

from django.urls import path

from intel.workbench import views

urlpatterns = [path("workbench/", views.workbench, name="workbench")]
