"""A per-process circuit breaker: after Redis fails, stop asking it for a short while.

Without one, every request during an outage would wait for its own failed
connection attempt. With one, the first failure opens the breaker; callers
then skip Redis (the cache uses local memory, the task publisher leaves the
work in the outbox) until `retry_after` seconds have passed, when a single
caller probes again. Breakers are shared by the threads of a process and
named after what they guard, so each gunicorn or worker process decides for
itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class CircuitBreaker:
    def __init__(
        self, *, name: str, retry_after: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.name = name
        self.retry_after = retry_after
        self.clock = clock
        self._lock = threading.Lock()
        self._open_until: float | None = None

    @property
    def is_open(self) -> bool:
        return self._open_until is not None

    def allows(self) -> bool:
        """Whether to try the service now. Once the wait is over, one caller probes."""
        with self._lock:
            if self._open_until is None:
                return True
            now = self.clock()
            if now < self._open_until:
                return False
            # This caller probes; the others keep away until it reports back.
            self._open_until = now + self.retry_after
            return True

    def failed(self) -> bool:
        """Record a failure; True when this one opened the breaker (worth logging)."""
        with self._lock:
            opened = self._open_until is None
            self._open_until = self.clock() + self.retry_after
            return opened

    def succeeded(self) -> bool:
        """Record a success; True when this one closed an open breaker (the service is back)."""
        with self._lock:
            closed = self._open_until is not None
            self._open_until = None
            return closed


_breakers: dict[str, CircuitBreaker] = {}
_registry_lock = threading.Lock()


def breaker_for(name: str, *, retry_after: float) -> CircuitBreaker:
    """The process-wide breaker called `name` (created on first use)."""
    with _registry_lock:
        breaker = _breakers.get(name)
        if breaker is None:
            breaker = _breakers[name] = CircuitBreaker(name=name, retry_after=retry_after)
        breaker.retry_after = retry_after
        return breaker
