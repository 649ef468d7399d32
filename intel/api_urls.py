"""Intel API URLs, included under /api/."""

from __future__ import annotations

urlpatterns: list = []
