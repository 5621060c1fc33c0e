"""The audit after a like load: the generator's tally held against the core's ledger, one verdict per LOAD clause.

A clause whose evidence could not be read is INCONCLUSIVE; one the traffic
never put to the test (no bot ran, no buyer tried) is NOT_TESTED rather than a
pass that proves nothing.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.load.clauses import AREA, LOAD_CLAUSES, LoadClause
from conformance.load.ledger import Ledger
from conformance.load.tally import Tally
from conformance.verdicts import Verdict

BOT_WINDOW_S = 60.0  # the profile's bot burst is "likes within one minute" (platform-social layer)
EXAMPLES = 3  # offending items named in a reason


@dataclass
class Evidence:
    """What the audit reads; a missing piece comes with the reason it is missing."""

    tally: Tally | None
    ledger: Ledger | None
    binding: dict[str, Any] | None  # guardian.binding after the load
    parameters: dict[str, dict[str, Any]]  # profile parameter -> {value, layer}
    guardian: str  # the account the child is bound to before the load
    missing: dict[str, str] = field(default_factory=dict)  # 'tally' / 'ledger' / 'binding' -> why it is missing

    def param(self, name: str) -> Any:
        return self.parameters[name]["value"]


@dataclass
class LoadVerdict:
    clause: LoadClause
    verdict: Verdict
    reason: str
    figures: dict[str, Any]
    parameters: dict[str, dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """The conformance report's clause shape, plus the figures the verdict rests on."""
        c = self.clause
        return {
            "id": c.id, "area": AREA, "level": c.level, "kind": "load", "title": {"en": c.title_en, "zh": c.title_zh},
            "verdict": self.verdict.value, "reason": self.reason, "parameters": self.parameters, "derived_from": list(c.derived_from),
            "figures": self.figures, "scenarios": [],
        }


Judgement = tuple[Verdict, str, dict[str, Any]]


def _examples(items: Any) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:EXAMPLES])
    return shown + (f" and {len(items) - EXAMPLES} more" if len(items) > EXAMPLES else "")


def likes_counted_once(ev: Evidence) -> Judgement:
    tally, ledger = ev.tally, ev.ledger
    acknowledged = set(tally.acknowledged)
    recorded = Counter((like.post, like.liker) for like in ledger.likes)
    unanswered = set(tally.unanswered)
    lost = acknowledged - recorded.keys()
    extra = recorded.keys() - acknowledged
    unexplained = extra - unanswered  # a like whose reply never came may or may not have been committed
    figures = {"acknowledged": len(tally.acknowledged), "ledger_likes": len(ledger.likes), "lost": len(lost), "unanswered_attempts": len(tally.unanswered),
               "committed_but_unanswered": len(extra & unanswered), "extra_unexplained": len(unexplained)}
    if not acknowledged:
        return Verdict.INCONCLUSIVE, "no like was acknowledged during the load: nothing to hold against the ledger", figures
    problems = []
    if lost:
        problems.append(f"{len(lost)} acknowledged likes are missing from the ledger (post, liker): {_examples(sorted(lost))}")
    if unexplained:
        problems.append(f"{len(unexplained)} likes in the ledger were never acknowledged nor left unanswered: {_examples(sorted(unexplained))}")
    if problems:
        return Verdict.FAIL, "; ".join(problems), figures
    return Verdict.PASS, (f"all {len(acknowledged)} acknowledged likes are in the ledger once; {len(extra & unanswered)} of "
                          f"{len(tally.unanswered)} unanswered attempts were committed, nothing else is there"), figures


def quota_held(ev: Evidence) -> Judgement:
    quota = ev.param("daily_like_quota")
    per_day = Counter((like.liker, like.day) for like in ev.ledger.likes)
    over = {key: n for key, n in per_day.items() if n > quota}
    refused = ev.tally.count(op="posts.like", outcome="quota_exceeded")
    most = max(per_day.values(), default=0)
    figures = {"quota": quota, "most_likes_in_a_day": most, "accounts_over_quota": len(over), "refused_quota_exceeded": refused}
    if over:
        worst = sorted(over.items(), key=lambda kv: -kv[1])
        return Verdict.FAIL, f"{len(over)} accounts liked more than {quota} times in a day: " + _examples(f"{a} {n} on {d}" for (a, d), n in worst), figures
    if most < quota and not refused:
        return Verdict.NOT_TESTED, f"no account reached the quota of {quota} (most: {most}): the traffic never pressed on it", figures
    return Verdict.PASS, f"no account above {quota} likes a day (most: {most}); {refused} likes refused as over quota", figures


def one_like_per_post(ev: Evidence) -> Judgement:
    acked_twice = [like for like, n in Counter(ev.tally.acknowledged).items() if n > 1]
    rows = Counter(like.post for like in ev.ledger.likes)
    rows_twice = [like for like, n in Counter((x.post, x.liker) for x in ev.ledger.likes).items() if n > 1]
    drift = {post: (counter, rows.get(post, 0)) for post, counter in ev.ledger.post_counters.items() if counter != rows.get(post, 0)}
    duplicates_refused = ev.tally.count(op="posts.like", outcome="duplicate")
    figures = {"acknowledged_twice": len(acked_twice), "ledger_duplicates": len(rows_twice), "posts_with_counter_drift": len(drift), "refused_duplicate": duplicates_refused}
    problems = []
    if acked_twice:
        problems.append(f"{len(acked_twice)} (post, liker) pairs were acknowledged more than once: {_examples(sorted(acked_twice))}")
    if rows_twice:
        problems.append(f"{len(rows_twice)} (post, liker) pairs are in the ledger more than once")
    if drift:
        problems.append(f"{len(drift)} posts show a like counter unlike their likes (post: counter vs likes): " + _examples(f"post-{p}: {c} vs {r}" for p, (c, r) in sorted(drift.items())))
    if problems:
        return Verdict.FAIL, "; ".join(problems), figures
    return Verdict.PASS, f"no pair liked twice; every post's counter equals its likes; {duplicates_refused} repeat likes refused", figures


