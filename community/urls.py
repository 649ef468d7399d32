"""Root URLs: site pages, accounts (allauth), the API and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import applicant

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True)),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # allauth's own pattern, answered by its view hardened against malformed keys.
    re_path(r"^accounts/confirm-email/(?P<key>[-:\w]+)/$", applicant.confirm_email),
    path("accounts/", include("allauth.urls")),
    path("members/", include("accounts.urls")),
    path("intel/", include("intel.urls")),
    path("briefings/", include("intel.briefings.urls")),
    path("taxii2/", include("intel.interop.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("community.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file, as the Content-Security-Policy requires.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler400 = "community.views.bad_request"
handler404 = "community.views.page_not_found"
