"""Social features: other users, friends, posts and likes, the social app's screens, account re-binding, cross-brand contact exchange.

Children's watches became small social networks: likes are farmed, bots like at
inhuman rates, accounts with many likes are sold, and strangers reach children.
The conformant watch keeps friends under the guardian's approval, rations
likes, shows no rankings, refuses to hand an account over without the
guardian, and shows strangers nothing of the child.

Friendships are those of the watch's own child; other accounts (classmates,
strangers, buyers) are platform users the tester creates.
"""

from __future__ import annotations

from emulator.defects import defect, variant
from emulator.operations import Refusal, operation
from emulator.rules.device import new_code, on_wipe, use_verification_code, wipe_child_data
from emulator.rules.privacy import guard_child_data
from emulator.store import table
from emulator.watch import CHILD, Call, ReferenceWatch, gate, on_reset

table("CREATE TABLE IF NOT EXISTS social_accounts (id TEXT PRIMARY KEY, nickname TEXT NOT NULL, kind TEXT NOT NULL)")
table("CREATE TABLE IF NOT EXISTS social_friends (account TEXT PRIMARY KEY, state TEXT NOT NULL, method TEXT NOT NULL, at REAL NOT NULL)")
table("CREATE TABLE IF NOT EXISTS social_posts (seq INTEGER PRIMARY KEY AUTOINCREMENT, author TEXT NOT NULL, text TEXT NOT NULL, at REAL NOT NULL, likes INTEGER NOT NULL DEFAULT 0)")
# One like per liker per post is the UNIQUE constraint itself, so it holds however requests interleave.
table("CREATE TABLE IF NOT EXISTS social_likes (post_seq INTEGER NOT NULL, liker TEXT NOT NULL, at REAL NOT NULL, day TEXT NOT NULL, UNIQUE(post_seq, liker))")
table("CREATE INDEX IF NOT EXISTS social_likes_by_liker ON social_likes(liker, at)")
table("CREATE INDEX IF NOT EXISTS social_posts_by_author ON social_posts(author)")
# The daily quota is a counter bumped in the same transaction as the like it admits.
table("CREATE TABLE IF NOT EXISTS social_like_days (liker TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY(liker, day))")

# The firmware's own constants (the platform-social profile layer says what is acceptable).
FRIEND_CAP = 150
DAILY_LIKE_QUOTA = 20
BOT_LIKE_BURST = 10  # likes one liker may give within BOT_WINDOW_SECONDS
BOT_WINDOW_SECONDS = 60
CHILD_NICKNAME = "Xiaoming"
WATCH_NUMBER = "13800000042"
WATCH_BRAND = "reference"
ANONYMOUS_STRANGER = "stranger"
METHODS = ("nearby", "remote")

# What a stricter maker's firmware keeps instead (lower numbers, no friend requests at a distance at all).
STRICTER_LIMITS = {"friend_cap": 100, "daily_like_quota": 15, "bot_like_burst": 7}

STRICTER = variant(
    "stricter_social",
    f"Lower friend cap, like quota and bot-like burst ({', '.join(f'{k} {v}' for k, v in STRICTER_LIMITS.items())}), and no friend request by id from anyone: every friendship starts nearby and waits for the guardian.",
)

