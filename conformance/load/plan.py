"""A like-load run's parameters: the traffic mix, the population, the pace and the test clock.

Plain data shared by the harness and the Locust processes (nothing here imports Locust).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# One Locust user class per kind of actor in the like economy (conformance/load/users.py).
USER_CLASSES = {
    "child": "OrdinaryChild",  # a friend of the child: likes the child's posts at a human pace, reads the feed
    "farmer": "LikeFarmer",  # a friend who farms: bursts of likes, on past the daily quota
    "bot": "LikeBot",  # a bot farm: likes back to back, rotating through its accounts' own posts
    "buyer": "AccountBuyer",  # wants the child's account: re-binding without the guardian's verification
    "stranger": "Stranger",  # asks for friendship, remotely and in person, and gets the guardian to approve
}
DEFAULT_MIX = {"child": 4, "farmer": 2, "bot": 2, "buyer": 1, "stranger": 1}
# Classes whose accounts are friends of the watch's child, so they count against the friend cap.
FRIEND_CLASSES = ("child", "farmer")


def parse_mix(text: str) -> dict[str, int]:
    """'child=4,farmer=2,bot=2' -> weights; unknown kinds and negative weights are errors; at least one weight > 0."""
    mix: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, weight = part.partition("=")
        kind = kind.strip()
        if kind not in USER_CLASSES:
            raise ValueError(f"unknown traffic kind {kind!r} in --mix (known: {', '.join(USER_CLASSES)})")
        try:
            mix[kind] = int(weight) if sep else 1
        except ValueError:
            raise ValueError(f"--mix: weight of {kind} must be a whole number, not {weight!r}") from None
        if mix[kind] < 0:
            raise ValueError(f"--mix: weight of {kind} is negative")
    if not any(mix.values()):
        raise ValueError("--mix gives no traffic: at least one weight must be above 0")
    return {kind: weight for kind, weight in mix.items() if weight > 0}


@dataclass(frozen=True)
class LoadPlan:
    """What to run. Times are wall seconds unless they say trusted (the watch's test clock)."""

    users: int = 40
    spawn_rate: float = 20.0
    duration_s: float = 40.0
    mix: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MIX))
    workers: int = 0  # 0: one Locust process; N: Locust's master and N worker processes
    population: int = 300  # accounts seeded, split by the mix (friends stop just short of the cap)
    child_posts: int = 60  # more than the daily quota, so farmers can push past it
    posts_per_bot: int = 24  # each bot account's own posts: more than the daily quota, so bots meet the quota too
    # Trusted seconds per wall second: the load compresses a school day into a minute so that
    # daily quotas and the per-minute bot throttle both come into play. 0 leaves the clock alone.
    time_scale: float = 60.0
    clock_tick_s: float = 0.5
    cap_headroom: int = 5  # friendships left below the cap for strangers' approvals to fight over
    crash_at_s: float | None = None  # kill -9 the emulator this far into the load, then restart it

    def __post_init__(self) -> None:
        if self.users < 1 or self.spawn_rate <= 0 or self.duration_s <= 0:
            raise ValueError("--users, --spawn-rate and --duration must be positive")
        if self.workers < 0 or self.population < 1 or self.time_scale < 0:
            raise ValueError("--workers, --population and --time-scale cannot be negative")
        if self.crash_at_s is not None and not 0 < self.crash_at_s < self.duration_s:
            raise ValueError("--crash-at must fall inside the load's duration")

    def users_by_class(self) -> dict[str, int]:
        """About how many Locust users each kind gets (Locust's own dispatch decides the exact split)."""
        total = sum(self.mix.values())
        return {kind: max(1, math.ceil(self.users * weight / total)) for kind, weight in self.mix.items()}

    def accounts_by_class(self, friend_cap: int) -> dict[str, int]:
        """Accounts to seed per kind: the population split by the mix, at least one per user, friends below the cap."""
        total = sum(self.mix.values())
        users = self.users_by_class()
        accounts = {kind: max(users[kind], round(self.population * weight / total)) for kind, weight in self.mix.items()}
        room = max(0, friend_cap - self.cap_headroom)
        friends = sum(accounts.get(kind, 0) for kind in FRIEND_CLASSES)
        if friends > room:
            # Scale the friends down into the room the cap leaves; each friend kind keeps at least one account.
            for kind in FRIEND_CLASSES:
                if kind in accounts:
                    accounts[kind] = max(1, accounts[kind] * room // friends)
        if "stranger" in accounts:
            # More strangers than the headroom, so that approvals run into the cap.
            accounts["stranger"] = max(accounts["stranger"], self.cap_headroom + 5)
        return accounts

    def to_json(self) -> dict:
        return {
            "users": self.users, "spawn_rate": self.spawn_rate, "duration_s": self.duration_s, "mix": self.mix, "workers": self.workers,
            "population": self.population, "child_posts": self.child_posts, "posts_per_bot": self.posts_per_bot,
            "time_scale": self.time_scale, "clock_tick_s": self.clock_tick_s, "cap_headroom": self.cap_headroom, "crash_at_s": self.crash_at_s,
        }
