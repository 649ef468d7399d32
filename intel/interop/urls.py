"""TAXII 2.1 URLs, included under /taxii2/ (namespace `taxii`)."""

from __future__ import annotations

from django.urls import path

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