SWITCH_IGNORED = defect("social_switch_ignored", ["CSW-SOC-1"], "Switching social features off in the guardian's app changes nothing on the watch.")
NO_APPROVAL = defect("friends_without_approval", ["CSW-SOC-2"], "A friend request becomes a friendship at once, without the guardian's approval.", collateral={'CSW-SOC-6': 'a friend the guardian removed comes straight back without the guardian'})
REMOTE_STRANGER = defect("remote_stranger_add", ["CSW-SOC-2"], "Strangers can be added (and can add the child) remotely, by id or search.")
CAP_IGNORED = defect("friend_cap_ignored", ["CSW-SOC-2"], "No friend cap: approvals go through beyond the firmware's cap.")
LEADERBOARD = defect("likes_leaderboard", ["CSW-SOC-3"], "The social app has a 'Top likes' leaderboard of accounts ranked by likes received.")
RENAMED_RANKING = defect("rankings_renamed", ["CSW-SOC-3"], "A 'Star wall' screen shows accounts sorted by likes received: a leaderboard under another name.")
QUOTA_IGNORED = defect("like_quota_ignored", ["CSW-SOC-4"], "No daily like quota: a child can like all day.")
DUPLICATE_LIKES = defect("duplicate_likes", ["CSW-SOC-4"], "Liking the same post again adds another like (the counter is bumped without checking who liked).")
NOT_THROTTLED = defect("bots_not_throttled", ["CSW-SOC-4"], "Likes at inhuman rates (bots, auto-clickers) are not throttled.")
QUOTA_RACE = defect(
    "like_quota_race",
    ["CSW-SOC-4"],
    "The quota is judged on likes committed before the current second (a cached count refreshed each second), so a burst at one instant, as a concurrent load makes, passes the quota.",
)
QUOTA_BATCH_RACE = defect(
    "like_quota_batch_race",
    ["CSW-SOC-4"],
    "Likes that arrive together are judged against the day's count as it was when their batch began (a count read once per group commit), so parallel likes at the quota all pass.",
    needs_transport="http",
)
QUOTA_OFF_BY_ONE = defect("like_quota_off_by_one", ["CSW-SOC-4"], "The quota is compared with the likes given before this one as `>` instead of `>=`: one like past the quota slips through each day.")
CAP_BATCH_RACE = defect(
    "friend_cap_batch_race",
    ["CSW-SOC-2"],
    "Approvals that arrive together are judged against the friend count as it was when their batch began, so parallel approvals at the cap all pass.",
    needs_transport="http",
)
MUTUAL_AUTO_APPROVE = defect("mutual_request_approves", ["CSW-SOC-2"], "When the child asks an account that already asked the child, the friendship is made at once, without the guardian.")
REBIND_UNVERIFIED = defect("rebind_without_verification", ["CSW-SOC-5"], "The child's account can be re-bound to another guardian without the current guardian's verification.")
REBIND_KEEPS_LIKES = defect("rebind_keeps_likes", ["CSW-SOC-5"], "Re-binding wipes the watch's data but moves the child's posts and the likes they received to the new guardian.")
FRIENDS_HIDDEN = defect("friend_list_hidden", ["CSW-SOC-6"], "The guardian's friend list omits friends the child added nearby (watches bumped together).", collateral={'CSW-SOC-2': "the guardian's approval is judged by the friend list the guardian sees"})
REMOVE_IGNORED = defect("remove_friend_ignored", ["CSW-SOC-6"], "Removing a friend in the guardian's app is acknowledged but the friendship stays.")
EXCHANGE_UNCONTROLLED = defect("exchange_uncontrolled", ["CSW-SOC-7"], "Contact exchange works even after the guardian switched it off.")
EXCHANGE_BRAND_LOCKED = defect("exchange_brand_locked", ["CSW-SOC-7"], "Contact exchange works only with watches of the same brand.")
STRANGER_POSTS = defect("stranger_sees_posts", ["CSW-PRI-6"], "Strangers see the child's posts in their feed.")
STRANGER_PROFILE = defect("stranger_sees_profile", ["CSW-PRI-6"], "Strangers can open the child's profile.")
ANONYMOUS_FEED = defect("anonymous_reader_gets_child_feed", ["CSW-PRI-6"], "A reader with no account is served the child's own feed (the anonymous viewer falls through to the watch's child).")


@on_reset
def _baseline(w: ReferenceWatch, args: dict) -> None:
    w.store.put_doc("social", {"enabled": True, "exchange_enabled": True})


def _limit(w: ReferenceWatch, name: str, reference: int) -> int:
    """One of the firmware's social numbers: the reference's, or the stricter maker's."""
    return STRICTER_LIMITS[name] if w.varies(STRICTER) else reference


