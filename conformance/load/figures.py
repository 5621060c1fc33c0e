"""The load's figures: final counts and percentiles from Locust's --json-file, series over time from the tallies.

Final counts come from Locust's JSON (its stats CSV can miss the last second,
and with several processes stdout carries nothing useful); the per-second
series come from the generator's own tallies, which keep a latency histogram
for every second.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.load.tally import Tally

PERCENTILES = (0.50, 0.95, 0.99)


def percentile(histogram: dict[float, int], q: float) -> float:
    """Nearest-rank percentile of a {value: count} histogram (0 when empty)."""
    total = sum(histogram.values())
    if not total:
        return 0.0
    rank, seen = min(total, max(1, math.ceil(q * total))), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return float(value)
    return float(max(histogram))


@dataclass
class RequestFigures:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


@dataclass
class LoadFigures:
    """The whole load as Locust counted it."""

    requests: int
    failures: int
    duration_s: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    by_name: list[RequestFigures] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        data = {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items() if k != "by_name"}
        data["by_name"] = [r.__dict__ for r in self.by_name]
        return data


def _histogram(entry: dict[str, Any]) -> Counter[float]:
    return Counter({float(ms): n for ms, n in entry.get("response_times", {}).items()})


def read_locust_json(path: Path) -> LoadFigures:
    """Totals and percentiles over every request entry of Locust's --json-file."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    total: Counter[float] = Counter()
    by_name = []
    for entry in entries:
        histogram = _histogram(entry)
        total.update(histogram)
        by_name.append(RequestFigures(entry["name"], entry["num_requests"], entry["num_failures"], *(percentile(histogram, q) for q in PERCENTILES), float(entry.get("max_response_time") or 0)))
    requests = sum(e["num_requests"] for e in entries)
    failures = sum(e["num_failures"] for e in entries)
    starts = [e["start_time"] for e in entries if e.get("start_time")]
    ends = [e["last_request_timestamp"] for e in entries if e.get("last_request_timestamp")]
    duration = max(ends) - min(starts) if starts and ends else 0.0
    return LoadFigures(
        requests, failures, duration, requests / duration if duration > 0 else 0.0,
        *(percentile(total, q) for q in PERCENTILES), max((r.max_ms for r in by_name), default=0.0), sorted(by_name, key=lambda r: -r.requests),
    )


@dataclass
class Series:
    """Per-second series over the load, seconds counted from its first request."""

    seconds: list[int]
    requests: list[int]
    failures: list[int]
    likes: list[int]  # likes acknowledged
    p50_ms: list[float]
    p95_ms: list[float]
    p99_ms: list[float]
    start: int = 0  # the wall second (epoch) that is second 0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def series_of(tally: Tally) -> Series:
    if not tally.per_second:
        return Series([], [], [], [], [], [], [])
    first, last = min(tally.per_second), max(tally.per_second)
    seconds = list(range(first, last + 1))
    empty: Counter = Counter()
    counts = [tally.per_second.get(s, empty) for s in seconds]
    latency = [tally.latency.get(s, empty) for s in seconds]
    return Series(
        [s - first for s in seconds], [c["requests"] for c in counts], [c["failures"] for c in counts], [c["likes"] for c in counts],
        *([percentile(h, q) for h in latency] for q in PERCENTILES), first,
    )
