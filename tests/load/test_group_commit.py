"""Group commit: a batch of requests in one transaction, each in its own savepoint, answered only after the commit."""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from conformance.emulator_process import start_emulator
from emulator.operations import OPERATIONS, operation
from emulator.rules.social import BOT_LIKE_BURST
from emulator.watch import DEFAULT_TOKEN, ReferenceWatch


def msg(op: str, role: str = "child", account: str | None = None, n: int = 0, **args) -> dict:
    message = {"dtp": 1, "id": f"{op}-{n}", "op": op, "role": role, "args": args, "auth": DEFAULT_TOKEN}
    if account:
        message["account"] = account
    return message


def likes_from_one_liker(watch: ReferenceWatch, count: int) -> tuple[str, list[dict]]:
    [made] = watch.handle_batch([msg("accounts.create", "tester", nickname="Lili", befriend=True)])
    liker = made["result"]["account"]
    posts = watch.handle_batch([msg("posts.create", text=f"p{i}", n=i) for i in range(count)])
    return liker, [msg("posts.like", account=liker, n=i, post_id=p["result"]["post_id"]) for i, p in enumerate(posts)]


def test_a_batch_matches_one_request_at_a_time(tmp_path):
    """The same requests give the same replies and the same ledger, batched or not."""
    batched, single = ReferenceWatch(tmp_path / "a.db"), ReferenceWatch(tmp_path / "b.db")
    liker, likes = likes_from_one_liker(batched, BOT_LIKE_BURST + 3)
    likes_from_one_liker(single, BOT_LIKE_BURST + 3)
    requests_ = likes + [likes[0], msg("posts.like", account=liker, post_id="post-999"), {"dtp": 1, "id": "x", "op": "nope", "role": "child", "auth": DEFAULT_TOKEN}, "not a message"]
    assert batched.handle_batch(requests_) == [single.handle(m) for m in requests_]
    ledger = "SELECT post_seq, liker FROM social_likes ORDER BY post_seq"
    assert batched.store.rows(ledger) and [tuple(r) for r in batched.store.rows(ledger)] == [tuple(r) for r in single.store.rows(ledger)]


def test_a_refused_request_undoes_only_its_own_writes(tmp_path):
    watch = ReferenceWatch(tmp_path / "w.db")
    _, likes = likes_from_one_liker(watch, BOT_LIKE_BURST + 2)
    replies = watch.handle_batch(likes)
    assert [r["ok"] for r in replies] == [True] * BOT_LIKE_BURST + [False, False]
    assert {r["error"]["code"] for r in replies[BOT_LIKE_BURST:]} == {"throttled"}
    # The refused likes' inserts and quota counter bumps are gone; the accepted ones are committed.
    assert watch.store.scalar("SELECT count(*) FROM social_likes") == BOT_LIKE_BURST
    assert watch.store.scalar("SELECT sum(count) FROM social_like_days") == BOT_LIKE_BURST
    assert not watch.store.db.in_transaction


def test_a_failing_handler_costs_only_its_own_request(tmp_path):
    @operation("test.explode", roles=("tester",))
    def explode(w, call):
        w.store.execute("INSERT INTO social_accounts(id, nickname, kind) VALUES('ghost', 'ghost', 'child')")
        raise ZeroDivisionError("boom")

    try:
        watch = ReferenceWatch(tmp_path / "w.db")
        replies = watch.handle_batch([msg("accounts.create", "tester", nickname="Bo"), msg("test.explode", "tester"), msg("accounts.create", "tester", nickname="Mei", n=1)])
        assert [r["ok"] for r in replies] == [True, False, True]
        assert replies[1]["error"]["code"] == "internal"
        assert [r[0] for r in watch.store.rows("SELECT id FROM social_accounts ORDER BY id")] == ["acct-1", "acct-2"]
    finally:
        del OPERATIONS["test.explode"]


def test_concurrent_http_requests_are_batched_and_durable(tmp_path):
    """Many likes at once over HTTP: the quota-style limit holds exactly and every acknowledged like is on disk."""
    db = tmp_path / "w.db"
    with start_emulator(features=["social_feed"], db=db) as emulator:
        url = emulator.address + "/dtp/v1"
        session = requests.Session()
        liker = session.post(url, json=msg("accounts.create", "tester", nickname="Lili", befriend=True)).json()["result"]["account"]
        posts = [session.post(url, json=msg("posts.create", text=f"p{i}")).json()["result"]["post_id"] for i in range(40)]
        barrier = threading.Barrier(len(posts))

        def like(post: str) -> dict:
            with requests.Session() as own:
                barrier.wait(10)  # all at one instant
                return own.post(url, json=msg("posts.like", account=liker, post_id=post), timeout=10).json()

        with ThreadPoolExecutor(len(posts)) as pool:
            replies = list(pool.map(like, posts))
    acknowledged = {r["result"]["post_id"] for r in replies if r["ok"]}
    assert len(acknowledged) == BOT_LIKE_BURST  # the throttle held exactly, however the requests were batched
    assert {r["error"]["code"] for r in replies if not r["ok"]} == {"throttled"}
    with sqlite3.connect(db) as ledger:
        stored = {f"post-{seq}" for (seq,) in ledger.execute("SELECT post_seq FROM social_likes")}
    assert stored == acknowledged