def _as_batch_began(w: ReferenceWatch, key: tuple, count: int) -> int:
    """The racy read of the batch-race defects: `count` as the first request of this batch saw it."""
    return w.batch_memo.setdefault(key, count)


def _settings(w: ReferenceWatch) -> dict:
    return w.store.doc("social", {"enabled": True, "exchange_enabled": True})


def social_on(w: ReferenceWatch) -> bool:
    """Whether the child's social features are on, as the watch enforces it (always, when the switch is ignored)."""
    return bool(_settings(w)["enabled"]) or w.defective(SWITCH_IGNORED)


@gate
def _social_switch(w: ReferenceWatch, call: Call, app_id: str) -> None:
    if app_id == "social" and not social_on(w):
        raise Refusal("disabled", "the guardian switched social features off")


def account_kind(w: ReferenceWatch, account: str) -> str | None:
    """'child' or 'stranger' for a platform account, None when there is no such account."""
    return w.store.scalar("SELECT kind FROM social_accounts WHERE id = ?", (account,))


def _actor(w: ReferenceWatch, call: Call) -> tuple[str, str]:
    """(account id, kind) of whoever calls: the watch's child, another child account, or a stranger."""
    if call.is_own_child:
        return CHILD, "child"
    if call.account is None:
        if call.role == "stranger":
            return ANONYMOUS_STRANGER, "stranger"
        raise Refusal("bad_request", f"{call.op}: {call.role} needs an account")
    kind = account_kind(w, call.account)
    if kind is None:
        raise Refusal("not_found", f"no account {call.account}")
    # Whoever the harness presents as a stranger is one, whatever kind of account they hold.
    return call.account, "stranger" if call.role == "stranger" else kind


def _friend_state(w: ReferenceWatch, account: str) -> str | None:
    return w.store.scalar("SELECT state FROM social_friends WHERE account = ?", (account,))


def _approve(w: ReferenceWatch, account: str) -> None:
    """Make `account` an approved friend of the child, within the friend cap."""
    if _friend_state(w, account) == "approved":
        return
    cap = _limit(w, "friend_cap", FRIEND_CAP)
    friends = w.store.scalar("SELECT count(*) FROM social_friends WHERE state = 'approved'")
    if w.defective(CAP_BATCH_RACE):
        friends = _as_batch_began(w, ("friends",), friends)
    if not w.defective(CAP_IGNORED) and friends >= cap:
        raise Refusal("cap_reached", f"the child already has {cap} friends")
    w.store.execute("UPDATE social_friends SET state = 'approved' WHERE account = ?", (account,))


def _request(w: ReferenceWatch, account: str, method: str, *, from_child: bool = False) -> str:
    state = _friend_state(w, account)
    if state is None:
        w.store.execute("INSERT INTO social_friends(account, state, method, at) VALUES(?, 'pending', ?, ?)", (account, method, w.now))
    # The defect: the other side's earlier request is taken as consent enough, the guardian's is never asked.
    mutual = from_child and state == "pending" and w.defective(MUTUAL_AUTO_APPROVE)
    if state != "approved" and (w.defective(NO_APPROVAL) or mutual):
        _approve(w, account)
    return _friend_state(w, account) or "pending"


@operation("accounts.create", roles=("tester",))
def accounts_create(w: ReferenceWatch, call: Call) -> dict:
    nickname, kind = call.arg("nickname", str), call.arg("kind", str, "child")
    if kind not in ("child", "stranger"):
        raise Refusal("bad_request", "kind must be 'child' or 'stranger'")
    # Accounts are never deleted short of a full reset, so the count numbers them uniquely.
    account = f"acct-{w.store.scalar('SELECT count(*) FROM social_accounts') + 1}"
    w.store.execute("INSERT INTO social_accounts(id, nickname, kind) VALUES(?, ?, ?)", (account, nickname, kind))
    if call.arg("befriend", bool, False):
        # A friendship the guardian already approved, made in the playground.
        _request(w, account, "nearby")
        _approve(w, account)
    return {"account": account}


