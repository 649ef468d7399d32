"""Web URLs of the case-study library (under /intel/; `case-studies/new/` is the reports' form)."""

from __future__ import annotations

from django.urls import path

from intel.library import views

urlpatterns = [
    path("case-studies/", views.library, name="library"),
    path("case-studies/<int:pk>/", views.case_study, name="library_case_study"),
    path("case-studies/<int:pk>/curate/", views.curate, name="library_curate"),
]
