"""CPU time of a process, from /proc/<pid>/stat (Linux): the figure printed beside every throughput."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds the process has used; None when it is gone (or not Linux)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime and stime are fields 14 and 15 (proc(5)).
    return (int(fields[11]) + int(fields[12])) / _TICKS


@dataclass
class CpuSampler:
    """Samples one process's CPU once a second on a thread; follows the process when it is restarted (a new pid)."""

    pid_of: Callable[[], int | None]
    interval_s: float = 1.0
    samples: list[tuple[float, float]] = field(default_factory=list)  # (wall time, share of one core over the last interval)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> CpuSampler:
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        last_pid = self.pid_of()
        last_cpu, last_t = (cpu_seconds(last_pid) if last_pid else None) or 0.0, time.time()
        while not self._stop.wait(self.interval_s):
            pid = self.pid_of()
            cpu = cpu_seconds(pid) if pid else None
            now = time.time()
            if cpu is not None:
                used = cpu - last_cpu if pid == last_pid else cpu  # a restarted process starts from zero
                self.samples.append((now, max(0.0, used) / (now - last_t)))
                last_pid, last_cpu = pid, cpu
            last_t = now
