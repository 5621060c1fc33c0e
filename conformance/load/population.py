"""The like economy's population, seeded through DTP before the load.

The watch's child posts; friends of the child (ordinary children, farmers and
silent real friends) fill the friend list to just below the cap; bot farms own
accounts with their own posts (a bot service inflates its customers' posts,
and each account may like what it can see); strangers and buyers get
accounts of their own. Everything goes through the same DTP endpoint the load
uses, from a fresh baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from conformance.load.dtp import Dtp
from conformance.load.plan import FRIEND_CLASSES, LoadPlan
from device_adapters.errors import Refused

SEED_JOBS = 8  # concurrent seeding connections: the emulator commits them in groups


@dataclass
class Population:
    """Who exists after seeding; handed to every Locust process as JSON."""

    token: str
    child_posts: list[int]  # sequence numbers of the watch child's posts
    accounts: dict[str, list[str]]  # traffic kind -> its account ids
    bot_posts: dict[str, list[int]] = field(default_factory=dict)  # bot account -> its own posts
    friends: int = 0  # approved friendships after seeding
    friend_cap: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"token": self.token, "child_posts": self.child_posts, "accounts": self.accounts, "bot_posts": self.bot_posts, "friends": self.friends, "friend_cap": self.friend_cap}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Population:
        return cls(data["token"], list(data["child_posts"]), {k: list(v) for k, v in data["accounts"].items()}, {k: list(v) for k, v in data.get("bot_posts", {}).items()}, data.get("friends", 0), data.get("friend_cap", 0))


def post_seq(post_id: str) -> int:
    """'post-12' -> 12, the number the ledger keeps."""
    return int(post_id.rpartition("-")[2])


def _parallel(dtp_factory: Callable[[], Dtp], calls: list[tuple[str, str, dict, str | None]]) -> list[dict[str, Any] | Refused]:
    """Run independent calls on a few connections at once; each result, or the refusal, in order."""

    def run(chunk: list[tuple[int, tuple]]) -> list[tuple[int, Any]]:
        out = []
        with dtp_factory() as dtp:
            for index, (op, role, args, account) in chunk:
                try:
                    out.append((index, dtp.call(op, role, args, account=account)))
                except Refused as refusal:
                    out.append((index, refusal))
        return out

    indexed = list(enumerate(calls))
    chunks = [indexed[i::SEED_JOBS] for i in range(SEED_JOBS)]
    results: list[Any] = [None] * len(calls)
    with ThreadPoolExecutor(SEED_JOBS) as pool:
        for done in pool.map(run, [c for c in chunks if c]):
            for index, value in done:
                results[index] = value
    return results


def seed(base_url: str, token: str, plan: LoadPlan, *, friend_cap: int, start: str, child_age: int) -> Population:
    """Reset the watch to its baseline and create the population the plan asks for."""

    def factory() -> Dtp:
        return Dtp(base_url, token)

    with factory() as dtp:
        dtp.call("agent.reset", "tester", {"start": start, "child_age": child_age, "setup": "bound"})
    sizes = plan.accounts_by_class(friend_cap)
    posts = _parallel(factory, [("posts.create", "child", {"text": f"day at school #{n}"}, None) for n in range(plan.child_posts)])
    child_posts = sorted(post_seq(_must(r)["post_id"]) for r in posts)

    accounts: dict[str, list[str]] = {}
    for kind, count in sizes.items():
        befriend = kind in FRIEND_CLASSES
        account_kind = "stranger" if kind in ("stranger", "buyer") else "child"
        made = _parallel(factory, [("accounts.create", "tester", {"nickname": f"{kind} {n}", "kind": account_kind, "befriend": befriend}, None) for n in range(count)])
        accounts[kind] = [_must(r)["account"] for r in made]
    # Real friends who take no part in the load fill the list to just below the cap.
    friends = sum(len(accounts.get(kind, [])) for kind in FRIEND_CLASSES)
    filler = max(0, friend_cap - plan.cap_headroom - friends)
    made = _parallel(factory, [("accounts.create", "tester", {"nickname": f"classmate {n}", "befriend": True}, None) for n in range(filler)])
    friends += sum(1 for r in made if not isinstance(r, Refused))  # a platform with a lower cap refuses the rest

    bot_posts: dict[str, list[int]] = {}
    if accounts.get("bot"):
        calls = [("posts.create", "child", {"text": f"buy likes here #{n}"}, bot) for bot in accounts["bot"] for n in range(plan.posts_per_bot)]
        made = _parallel(factory, calls)
        for (_, _, _, bot), result in zip(calls, made, strict=True):
            bot_posts.setdefault(bot, []).append(post_seq(_must(result)["post_id"]))
    return Population(token, child_posts, accounts, bot_posts, friends, friend_cap)


def _must(result: dict[str, Any] | Refused) -> dict[str, Any]:
    if isinstance(result, Refused):
        raise RuntimeError(f"seeding the population failed: {result}")
    return result
