"""Celery tasks of the intel app, one module per domain; imported here so workers register them."""

from intel.alerts import tasks as alerts_tasks  # noqa: F401
from intel.briefings import tasks as briefings_tasks  # noqa: F401
from intel.digests import tasks as digests_tasks  # noqa: F401
from intel.impact import tasks as impact_tasks  # noqa: F401
from intel.tagging import tasks as tagging_tasks  # noqa: F401