@operation("social.set_enabled", roles=("guardian",), feature="social_feed")
def social_set_enabled(w: ReferenceWatch, call: Call) -> dict:
    settings = _settings(w)
    settings["enabled"] = call.arg("enabled", bool)
    w.store.put_doc("social", settings)
    return {}


# -- friends ------------------------------------------------------------------------


@operation("friends.request", roles=("child", "stranger"), app="social", feature="social_feed")
def friends_request(w: ReferenceWatch, call: Call) -> dict:
    method = call.arg("method", str, "nearby")
    if method not in METHODS:
        raise Refusal("bad_request", "method must be 'nearby' or 'remote'")
    target = call.arg("target", str, "child")
    if call.is_own_child:
        other, kind = target, account_kind(w, target)
        if kind is None:
            raise Refusal("not_found", f"no account {target}")
    else:
        if target not in ("child", CHILD):
            raise Refusal("bad_request", "requests from other accounts go to the watch's child")
        other, kind = _actor(w, call)
        if not social_on(w):
            raise Refusal("disabled", "the child's social features are off")
    # No adding strangers at a distance: only a stranger met in person can even ask the guardian.
    if method == "remote" and kind == "stranger" and _friend_state(w, other) != "approved" and not w.defective(REMOTE_STRANGER):
        raise Refusal("not_allowed", "strangers cannot be added remotely")
    if method == "remote" and w.varies(STRICTER) and _friend_state(w, other) != "approved":
        raise Refusal("not_allowed", "friendships start nearby")
    if other == ANONYMOUS_STRANGER:
        raise Refusal("bad_request", "a stranger needs an account to ask for friendship")
    return {"state": _request(w, other, method, from_child=call.is_own_child)}


def _named_account(call: Call) -> str:
    """The account a guardian acts on: the Watch API names it in the request's `account` field (an `account` argument also works)."""
    return call.account if call.account is not None else call.arg("account", str)


@operation("friends.approve", roles=("guardian",), feature="social_feed", guardian_account="acted_upon")
def friends_approve(w: ReferenceWatch, call: Call) -> dict:
    account = _named_account(call)
    if _friend_state(w, account) is None:
        raise Refusal("not_found", f"no friend request from {account}")
    _approve(w, account)
    return {"state": "approved"}


@operation("friends.list", roles=("guardian", "child"), app="social", feature="social_feed")
def friends_list(w: ReferenceWatch, call: Call) -> dict:
    if call.role == "child" and not call.is_own_child:
        raise Refusal("denied", "only the child and the guardian see the child's friends")
    hide_nearby = call.role == "guardian" and w.defective(FRIENDS_HIDDEN)
    sql = "SELECT account FROM social_friends WHERE state = 'approved'" + (" AND method != 'nearby'" if hide_nearby else "") + " ORDER BY at, account"
    return {"friends": [r["account"] for r in w.store.rows(sql)]}


@operation("friends.remove", roles=("guardian",), feature="social_feed", guardian_account="acted_upon")
def friends_remove(w: ReferenceWatch, call: Call) -> dict:
    account = _named_account(call)
    if _friend_state(w, account) is None:
        raise Refusal("not_found", f"{account} is not a friend of the child")
    if not w.defective(REMOVE_IGNORED):
        w.store.execute("DELETE FROM social_friends WHERE account = ?", (account,))
    return {}


# -- posts and likes ----------------------------------------------------------------


def _post_id(seq: int) -> str:
    return f"post-{seq}"


def _post_seq(post_id: str) -> int:
    prefix, _, number = post_id.partition("-")
    if prefix != "post" or not (number.isascii() and number.isdigit()):
        raise Refusal("not_found", f"no post {post_id}")
    return int(number)


