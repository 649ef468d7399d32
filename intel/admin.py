"""Admin of the intel app: each domain registers its own pages; imported here for discovery."""

from intel.briefings import admin as briefings_admin  # noqa: F401
from intel.digests import admin as digests_admin  # noqa: F401
from intel.interop import admin as interop_admin  # noqa: F401
from intel.library import admin as library_admin  # noqa: F401
from intel.reports import admin as reports_admin  # noqa: F401
from intel.tagging import admin as tagging_admin  # noqa: F401
