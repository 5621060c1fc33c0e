"""The social core's ledger as the reference watch keeps it: its SQLite file, read after the load.

A like is a row of social_likes; each post also keeps a like counter (what the
child sees). Friendships are social_friends. Reading the file (in WAL mode a
reader never blocks the watch) keeps the audit independent of the server that
answered the load.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass
class LedgerLike:
    post: int
    liker: str
    at: float  # trusted time, epoch seconds
    day: str  # the guardian's local day the like counts against


@dataclass
class Friendship:
    account: str
    state: str  # pending / approved
    method: str  # nearby / remote: how it was first asked for
    kind: str | None  # child / stranger account


@dataclass
class Ledger:
    likes: list[LedgerLike]
    post_counters: dict[int, int]  # post -> the counter shown with it
    friendships: list[Friendship]

    @property
    def approved(self) -> list[Friendship]:
        return [f for f in self.friendships if f.state == "approved"]


def read_ledger(db_path: Path) -> Ledger:
    """Read the ledger; raises FileNotFoundError or sqlite3.Error when there is none to read."""
    if not Path(db_path).is_file():
        raise FileNotFoundError(f"no ledger at {db_path}")
    db = sqlite3.connect(str(db_path), timeout=10)
    try:
        likes = [LedgerLike(int(p), str(a), float(t), str(d)) for p, a, t, d in db.execute("SELECT post_seq, liker, at, day FROM social_likes")]
        counters = {int(seq): int(n) for seq, n in db.execute("SELECT seq, likes FROM social_posts")}
        friendships = [
            Friendship(a, s, m, k)
            for a, s, m, k in db.execute("SELECT f.account, f.state, f.method, a.kind FROM social_friends f LEFT JOIN social_accounts a ON a.id = f.account")
        ]
    finally:
        db.close()
    return Ledger(likes, counters, friendships)