def _can_see(w: ReferenceWatch, viewer: str, kind: str, author: str) -> bool:
    """Whether `viewer` may see (and so like) a post by `author`."""
    if viewer == author:
        return True
    if author == CHILD:
        if kind == "stranger":
            return w.defective(STRANGER_POSTS)
        return social_on(w) and _friend_state(w, viewer) == "approved"
    if viewer == CHILD:
        return _friend_state(w, author) == "approved"
    return False  # other users' posts among themselves are not this watch's business


def _feed_rows(w: ReferenceWatch, viewer: str, kind: str) -> list:
    if viewer == CHILD or (viewer == ANONYMOUS_STRANGER and w.defective(ANONYMOUS_FEED)):
        return w.store.rows(
            "SELECT * FROM social_posts WHERE author = ? OR author IN (SELECT account FROM social_friends WHERE state = 'approved') ORDER BY seq DESC",
            (CHILD,),
        )
    show_child = int(_can_see(w, viewer, kind, CHILD))
    return w.store.rows("SELECT * FROM social_posts WHERE author = ? OR (? AND author = ?) ORDER BY seq DESC", (viewer, show_child, CHILD))


def _describe(row) -> dict:
    return {"post_id": _post_id(row["seq"]), "author": row["author"], "text": row["text"], "likes": row["likes"]}


@operation("posts.create", roles=("child",), app="social", feature="social_feed")
def posts_create(w: ReferenceWatch, call: Call) -> dict:
    author, _ = _actor(w, call)
    text = call.arg("text", str)
    if not text.strip():
        raise Refusal("bad_request", "a post needs text")
    seq = w.store.scalar("INSERT INTO social_posts(author, text, at) VALUES(?, ?, ?) RETURNING seq", (author, text, w.now))
    return {"post_id": _post_id(seq)}


@operation("posts.feed", roles=("child", "stranger"), app="social", feature="social_feed")
def posts_feed(w: ReferenceWatch, call: Call) -> dict:
    viewer, kind = _actor(w, call)
    # Newest first: like counts are shown, but nothing is ordered by them.
    return {"posts": [_describe(r) for r in _feed_rows(w, viewer, kind)]}


@operation("posts.like", roles=("child", "stranger"), app="social", feature="social_feed")
def posts_like(w: ReferenceWatch, call: Call) -> dict:
    """One like: visibility, one per post, the daily quota, the bot throttle, all in this one transaction."""
    liker, kind = _actor(w, call)
    seq = _post_seq(call.arg("post_id", str))
    author = w.store.scalar("SELECT author FROM social_posts WHERE seq = ?", (seq,))
    if author is None:
        raise Refusal("not_found", f"no post {call.args['post_id']}")
    if not _can_see(w, liker, kind, author):
        raise Refusal("denied", "this post is not shown to you")
    now = w.now
    day = w.day(now)
    # Insert first: the UNIQUE constraint decides duplicates; any refusal below rolls the insert back.
    inserted = w.store.execute("INSERT INTO social_likes(post_seq, liker, at, day) VALUES(?, ?, ?, ?) ON CONFLICT DO NOTHING", (seq, liker, now, day)).rowcount
    if not inserted and not w.defective(DUPLICATE_LIKES):
        raise Refusal("duplicate", "one like per post")
    given = w.store.scalar(
        "INSERT INTO social_like_days(liker, day, count) VALUES(?, ?, 1) ON CONFLICT(liker, day) DO UPDATE SET count = count + 1 RETURNING count", (liker, day)
    )
    if w.defective(QUOTA_RACE):
        # The racy check: a count of likes committed before this second, blind to the current burst.
        given = w.store.scalar("SELECT count(*) FROM social_likes WHERE liker = ? AND day = ? AND at < ?", (liker, day, float(int(now)))) + 1
    if w.defective(QUOTA_BATCH_RACE):
        given = _as_batch_began(w, ("likes", liker, day), given - 1) + 1
    if w.defective(QUOTA_OFF_BY_ONE):
        given -= 1
    quota, burst = _limit(w, "daily_like_quota", DAILY_LIKE_QUOTA), _limit(w, "bot_like_burst", BOT_LIKE_BURST)
    if given > quota and not w.defective(QUOTA_IGNORED):
        raise Refusal("quota_exceeded", f"{quota} likes a day")
    recent = w.store.scalar("SELECT count(*) FROM social_likes WHERE liker = ? AND at > ?", (liker, now - BOT_WINDOW_SECONDS))
    if recent > burst and not w.defective(NOT_THROTTLED):
        raise Refusal("throttled", f"more than {burst} likes in {BOT_WINDOW_SECONDS} s")
    likes = w.store.scalar("UPDATE social_posts SET likes = likes + 1 WHERE seq = ? RETURNING likes", (seq,))
    return {"post_id": _post_id(seq), "likes": likes}


