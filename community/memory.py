"""Long-lived objects kept out of the cyclic garbage collector's walks.

A process's settings, models, views and, in workers, the tagger's tables
(its automaton, taxonomy and gazetteer: some 270,000 objects) live as long
as the process, yet every full collection walks them again. On our 2-core
machine one such walk took 70-170 ms: a pause in whichever web request
triggered it, and about a tenth of a re-tagging process's time
(docs/benchmarks.md). `gc.freeze()` moves every object alive at that moment
to a generation the collector never walks; frozen objects are still freed by
reference counting when nothing refers to them any more.

The same objects make a process slow to end: `end_process` skips freeing
them one by one when a command run from the command line is done.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import NoReturn

from django.db import connections


def freeze_long_lived() -> None:
    """Collect what is garbage now, then freeze everything still alive.

    Unfreezing first lets this collection reclaim the cycles of objects an
    earlier freeze kept that have since been dropped (a replaced tagger).
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def end_process() -> NoReturn:
    """End a command-line process that succeeded, without finalising the interpreter.

    Finalising frees every object one at a time: with the tagger loaded that
    took about 0.4 s on our 2-core machine, a tenth of `tagtext`'s time for
    20,000 reports. What the process wrote is flushed, its logs shut down
    and its database connections closed first; nothing of ours runs at exit
    besides. Only for `run_from_argv`: `call_command` must return.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    connections.close_all()
    os._exit(0)
