from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community Intelligence Platform"


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site (community.admin.AdminSite) as `admin.site`."""

    # Named in INSTALLED_APPS; never picked as this module's default config.
    default = False
    default_site = "community.admin.AdminSite"
