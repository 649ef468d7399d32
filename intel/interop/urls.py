"""Interop URLs: TAXII 2.1 under /taxii2/ (namespace `taxii`); the downloads, which
`intel.urls` (under /intel/) and `intel.api_urls` (under /api/) list."""

from __future__ import annotations

from django.urls import path

from intel.interop import api
from intel.interop import views as export_views
from intel.interop.taxii import views

app_name = "taxii"
COLLECTION = "<str:api_root>/collections/<str:collection_id>/"

urlpatterns = [
    path("", views.DiscoveryView.as_view(), name="discovery"),
    path("<str:api_root>/", views.ApiRootView.as_view(), name="api_root"),
    path("<str:api_root>/collections/", views.CollectionsView.as_view(), name="collections"),
    path(COLLECTION, views.CollectionView.as_view(), name="collection"),
    path(f"{COLLECTION}objects/", views.ObjectsView.as_view(), name="objects"),
    path(f"{COLLECTION}objects/<str:object_id>/", views.ObjectsView.as_view(), name="object"),
    path(
        f"{COLLECTION}objects/<str:object_id>/versions/",
        views.VersionsView.as_view(),
        name="versions",
    ),
    path(f"{COLLECTION}manifest/", views.ManifestView.as_view(), name="manifest"),
]

# Web downloads, in the `intel` namespace beside the search and digest pages.
web_urlpatterns = [
    path("search/export.stix.json", export_views.search_export_stix, name="search_export_stix"),
    path("search/export.csv", export_views.search_export_csv, name="search_export_csv"),
    path(
        "digests/<int:pk>/export.stix.json",
        export_views.digest_export_stix,
        name="digest_export_stix",
    ),
]

api_urlpatterns = [
    path(
        "search/export.stix.json",
        api.SearchStixExportView.as_view(),
        name="api-search-export-stix",
    ),
    path("search/export.csv", api.SearchCsvExportView.as_view(), name="api-search-export-csv"),
    path(
        "digests/<int:pk>/export.stix.json",
        api.DigestStixExportView.as_view(),
        name="api-digest-export-stix",
    ),
]
