"""Web URLs of the intel app under /intel/ (namespace `intel`): each domain lists its own."""

from __future__ import annotations

from django.urls import path

from intel.alerts import urls as alerts_urls
from intel.boardbrief import urls as boardbrief_urls
from intel.digests import urls as digests_urls
from intel.impact import urls as impact_urls
from intel.interop import urls as interop_urls
from intel.interop import views as interop_views
from intel.library import urls as library_urls
from intel.reports import urls as reports_urls
from intel.workbench import urls as workbench_urls

app_name = "intel"
urlpatterns = [
    *reports_urls.urlpatterns,
    *digests_urls.urlpatterns,
    *boardbrief_urls.urlpatterns,
    *library_urls.urlpatterns,
    *interop_urls.web_urlpatterns,
    *workbench_urls.urlpatterns,
    *alerts_urls.urlpatterns,
    *impact_urls.urlpatterns,
    path("import/", interop_views.bundle_import, name="bundle_import"),
]
