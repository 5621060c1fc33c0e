"""What the load generator saw: the likes acknowledged to it, the attempts left unanswered, outcomes, and latency per second.

Each Locust process keeps one Tally; at the end of the load they are merged and
compared with the core's ledger. Plain Python (no Locust) so the harness can read it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

Like = tuple[int, str]  # (post sequence number, liker account)


def latency_bucket(ms: float) -> float:
    """Two significant digits (a 5% bucket): per-second histograms stay small and percentiles stay honest."""
    return float(f"{ms:.2g}")


class Tally:
    """One process's record. Counters are keyed '<kind> <op> <outcome>', outcome being 'ok', a refusal code or 'no_reply'."""

    def __init__(self) -> None:
        self.acknowledged: list[Like] = []
        self.unanswered: list[Like] = []  # no reply came (connection lost, process stopped): the like may or may not be in
        self.in_flight: Counter[Like] = Counter()
        self.outcomes: Counter[str] = Counter()
        self.per_second: dict[int, Counter[str]] = {}  # wall second -> 'requests' / 'failures' / 'likes'
        self.latency: dict[int, Counter[float]] = {}  # wall second of the reply -> latency bucket (ms) -> count

    # -- recording (inside Locust, on the hot path: keep it cheap) ---------------------

    def like_sent(self, like: Like) -> None:
        self.in_flight[like] += 1

    def like_answered(self, kind: str, like: Like, outcome: str | None, second: int) -> None:
        """`outcome` is 'ok', a refusal code, or None when no reply came."""
        in_flight = self.in_flight
        in_flight[like] -= 1
        if not in_flight[like]:
            del in_flight[like]
        if outcome is None:
            self.unanswered.append(like)
            outcome = "no_reply"
        elif outcome == "ok":
            self.acknowledged.append(like)
            bucket = self.per_second.get(second)
            if bucket is None:
                bucket = self.per_second[second] = Counter()
            bucket["likes"] += 1
        self.outcomes[f"{kind} posts.like {outcome}"] += 1

    def answered(self, kind: str, op: str, outcome: str | None) -> None:
        self.outcomes[f"{kind} {op} {outcome or 'no_reply'}"] += 1

    def timed(self, end: float, response_ms: float, failed: bool) -> None:
        second = int(end)
        bucket = self.per_second.get(second)
        if bucket is None:
            bucket = self.per_second[second] = Counter()
        bucket["requests"] += 1
        if failed:
            bucket["failures"] += 1
        latency = self.latency.get(second)
        if latency is None:
            latency = self.latency[second] = Counter()
        latency[latency_bucket(response_ms)] += 1

    def close(self) -> None:
        """At the end: likes still in flight (their users were stopped) count as unanswered."""
        for like, count in self.in_flight.items():
            self.unanswered.extend([like] * count)
            self.outcomes["- posts.like in_flight_at_stop"] += count
        self.in_flight.clear()

    # -- files and merging ---------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "acknowledged": [list(x) for x in self.acknowledged],
            "unanswered": [list(x) for x in self.unanswered],
            "outcomes": dict(self.outcomes),
            "per_second": {str(s): dict(c) for s, c in self.per_second.items()},
            "latency": {str(s): {str(b): n for b, n in c.items()} for s, c in self.latency.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        tally = cls()
        tally.acknowledged = [(int(p), str(a)) for p, a in data.get("acknowledged", [])]
        tally.unanswered = [(int(p), str(a)) for p, a in data.get("unanswered", [])]
        tally.outcomes = Counter(data.get("outcomes", {}))
        tally.per_second = {int(s): Counter(c) for s, c in data.get("per_second", {}).items()}
        tally.latency = {int(s): Counter({float(b): n for b, n in c.items()}) for s, c in data.get("latency", {}).items()}
        return tally

    def merge(self, other: Tally) -> None:
        self.acknowledged += other.acknowledged
        self.unanswered += other.unanswered
        self.outcomes.update(other.outcomes)
        for second, counts in other.per_second.items():
            self.per_second.setdefault(second, Counter()).update(counts)
        for second, counts in other.latency.items():
            self.latency.setdefault(second, Counter()).update(counts)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json()), encoding="utf-8")

    @classmethod
    def read_dir(cls, folder: Path) -> tuple[Tally, int]:
        """Every process's tally in `folder`, merged; and how many files there were."""
        merged, files = cls(), sorted(folder.glob("tally-*.json"))
        for path in files:
            merged.merge(cls.from_json(json.loads(path.read_text(encoding="utf-8"))))
        return merged, len(files)

    # -- reading -----------------------------------------------------------------------

    def count(self, kind: str = "", op: str = "", outcome: str = "") -> int:
        """Sum of outcomes matching the given parts ('' matches any)."""
        total = 0
        for key, n in self.outcomes.items():
            k, o, out = key.split(" ", 2)
            if (not kind or k == kind) and (not op or o == op) and (not outcome or out == outcome):
                total += n
        return total
