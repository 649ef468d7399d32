"""Root URLs: site pages, accounts (allauth), the API and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("members/", include("accounts.urls")),
    path("intel/", include("intel.urls")),
    path("briefings/", include("intel.urls_briefings")),
    path("admin/", admin.site.urls),
    path("api/", include("community.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "community.views.bad_request"
handler404 = "community.views.page_not_found"
