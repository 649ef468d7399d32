"""The WSGI module a gunicorn worker imports: every view loaded, and what it loaded frozen."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings

_PROBE = (
    "import gc, sys\n"
    "import community.wsgi\n"
    "print(gc.get_freeze_count(), len(gc.get_objects()), 'intel.reports.api.views' in sys.modules)"
)


def test_importing_the_application_loads_the_views_and_freezes_them():
    # A process of its own: freezing is for good, and this test run must not be frozen.
    printed = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    ).stdout.split()
    frozen, tracked, views_loaded = int(printed[0]), int(printed[1]), printed[2]
    assert views_loaded == "True", "the URLconf's views are imported with the application"
    # What the process keeps for good is out of the collector's walks; little is left in them.
    assert frozen > 50_000 and tracked < frozen / 20
