"""The watch's trusted time, moved forward during the load: a school day compressed into a minute.

Daily quotas and the one-minute bot throttle are judged on trusted time. At
the wall clock's pace a one-minute load would never reach a second quota
window; the driver advances trusted time `time_scale` seconds per wall second
through the tester's clock.advance, in small ticks. Every like between two
ticks shares one trusted instant, which is what concurrent requests at one
moment look like to the core.
"""

from __future__ import annotations

import threading
import time

from conformance.load.dtp import Dtp
from device_adapters.errors import DeviceError


class ClockDriver:
    """A thread advancing the test clock until stopped (or until its deadline: the loop is bounded)."""

    def __init__(self, base_url: str, token: str, time_scale: float, tick_s: float = 0.5, max_s: float = 3600.0):
        self.base_url, self.token = base_url, token
        self.time_scale, self.tick_s, self.max_s = time_scale, tick_s, max_s
        self.advanced_s = 0.0  # trusted seconds actually added
        self.errors = 0  # ticks that got no answer (the watch was down, e.g. in the crash drill)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="clock-driver", daemon=True)

    def start(self) -> ClockDriver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_s
        last = time.monotonic()
        with Dtp(self.base_url, self.token, timeout_s=5.0) as dtp:
            while not self._stop.wait(self.tick_s) and time.monotonic() < deadline:
                now = time.monotonic()
                # Advance by the wall time that really passed, so a late tick keeps the scale.
                step = round((now - last) * self.time_scale, 3)
                try:
                    dtp.call("clock.advance", "tester", {"seconds": step})
                except DeviceError:
                    self.errors += 1
                    continue  # the time is owed: the next tick catches up
                self.advanced_s += step
                last = now
