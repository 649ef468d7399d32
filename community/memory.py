"""Long-lived objects kept out of the cyclic garbage collector's walks.

A process's settings, models, views and, in workers, the tagger's tables
(its automaton, taxonomy and gazetteer: some 270,000 objects) live as long
as the process, yet every full collection walks them again. On our 2-core
machine one such walk took 70-170 ms: a pause in whichever web request
triggered it, and about a tenth of a re-tagging process's time
(docs/benchmarks.md). `gc.freeze()` moves every object alive at that moment
to a generation the collector never walks; frozen objects are still freed by
reference counting when nothing refers to them any more.
"""

from __future__ import annotations

import gc


def freeze_long_lived() -> None:
    """Collect what is garbage now, then freeze everything still alive.

    Unfreezing first lets this collection reclaim the cycles of objects an
    earlier freeze kept that have since been dropped (a replaced tagger).
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