def friendships_within_cap(ev: Evidence) -> Judgement:
    cap = ev.param("friend_cap")
    approved = ev.ledger.approved
    remote = [f.account for f in approved if f.kind == "stranger" and f.method == "remote"]
    pressed = ev.tally.count(op="friends.approve")
    figures = {"cap": cap, "approved_friendships": len(approved), "approvals_tried": pressed, "refused_cap_reached": ev.tally.count(op="friends.approve", outcome="cap_reached"),
               "remote_requests_refused": ev.tally.count(op="friends.request.remote", outcome="not_allowed"), "strangers_added_remotely": len(remote)}
    problems = []
    if len(approved) > cap:
        problems.append(f"{len(approved)} approved friendships, above the cap of {cap}")
    if remote:
        problems.append(f"{len(remote)} strangers became friends through a remote request: {_examples(remote)}")
    if problems:
        return Verdict.FAIL, "; ".join(problems), figures
    if not pressed:
        return Verdict.NOT_TESTED, f"{len(approved)} friendships (cap {cap}), but no stranger traffic pressed on the cap", figures
    return Verdict.PASS, f"{len(approved)} approved friendships, within the cap of {cap}; {figures['refused_cap_reached']} approvals refused at the cap; no stranger added remotely", figures


def bots_throttled(ev: Evidence) -> Judgement:
    burst = ev.param("bot_like_burst")
    times: dict[str, list[float]] = defaultdict(list)
    for like in ev.ledger.likes:
        times[like.liker].append(like.at)
    over: dict[str, int] = {}
    for liker, moments in times.items():
        moments.sort()
        # The throttle's own window: likes in (t - 60 s, t] for every like's time t.
        worst = max(bisect.bisect_right(moments, t) - bisect.bisect_right(moments, t - BOT_WINDOW_S) for t in moments)
        if worst > burst:
            over[liker] = worst
    fast = ev.tally.count(kind="bot", op="posts.like")
    throttled = ev.tally.count(op="posts.like", outcome="throttled")
    figures = {"burst": burst, "window_s": BOT_WINDOW_S, "accounts_over_burst": len(over), "bot_like_attempts": fast, "refused_throttled": throttled}
    if over:
        return Verdict.FAIL, f"{len(over)} accounts got more than {burst} likes within {BOT_WINDOW_S:.0f} s: " + _examples(f"{a} {n}" for a, n in sorted(over.items(), key=lambda kv: -kv[1])), figures
    if not throttled:
        return Verdict.NOT_TESTED, f"no like was throttled ({fast} bot like attempts): nothing pressed on the bot burst of {burst}", figures
    return Verdict.PASS, f"no account above {burst} likes within {BOT_WINDOW_S:.0f} s; {throttled} likes throttled ({fast} bot like attempts)", figures


def account_kept(ev: Evidence) -> Judgement:
    tried = ev.tally.count(op="account.rebind")
    taken = ev.tally.count(op="account.rebind", outcome="ok")
    figures = {"rebind_attempts": tried, "rebinds_acknowledged": taken, "guardian_after": ev.binding.get("guardian")}
    if taken or ev.binding.get("guardian") != ev.guardian:
        return Verdict.FAIL, f"{taken} of {tried} re-bindings without verification were acknowledged; the child is now bound to {ev.binding.get('guardian')!r}, not {ev.guardian!r}", figures
    if not tried:
        return Verdict.NOT_TESTED, "no buyer tried to re-bind the account", figures
    return Verdict.PASS, f"all {tried} re-bindings without verification refused; still bound to {ev.guardian}", figures


CHECKS: dict[str, tuple[tuple[str, ...], Callable[[Evidence], Judgement]]] = {
    "LOAD-1": (("tally", "ledger"), likes_counted_once),
    "LOAD-2": (("tally", "ledger"), quota_held),
    "LOAD-3": (("tally", "ledger"), one_like_per_post),
    "LOAD-4": (("tally", "ledger"), friendships_within_cap),
    "LOAD-5": (("tally", "ledger"), bots_throttled),
    "LOAD-6": (("tally", "binding"), account_kept),
}


def audit(ev: Evidence) -> list[LoadVerdict]:
    """One verdict per LOAD clause, in catalogue order."""
    verdicts = []
    for clause in LOAD_CLAUSES:
        needs, check = CHECKS[clause.id]
        parameters = {n: ev.parameters[n] for n in clause.parameters if n in ev.parameters}
        absent = [f"{piece}: {ev.missing.get(piece, 'not available')}" for piece in needs if getattr(ev, piece) is None]
        if absent:
            verdicts.append(LoadVerdict(clause, Verdict.INCONCLUSIVE, "; ".join(absent), {}, parameters))
            continue
        try:
            verdict, reason, figures = check(ev)
        except Exception as exc:  # a bug of the audit is the harness's, never the device's
            verdict, reason, figures = Verdict.ERROR, f"the audit failed: {type(exc).__name__}: {exc}", {}
        verdicts.append(LoadVerdict(clause, verdict, reason, figures, parameters))
    return verdicts
