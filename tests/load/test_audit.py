"""The audit's judgement on small, hand-made tallies and ledgers: each LOAD clause passes, fails and gives up for the right reasons."""

from __future__ import annotations

from conformance.load.audit import Evidence, audit
from conformance.load.ledger import Friendship, Ledger, LedgerLike
from conformance.load.tally import Tally
from conformance.verdicts import Verdict

PARAMETERS = {"daily_like_quota": {"value": 3, "layer": "test"}, "bot_like_burst": {"value": 2, "layer": "test"}, "friend_cap": {"value": 2, "layer": "test"}}
T0 = 1_800_000_000.0


def tally(acknowledged=(), unanswered=(), outcomes=None) -> Tally:
    t = Tally()
    t.acknowledged = list(acknowledged)
    t.unanswered = list(unanswered)
    t.outcomes.update(outcomes or {})
    return t


def ledger(likes=(), counters=None, friendships=()) -> Ledger:
    rows = [LedgerLike(p, a, T0 + at, "2027-01-04") for p, a, at in likes]
    if counters is None:
        counters = {}
        for like in rows:
            counters[like.post] = counters.get(like.post, 0) + 1
    return Ledger(rows, counters, list(friendships))


def judged(t: Tally, lg: Ledger | None, binding=None, missing=None) -> dict[str, tuple[Verdict, str]]:
    ev = Evidence(t, lg, binding if binding is not None else {"guardian": "guardian-1"}, PARAMETERS, "guardian-1", missing or {})
    return {v.clause.id: (v.verdict, v.reason) for v in audit(ev)}


PRESSED = {"farmer posts.like quota_exceeded": 1, "bot posts.like throttled": 1, "stranger friends.approve cap_reached": 1, "buyer account.rebind verification_required": 2}


def test_a_clean_run_passes_every_clause():
    likes = [(1, "a", 0), (2, "a", 100), (1, "b", 0)]
    found = judged(tally([(1, "a"), (2, "a"), (1, "b")], outcomes=PRESSED), ledger(likes, friendships=[Friendship("a", "approved", "nearby", "child")]))
    assert {k: v for k, (v, _) in found.items()} == dict.fromkeys(found, Verdict.PASS)


def test_lost_and_extra_likes_fail_load_1_but_unanswered_ones_may_be_in():
    found = judged(tally([(1, "a"), (2, "a")], unanswered=[(3, "a")], outcomes=PRESSED), ledger([(1, "a", 0), (3, "a", 0), (4, "b", 0)]))
    verdict, reason = found["LOAD-1"]
    assert verdict == Verdict.FAIL
    assert "1 acknowledged likes are missing" in reason and "(2, 'a')" in reason
    assert "1 likes in the ledger were never acknowledged" in reason and "(4, 'b')" in reason  # (3, 'a') was unanswered: allowed


def test_over_quota_in_one_day_fails_load_2():
    likes = [(p, "a", p * 100) for p in range(1, 5)]
    verdict, reason = judged(tally([(p, "a") for p in range(1, 5)], outcomes=PRESSED), ledger(likes))["LOAD-2"]
    assert verdict == Verdict.FAIL and "a 4 on 2027-01-04" in reason


def test_counter_drift_and_double_acknowledgement_fail_load_3():
    found = judged(tally([(1, "a"), (1, "a")], outcomes=PRESSED), ledger([(1, "a", 0)], counters={1: 2}))
    verdict, reason = found["LOAD-3"]
    assert verdict == Verdict.FAIL and "acknowledged more than once" in reason and "post-1: 2 vs 1" in reason


def test_cap_and_remote_strangers_fail_load_4():
    friends = [Friendship("a", "approved", "nearby", "child"), Friendship("b", "approved", "nearby", "child"), Friendship("s", "approved", "remote", "stranger")]
    verdict, reason = judged(tally([(1, "a")], outcomes=PRESSED), ledger([(1, "a", 0)], friendships=friends))["LOAD-4"]
    assert verdict == Verdict.FAIL and "above the cap of 2" in reason and "through a remote request: s" in reason


def test_bursts_within_a_minute_fail_load_5_on_the_sliding_window():
    # Three likes within 60 s (burst 2) fail; the same three spread over two minutes pass.
    assert judged(tally([(1, "a")], outcomes=PRESSED), ledger([(1, "a", 0), (2, "a", 30), (3, "a", 59.9)]))["LOAD-5"][0] == Verdict.FAIL
    assert judged(tally([(1, "a")], outcomes=PRESSED), ledger([(1, "a", 0), (2, "a", 30), (3, "a", 60)]))["LOAD-5"][0] == Verdict.PASS


def test_an_account_taken_over_fails_load_6():
    outcomes = dict(PRESSED, **{"buyer account.rebind ok": 1})
    verdict, reason = judged(tally([(1, "a")], outcomes=outcomes), ledger([(1, "a", 0)]), binding={"guardian": "buyer-1-parent"})["LOAD-6"]
    assert verdict == Verdict.FAIL and "'buyer-1-parent'" in reason


def test_untested_and_unreadable_evidence_is_never_a_pass():
    found = judged(tally([(1, "a")]), ledger([(1, "a", 0)]))
    assert {found[c][0] for c in ("LOAD-2", "LOAD-4", "LOAD-5", "LOAD-6")} == {Verdict.NOT_TESTED}
    found = judged(tally([(1, "a")]), None, missing={"ledger": "no --db"})
    assert {found[c][0] for c in ("LOAD-1", "LOAD-2", "LOAD-3", "LOAD-4", "LOAD-5")} == {Verdict.INCONCLUSIVE}
    assert "no --db" in found["LOAD-1"][1]
    assert judged(tally(), ledger())["LOAD-1"][0] == Verdict.INCONCLUSIVE  # nothing acknowledged: nothing to hold against
