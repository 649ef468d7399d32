"""Web URLs of digests, sectors, dashboards and assessments (under /intel/)."""

from __future__ import annotations

from django.urls import path

from intel.digests import views as digest_views

urlpatterns = [
    path("sectors/", digest_views.sector_index, name="sector_index"),
    path("sectors/<slug:sector>/", digest_views.sector_dashboard, name="sector_dashboard"),
    path("sectors/<slug:sector>/map.svg", digest_views.sector_map, name="sector_map"),
    path("sectors/<slug:sector>/digests/", digest_views.digest_archive, name="digest_archive"),
    path("sectors/<slug:sector>/assess/", digest_views.assessment_create, name="assessment_create"),
    path("digests/", digest_views.digest_queue, name="digest_queue"),
    path("digests/build/", digest_views.digest_build, name="digest_build"),
    path("digests/<int:pk>/", digest_views.digest_detail, name="digest_detail"),
    path("digests/<int:pk>/edit/", digest_views.digest_edit, name="digest_edit"),
    path("digests/<int:pk>/publish/", digest_views.digest_publish, name="digest_publish"),
    path("digests/<int:pk>/correct/", digest_views.digest_correct, name="digest_correct"),
    path("digests/<int:pk>/print/", digest_views.digest_print, name="digest_print"),
    path(
        "digests/<int:pk>/export.md", digest_views.digest_export_markdown, name="digest_export_md"
    ),
    path(
        "digests/<int:pk>/export.json", digest_views.digest_export_json, name="digest_export_json"
    ),
]
