"""Intel API URLs, included under /api/."""

from __future__ import annotations

from django.urls import path

from community.api import IdRouter
from intel.digests import api as digests
from intel.interop import urls as interop_urls
from intel.interop.api import BundleImportView
from intel.reports.api import views

router = IdRouter()
router.register("reports", views.ReportViewSet, basename="api-report")
router.register("case-studies", views.CaseStudyViewSet, basename="api-case-study")
router.register("review", views.ReviewViewSet, basename="api-review")
router.register("requirements", views.RequirementViewSet, basename="api-requirement")
router.register("digests", digests.DigestViewSet, basename="api-digest")
router.register("assessments", digests.SectorAssessmentViewSet, basename="api-assessment")

urlpatterns = [
    *router.urls,
    *interop_urls.api_urlpatterns,
    path(
        "attachments/<int:pk>/download/",
        views.AttachmentDownloadView.as_view(),
        name="api-attachment-download",
    ),
    path("import/stix/", BundleImportView.as_view(), name="api-stix-import"),
]
