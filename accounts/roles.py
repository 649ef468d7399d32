"""Role names. Roles are Django groups created by a data migration, never by hand."""

from __future__ import annotations

CONTRIBUTORS = "contributors"
ANALYSTS = "analysts"
