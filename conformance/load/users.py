"""The like economy's traffic as Locust users: ordinary children, like farmers, bot farms, account buyers, strangers.

Runs inside Locust's processes only. Lean on purpose: on a small machine the
generator, not the watch, is the bottleneck (docs/load.md), so bodies are
formatted strings, each reply is parsed once, and a like costs the tally two
dictionary updates. Every like attempt is recorded as (post, liker) with its
outcome, so that the audit can hold the core's ledger against what was
acknowledged.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from typing import Any

import gevent
from locust import FastHttpUser, between, constant, task

from conformance.load.tally import Tally

DTP_PATH = "/dtp/v1"
HEADERS = {"Content-Type": "application/json"}
TALLY = Tally()  # this process's record, delivered at the end by the locustfile

_ids = itertools.count(1)
_slots: dict[str, itertools.count] = {}
_plans: dict[str, dict[str, Any]] = {}


def plan_of(environment: Any) -> dict[str, Any]:
    """The plan `conformance load` passed as --like-plan (Locust's master hands it on to its workers)."""
    text = getattr(environment.parsed_options, "like_plan", None) or "{}"
    plan = _plans.get(text)
    if plan is None:
        plan = _plans[text] = json.loads(text)
    return plan


def outcome_of(content: bytes | None) -> str | None:
    """'ok', the refusal code, or None when there is no usable DTP reply (nothing can be said about the request)."""
    if not content:
        return None
    try:
        reply = json.loads(content)
    except ValueError:
        return None
    if not isinstance(reply, dict):
        return None
    if reply.get("ok") is True:
        return "ok"
    error = reply.get("error")
    return str(error.get("code", "malformed")) if isinstance(error, dict) else None


class DtpUser(FastHttpUser):
    """One watch (or app) of the like economy, speaking DTP as one account."""

    abstract = True
    kind = ""
    network_timeout = 10.0  # bounded: a request never hangs the run
    connection_timeout = 5.0

    def on_start(self) -> None:
        # DTP carries no cookies: without the jar, geventhttpclient skips a cookie pass on every request and reply.
        self.client.client.cookiejar = None
        plan = plan_of(self.environment)
        self.population: dict[str, Any] = plan["population"]
        self.auth = json.dumps(self.population["token"])
        # Processes number their users alike; interleaving by process index keeps accounts apart across processes.
        processes = max(1, int(plan.get("processes", 1)))
        index = getattr(self.environment.runner, "worker_index", 0) or 0
        self.slot = next(_slots.setdefault(self.kind, itertools.count())) * processes + index
        pool = self.population["accounts"].get(self.kind) or [None]
        self.me: str | None = pool[self.slot % len(pool)]

    def send(self, op: str, role: str, args: str, account: str | None = None) -> bytes | None:
        """POST one DTP message (args already JSON); the reply body, or None when none came."""
        named = f',"account":"{account}"' if account else ""
        body = f'{{"dtp":1,"id":"{next(_ids)}","op":"{op}","role":"{role}"{named},"auth":{self.auth},"args":{args}}}'
        return self.client.post(DTP_PATH, data=body, headers=HEADERS, name=op).content

    def like(self, liker: str, seq: int) -> str | None:
        like = (seq, liker)
        TALLY.like_sent(like)  # if this user is stopped mid-request, the like stays in flight: unanswered
        outcome = outcome_of(self.send("posts.like", "child", f'{{"post_id":"post-{seq}"}}', liker))
        TALLY.like_answered(self.kind, like, outcome, int(time.time()))
        return outcome

    def call(self, op: str, role: str, args: str, account: str | None, label: str | None = None) -> str | None:
        outcome = outcome_of(self.send(op, role, args, account))
        TALLY.answered(self.kind, label or op, outcome)
        return outcome


class OrdinaryChild(DtpUser):
    """A friend of the child on its own watch: likes the child's posts now and then, reads the feed."""

    kind = "child"
    wait_time = between(2, 6)  # at the default time scale, a few trusted minutes between likes

    def on_start(self) -> None:
        super().on_start()
        self.posts = random.sample(self.population["child_posts"], len(self.population["child_posts"]))
        self.turn = 0

    @task(5)
    def like_a_post(self) -> None:
        self.turn += 1
        self.like(self.me, self.posts[self.turn % len(self.posts)])

    @task(1)
    def read_feed(self) -> None:
        self.call("posts.feed", "child", "{}", self.me)


class LikeFarmer(DtpUser):
    """A friend who farms likes: bursts of several likes at once, every second, on past the daily quota."""

    kind = "farmer"
    wait_time = between(0.7, 1.3)

    def on_start(self) -> None:
        super().on_start()
        self.posts = random.sample(self.population["child_posts"], len(self.population["child_posts"]))
        self.turn = 0

    @task
    def burst(self) -> None:
        size = random.randint(3, 8)  # concurrent requests of one liker: what a quota check must survive
        seqs = [self.posts[(self.turn + i) % len(self.posts)] for i in range(size)]
        self.turn += size
        burst = [gevent.spawn(self.like, self.me, seq) for seq in seqs]
        try:
            gevent.joinall(burst)
        except gevent.GreenletExit:
            gevent.killall(burst)  # stopped mid-burst: what was in flight stays unanswered
            raise


class LikeBot(DtpUser):
    """A bot farm: likes back to back with no pause, turn by turn from each of its accounts, on that account's own posts.

    A farm wastes no request: the bots of one process share, per account, the
    next post to like; it moves on once a like is in (or already was), and
    stays on a post that was throttled or over quota, to try again.
    """

    kind = "bot"
    wait_time = constant(0)
    next_post: dict[str, int] = {}  # bot account -> index of its next post, shared by the farm's users

    def on_start(self) -> None:
        super().on_start()
        farm = list(self.population["bot_posts"].items())
        start = self.slot % len(farm)
        self.farm = farm[start:] + farm[:start]  # users of one farm start on different accounts
        self.turn = 0

    @task
    def like_fast(self) -> None:
        bot, posts = self.farm[self.turn % len(self.farm)]
        self.turn += 1
        index = self.next_post.get(bot, 0)
        if self.like(bot, posts[index % len(posts)]) in ("ok", "duplicate"):
            self.next_post[bot] = max(self.next_post.get(bot, 0), index + 1)


class AccountBuyer(DtpUser):
    """Someone buying the child's well-liked account: re-binding it to a new guardian without the current one's code."""

    kind = "buyer"
    wait_time = between(1, 3)

    @task
    def take_over(self) -> None:
        self.call("account.rebind", "stranger", f'{{"new_guardian":"{self.me}-parent"}}', self.me)


class Stranger(DtpUser):
    """A stranger after the child's friendship: asks remotely (never allowed), then in person, and the guardian approves."""

    kind = "stranger"
    wait_time = between(1, 3)

    @task
    def befriend(self) -> None:
        pool = self.population["accounts"]["stranger"]
        self.slot += 1
        me = pool[self.slot % len(pool)]  # a new face each time, so approvals keep pressing on the cap
        self.call("friends.request", "stranger", '{"method":"remote","target":"child"}', me, "friends.request.remote")
        self.call("friends.request", "stranger", '{"method":"nearby","target":"child"}', me, "friends.request.nearby")
        self.call("friends.approve", "guardian", "{}", me)