# -- the social app's screens ---------------------------------------------------------


def _likes_received(w: ReferenceWatch) -> list[dict]:
    """The child and its friends with the likes their posts received, most first: what a ranking shows."""
    rows = w.store.rows(
        """SELECT p.author AS account, coalesce(a.nickname, ?) AS nickname, sum(p.likes) AS likes
           FROM social_posts p LEFT JOIN social_accounts a ON a.id = p.author
           WHERE p.author = ? OR p.author IN (SELECT account FROM social_friends WHERE state = 'approved')
           GROUP BY p.author ORDER BY likes DESC, p.author""",
        (CHILD_NICKNAME, CHILD),
    )
    return [dict(r) for r in rows]


@operation("social.surfaces", roles=("child",), app="social", feature="social_feed")
def social_surfaces(w: ReferenceWatch, call: Call) -> dict:
    """Every screen of the social app with what it lists, in the order it lists it."""
    if not call.is_own_child:
        raise Refusal("denied", "only the watch's child uses its social app")
    friends = w.store.rows(
        "SELECT f.account, coalesce(a.nickname, f.account) AS nickname FROM social_friends f LEFT JOIN social_accounts a ON a.id = f.account WHERE f.state = 'approved' ORDER BY nickname, f.account"
    )
    surfaces = [
        {"name": "Moments", "kind": "feed", "entries": [_describe(r) for r in _feed_rows(w, CHILD, "child")]},
        {"name": "Friends", "kind": "friends", "entries": [dict(r) for r in friends]},
    ]
    if w.defective(LEADERBOARD):
        surfaces.append({"name": "Top likes", "kind": "ranking", "entries": [{"rank": i + 1, **e} for i, e in enumerate(_likes_received(w))]})
    if w.defective(RENAMED_RANKING):
        surfaces.append({"name": "Star wall", "kind": "showcase", "entries": _likes_received(w)})
    return {"surfaces": surfaces}


@operation("rankings.get", roles=("child",), app="social", feature="social_feed")
def rankings_get(w: ReferenceWatch, call: Call) -> dict:
    if w.defective(LEADERBOARD):
        return {"rankings": _likes_received(w)}
    raise Refusal("unsupported", "the watch has no rankings")


# -- the child's profile and account --------------------------------------------------


@operation("profile.get", roles=("child", "guardian", "stranger"))
def profile_get(w: ReferenceWatch, call: Call) -> dict:
    if not (call.role == "stranger" and w.defective(STRANGER_PROFILE)):
        guard_child_data(w, call, "profile")
    likes = w.store.scalar("SELECT coalesce(sum(likes), 0) FROM social_posts WHERE author = ?", (CHILD,))
    friends = w.store.scalar("SELECT count(*) FROM social_friends WHERE state = 'approved'")
    return {"account": CHILD, "nickname": CHILD_NICKNAME, "age": w.store.doc("device")["child_age"], "friends": friends, "likes_received": likes}


