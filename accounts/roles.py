"""Role names. Roles are Django groups created by a data migration, never by hand."""

from __future__ import annotations

CONTRIBUTORS = "contributors"
ANALYSTS = "analysts"
# Colleagues a member invited from their own organisation: read at TLP:GREEN, never contribute.
READERS = "readers"
