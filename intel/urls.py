"""Web URLs of the intel app under /intel/ (namespace `intel`): each domain lists its own."""

from __future__ import annotations

from intel.digests import urls as digests_urls
from intel.reports import urls as reports_urls
from intel.workbench import urls as workbench_urls

app_name = "intel"
urlpatterns = [
    *reports_urls.urlpatterns,
    *digests_urls.urlpatterns,
    *workbench_urls.urlpatterns,
]