@on_wipe
def _wipe_social(w: ReferenceWatch) -> None:
    """The child's friends, posts, and likes given and received go with the child's data."""
    w.store.execute(
        "UPDATE social_posts SET likes = max(0, likes - (SELECT count(*) FROM social_likes l WHERE l.post_seq = social_posts.seq AND l.liker = ?)) WHERE author != ?",
        (CHILD, CHILD),
    )
    w.store.execute("DELETE FROM social_likes WHERE liker = ? OR post_seq IN (SELECT seq FROM social_posts WHERE author = ?)", (CHILD, CHILD))
    w.store.execute("DELETE FROM social_posts WHERE author = ?", (CHILD,))
    w.store.execute("DELETE FROM social_like_days WHERE liker = ?", (CHILD,))
    w.store.execute("DELETE FROM social_friends")


@operation("account.rebind", roles=("stranger", "guardian"), feature="social_feed", guardian_account="candidate")
def account_rebind(w: ReferenceWatch, call: Call) -> dict:
    """Move the child's account to another guardian: only with the current guardian's code, and never with the child's data."""
    new_guardian = call.arg("new_guardian", str)
    if not use_verification_code(w, call.arg("verification", str, None)) and not w.defective(REBIND_UNVERIFIED):
        raise Refusal("verification_required", "the current guardian must verify a re-binding")
    binding = w.store.doc("binding")
    # The defective platform carries the sold asset across: the posts and the likes they received.
    kept = w.store.rows("SELECT * FROM social_posts WHERE author = ?", (CHILD,)) if w.defective(REBIND_KEEPS_LIKES) else []
    kept_likes = w.store.rows("SELECT l.* FROM social_likes l JOIN social_posts p ON p.seq = l.post_seq WHERE p.author = ?", (CHILD,)) if kept else []
    wipe_child_data(w)
    for row in kept:
        w.store.execute("INSERT INTO social_posts(seq, author, text, at, likes) VALUES(?, ?, ?, ?, ?)", tuple(row))
    for row in kept_likes:
        w.store.execute("INSERT INTO social_likes(post_seq, liker, at, day) VALUES(?, ?, ?, ?)", tuple(row))
    binding["guardian"] = new_guardian
    new_code(w, binding)
    w.store.put_doc("binding", binding)
    return {"rebound": True, "data_wiped": True}


# -- cross-brand contact exchange (clause 4.18) -------------------------------------------


@operation("contacts.set_exchange", roles=("guardian",))
def contacts_set_exchange(w: ReferenceWatch, call: Call) -> dict:
    settings = _settings(w)
    settings["exchange_enabled"] = call.arg("enabled", bool)
    w.store.put_doc("social", settings)
    return {}


@operation("contacts.exchange", roles=("child",))
def contacts_exchange(w: ReferenceWatch, call: Call) -> dict:
    """Swap number and nickname with a nearby watch of any brand, if the guardian allows it."""
    if not call.is_own_child:
        raise Refusal("denied", "only the watch's child exchanges contacts from it")
    number, nickname, brand = call.arg("peer_number", str), call.arg("peer_nickname", str), call.arg("peer_brand", str)
    if not number.strip() or not nickname.strip():
        raise Refusal("bad_request", "the peer's number and nickname (peer_number, peer_nickname) are needed")
    if not _settings(w)["exchange_enabled"] and not w.defective(EXCHANGE_UNCONTROLLED):
        raise Refusal("disabled", "the guardian switched contact exchange off")
    if brand != WATCH_BRAND and w.defective(EXCHANGE_BRAND_LOCKED):
        raise Refusal("unsupported", f"no exchange with {brand} watches")
    # A guardian-entered contact keeps its name; the exchange only adds new numbers.
    w.store.execute("INSERT INTO contacts(number, name, source) VALUES(?, ?, 'exchange') ON CONFLICT(number) DO NOTHING", (number, nickname))
    return {"sent": {"number": WATCH_NUMBER, "nickname": CHILD_NICKNAME}, "received": {"number": number, "nickname": nickname, "brand": brand}}
