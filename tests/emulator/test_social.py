"""The reference watch's social rules (friends, posts, likes, screens, re-binding, contact exchange), stranger visibility, and their defects."""

from __future__ import annotations

import pytest

from emulator.rules.social import (
    BOT_LIKE_BURST,
    DAILY_LIKE_QUOTA,
    FRIEND_CAP,
    WATCH_BRAND,
)
from emulator.watch import ALL_FEATURES, CHILD


def account(device, nickname: str = "Lili", kind: str = "child", befriend: bool = False) -> str:
    return device.ok("accounts.create", "tester", nickname=nickname, kind=kind, befriend=befriend)["account"]


def friend_with_posts(device, count: int) -> list[str]:
    """A befriended classmate who posted `count` times; returns the post ids."""
    classmate = account(device, befriend=True)
    return [device.ok("posts.create", account=classmate, text=f"post {i}")["post_id"] for i in range(count)]


def like_all(device, post_ids: list[str], **who) -> list[dict]:
    return [device.send("posts.like", post_id=p, **who) for p in post_ids]


# -- accounts and the social switch (SOC-1) ---------------------------------------------


def test_accounts_are_created_by_the_tester_only(device):
    first, second = account(device), account(device, "Uncle", kind="stranger")
    assert first != second
    assert device.refused("accounts.create", "tester", nickname="x", kind="robot") == "bad_request"
    assert device.refused("accounts.create", "child", nickname="x") == "denied"


def test_guardian_switch_turns_every_social_operation_off(device):
    post = device.ok("posts.create", text="hello")["post_id"]
    classmate = account(device)
    device.ok("social.set_enabled", "guardian", enabled=False)
    assert device.refused("posts.create", text="again") == "disabled"
    assert device.refused("posts.feed") == "disabled"
    assert device.refused("posts.like", post_id=post) == "disabled"
    assert device.refused("friends.request", target=classmate) == "disabled"
    assert device.refused("friends.list") == "disabled"
    assert device.refused("social.surfaces") == "disabled"
    assert device.refused("apps.open", app_id="social") == "disabled"
    assert device.refused("friends.request", account=classmate, target="child") == "disabled"
    assert device.ok("emergency.call")["connected"] is True
    device.ok("social.set_enabled", "guardian", enabled=True)
    device.ok("posts.feed")


def test_child_cannot_switch_social_on(device):
    assert device.refused("social.set_enabled", "child", enabled=True) == "denied"


def test_social_switch_ignored_defect(make_device):
    device = make_device(defects=["social_switch_ignored"])
    device.ok("social.set_enabled", "guardian", enabled=False)
    device.ok("posts.create", text="still here")


def test_model_without_social_feed(make_device):
    device = make_device(features=[f for f in ALL_FEATURES if f != "social_feed"])
    assert device.refused("posts.feed") == "unsupported"
    assert device.refused("social.set_enabled", "guardian", enabled=False) == "unsupported"
    assert device.ok("profile.get", "guardian")["age"] == 9


# -- friends (SOC-2, SOC-6) ---------------------------------------------------------


def test_friendship_waits_for_the_guardian(device):
    classmate, other = account(device), account(device, "Bo")
    assert device.ok("friends.request", target=classmate, method="nearby")["state"] == "pending"
    assert device.ok("friends.request", account=other, target="child", method="remote")["state"] == "pending"
    assert device.ok("friends.list", "guardian")["friends"] == []
    assert device.ok("friends.approve", "guardian", account=classmate)["state"] == "approved"
    assert device.ok("friends.list", "guardian")["friends"] == [classmate]
    assert device.ok("friends.list")["friends"] == [classmate]
    assert device.ok("friends.request", target=classmate)["state"] == "approved"
    assert device.refused("friends.approve", "guardian", account="acct-999") == "not_found"
    assert device.refused("friends.approve", "child", account=other) == "denied"
    assert device.refused("friends.request", target="acct-999") == "not_found"
    assert device.refused("friends.request", target=classmate, method="telepathy") == "bad_request"
    assert device.refused("friends.request", account=other, target=classmate) == "bad_request"


def test_friends_without_approval_defect(make_device):
    device = make_device(defects=["friends_without_approval"])
    classmate = account(device)
    assert device.ok("friends.request", target=classmate)["state"] == "approved"
    assert device.ok("friends.list", "guardian")["friends"] == [classmate]


def test_no_remote_adding_of_strangers(device):
    stranger = account(device, "Uncle", kind="stranger")
    assert device.refused("friends.request", "stranger", account=stranger, target="child", method="remote") == "not_allowed"
    assert device.refused("friends.request", target=stranger, method="remote") == "not_allowed"
    assert device.refused("friends.request", "stranger", target="child", method="remote") == "not_allowed"
    assert device.ok("friends.request", "stranger", account=stranger, target="child", method="nearby")["state"] == "pending"
    assert device.ok("friends.list", "guardian")["friends"] == []


def test_a_stranger_already_a_friend_may_be_reached_remotely(device):
    known = account(device, "Neighbour", kind="stranger", befriend=True)
    assert device.ok("friends.request", target=known, method="remote")["state"] == "approved"


def test_remote_stranger_add_defect(make_device):
    device = make_device(defects=["remote_stranger_add"])
    stranger = account(device, "Uncle", kind="stranger")
    assert device.ok("friends.request", "stranger", account=stranger, target="child", method="remote")["state"] == "pending"


def _fill_to_cap(device) -> str:
    for i in range(FRIEND_CAP):
        account(device, f"friend {i}", befriend=True)
    extra = account(device, "one too many")
    device.ok("friends.request", target=extra)
    return extra


def test_friend_cap_is_enforced_at_approval(device):
    extra = _fill_to_cap(device)
    assert device.refused("friends.approve", "guardian", account=extra) == "cap_reached"
    assert len(device.ok("friends.list", "guardian")["friends"]) == FRIEND_CAP
    assert device.refused("accounts.create", "tester", nickname="again", befriend=True) == "cap_reached"


def test_friend_cap_ignored_defect(make_device):
    device = make_device(defects=["friend_cap_ignored"])
    extra = _fill_to_cap(device)
    device.ok("friends.approve", "guardian", account=extra)
    assert len(device.ok("friends.list", "guardian")["friends"]) == FRIEND_CAP + 1


def test_guardian_removes_a_friend(device):
    classmate = account(device, befriend=True)
    device.ok("posts.create", account=classmate, text="hi")
    device.ok("friends.remove", "guardian", account=classmate)
    assert device.ok("friends.list", "guardian")["friends"] == []
    assert device.ok("posts.feed")["posts"] == []
    assert device.refused("friends.remove", "guardian", account=classmate) == "not_found"
    assert device.refused("friends.remove", "child", account=classmate) == "denied"


def test_remove_friend_ignored_defect(make_device):
    device = make_device(defects=["remove_friend_ignored"])
    classmate = account(device, befriend=True)
    device.ok("friends.remove", "guardian", account=classmate)
    assert device.ok("friends.list", "guardian")["friends"] == [classmate]


def test_friend_list_of_another_account_is_denied(device):
    other = account(device)
    assert device.refused("friends.list", account=other) == "denied"
    assert device.refused("friends.list", "stranger") == "denied"


def test_friend_list_hidden_defect(make_device):
    device = make_device(defects=["friend_list_hidden"])
    nearby = account(device, befriend=True)
    remote = account(device, "Bo")
    device.ok("friends.request", target=remote, method="remote")
    device.ok("friends.approve", "guardian", account=remote)
    assert device.ok("friends.list", "guardian")["friends"] == [remote]
    assert sorted(device.ok("friends.list")["friends"]) == sorted([nearby, remote])


# -- posts and who sees them (PRI-6) ---------------------------------------------------


def test_feed_shows_own_and_friends_posts_newest_first(device):
    classmate = account(device, befriend=True)
    outsider = account(device, "Bo")
    mine = device.ok("posts.create", text="my drawing")["post_id"]
    theirs = device.ok("posts.create", account=classmate, text="my cat")["post_id"]
    device.ok("posts.create", account=outsider, text="not a friend")
    posts = device.ok("posts.feed")["posts"]
    assert [p["post_id"] for p in posts] == [theirs, mine]
    assert posts[1] == {"post_id": mine, "author": CHILD, "text": "my drawing", "likes": 0}
    assert [p["post_id"] for p in device.ok("posts.feed", account=classmate)["posts"]] == [theirs, mine]
    assert [p["text"] for p in device.ok("posts.feed", account=outsider)["posts"]] == ["not a friend"]
    assert device.refused("posts.create", text="   ") == "bad_request"
    assert device.refused("posts.create", account="acct-999", text="x") == "not_found"
    assert device.refused("posts.create", "stranger", text="x") == "denied"


def test_strangers_see_none_of_the_childs_posts(device):
    stranger = account(device, "Uncle", kind="stranger")
    post = device.ok("posts.create", text="at the park")["post_id"]
    assert device.ok("posts.feed", "stranger", account=stranger)["posts"] == []
    assert device.ok("posts.feed", "stranger")["posts"] == []
    assert device.refused("posts.like", "stranger", account=stranger, post_id=post) == "denied"


def test_stranger_sees_posts_defect(make_device):
    device = make_device(defects=["stranger_sees_posts"])
    device.ok("posts.create", text="at the park")
    assert [p["text"] for p in device.ok("posts.feed", "stranger")["posts"]] == ["at the park"]


# -- likes (SOC-4) -------------------------------------------------------------------------


def test_one_like_per_post(device):
    post = device.ok("posts.create", text="hello")["post_id"]
    classmate = account(device, befriend=True)
    assert device.ok("posts.like", account=classmate, post_id=post) == {"post_id": post, "likes": 1}
    assert device.refused("posts.like", account=classmate, post_id=post) == "duplicate"
    assert device.ok("posts.like", post_id=post)["likes"] == 2
    assert device.ok("posts.feed")["posts"][0]["likes"] == 2
    assert device.refused("posts.like", post_id="post-999") == "not_found"
    assert device.refused("posts.like", post_id="nonsense") == "not_found"
    assert device.refused("posts.like", account=account(device, "Bo"), post_id=post) == "denied"


def test_duplicate_likes_defect(make_device):
    device = make_device(defects=["duplicate_likes"])
    post = device.ok("posts.create", text="hello")["post_id"]
    classmate = account(device, befriend=True)
    device.ok("posts.like", account=classmate, post_id=post)
    assert device.ok("posts.like", account=classmate, post_id=post)["likes"] == 2


def _like_spread(device, posts: list[str]) -> list[dict]:
    """Like posts in bursts the bot throttle allows, with a minute between bursts."""
    replies = []
    for start in range(0, len(posts), BOT_LIKE_BURST):
        replies += like_all(device, posts[start:start + BOT_LIKE_BURST])
        device.ok("clock.advance", "tester", seconds=61)
    return replies


def test_daily_like_quota(device):
    posts = friend_with_posts(device, DAILY_LIKE_QUOTA + 5)
    replies = _like_spread(device, posts[:DAILY_LIKE_QUOTA])
    assert all(r["ok"] for r in replies)
    assert device.refused("posts.like", post_id=posts[DAILY_LIKE_QUOTA]) == "quota_exceeded"
    device.ok("clock.advance", "tester", seconds=86400)
    device.ok("posts.like", post_id=posts[DAILY_LIKE_QUOTA])


def test_refused_like_is_not_counted(device):
    post = device.ok("posts.create", text="hello")["post_id"]
    posts = friend_with_posts(device, 3)
    device.ok("posts.like", post_id=post)
    for _ in range(5):
        device.refused("posts.like", post_id=post)
    assert all(r["ok"] for r in like_all(device, posts))
    assert device.ok("posts.feed")["posts"][-1]["likes"] == 1


def test_like_quota_ignored_defect(make_device):
    device = make_device(defects=["like_quota_ignored"])
    posts = friend_with_posts(device, DAILY_LIKE_QUOTA + 5)
    assert all(r["ok"] for r in _like_spread(device, posts))


def test_bots_are_throttled(device):
    posts = friend_with_posts(device, BOT_LIKE_BURST + 2)
    replies = like_all(device, posts)
    assert all(r["ok"] for r in replies[:BOT_LIKE_BURST])
    assert replies[BOT_LIKE_BURST]["error"]["code"] == "throttled"
    device.ok("clock.advance", "tester", seconds=60)
    device.ok("posts.like", post_id=posts[BOT_LIKE_BURST])


def test_bots_not_throttled_defect(make_device):
    device = make_device(defects=["bots_not_throttled"])
    posts = friend_with_posts(device, BOT_LIKE_BURST + 2)
    assert all(r["ok"] for r in like_all(device, posts))


def _quota_burst(device) -> list[dict]:
    """19 likes spread out, then a burst of 10 at one instant (what concurrent requests look like)."""
    posts = friend_with_posts(device, 29)
    assert all(r["ok"] for r in _like_spread(device, posts[:19]))
    return like_all(device, posts[19:])


def test_quota_holds_for_a_burst_at_one_instant(device):
    replies = _quota_burst(device)
    assert [r["ok"] for r in replies] == [True] + [False] * 9
    assert {r["error"]["code"] for r in replies[1:]} == {"quota_exceeded"}


def test_like_quota_race_defect(make_device):
    device = make_device(defects=["like_quota_race"])
    assert all(r["ok"] for r in _quota_burst(device))


def test_likes_of_other_accounts_have_their_own_quota(device):
    post = device.ok("posts.create", text="hello")["post_id"]
    likers = [account(device, f"c{i}", befriend=True) for i in range(BOT_LIKE_BURST + 3)]
    assert all(device.ok("posts.like", account=a, post_id=post) for a in likers)
    assert device.ok("posts.feed")["posts"][0]["likes"] == len(likers)


# -- the social app's screens (SOC-3) ---------------------------------------------------


def _popular(device) -> tuple[str, str]:
    """A quiet friend's post, then the child's post liked by three friends: (quiet friend, the most liked account)."""
    quiet = account(device, "Quiet", befriend=True)
    fans = [account(device, f"fan {i}", befriend=True) for i in range(3)]
    hit = device.ok("posts.create", text="hit")["post_id"]
    device.ok("posts.create", account=quiet, text="quiet")
    for fan in fans:
        device.ok("posts.like", account=fan, post_id=hit)
    return quiet, CHILD


def test_surfaces_rank_nothing_by_likes(device):
    _popular(device)
    surfaces = device.ok("social.surfaces")["surfaces"]
    assert [(s["name"], s["kind"]) for s in surfaces] == [("Moments", "feed"), ("Friends", "friends")]
    assert [(e["text"], e["likes"]) for e in surfaces[0]["entries"]] == [("quiet", 0), ("hit", 3)]  # newest first, not most liked
    assert all("likes" not in e for e in surfaces[1]["entries"])
    assert device.refused("rankings.get") == "unsupported"
    assert device.refused("social.surfaces", account=account(device)) == "denied"


def test_likes_leaderboard_defect(make_device):
    device = make_device(defects=["likes_leaderboard"])
    _, star = _popular(device)
    board = next(s for s in device.ok("social.surfaces")["surfaces"] if s["name"] == "Top likes")
    assert board["entries"][0]["account"] == star and board["entries"][0]["likes"] == 3
    assert device.ok("rankings.get")["rankings"][0]["account"] == star


def test_rankings_renamed_defect(make_device):
    device = make_device(defects=["rankings_renamed"])
    _, star = _popular(device)
    wall = next(s for s in device.ok("social.surfaces")["surfaces"] if s["name"] == "Star wall")
    likes = [e["likes"] for e in wall["entries"]]
    assert wall["entries"][0]["account"] == star and likes == sorted(likes, reverse=True)
    assert device.refused("rankings.get") == "unsupported"


# -- the child's profile (PRI-6) ---------------------------------------------------------


def test_profile_is_shown_to_the_child_and_guardian_only(device):
    profile = device.ok("profile.get", "guardian")
    assert profile["nickname"] and profile["age"] == 9
    assert device.ok("profile.get")["account"] == CHILD
    stranger = account(device, "Uncle", kind="stranger")
    assert device.refused("profile.get", "stranger", account=stranger) == "denied"
    assert device.refused("profile.get", "stranger") == "denied"
    assert device.refused("profile.get", account=account(device)) == "denied"


def test_stranger_sees_profile_defect(make_device):
    device = make_device(defects=["stranger_sees_profile"])
    assert device.ok("profile.get", "stranger")["age"] == 9


# -- re-binding (SOC-5) --------------------------------------------------------------------


def _liked_child(device) -> str:
    classmate = account(device, befriend=True)
    post = device.ok("posts.create", text="famous")["post_id"]
    device.ok("posts.like", account=classmate, post_id=post)
    return classmate


def test_rebind_needs_the_guardians_code_and_wipes_likes(device):
    classmate = _liked_child(device)
    theirs = device.ok("posts.create", account=classmate, text="theirs")["post_id"]
    device.ok("posts.like", post_id=theirs)
    buyer = "buyer-guardian"
    assert device.refused("account.rebind", "stranger", account=buyer, new_guardian=buyer) == "verification_required"
    assert device.refused("account.rebind", "stranger", account=buyer, new_guardian=buyer, verification="000000") == "verification_required"
    code = device.ok("guardian.verification_code", "guardian")["code"]
    assert device.ok("account.rebind", "stranger", account=buyer, new_guardian=buyer, verification=code) == {"rebound": True, "data_wiped": True}
    assert device.ok("guardian.binding", "tester")["guardian"] == buyer
    assert device.ok("posts.feed")["posts"] == []
    assert device.ok("friends.list")["friends"] == []
    assert device.ok("posts.feed", account=classmate)["posts"][0]["likes"] == 0  # the like the child gave is gone too
    # The old code is spent: a new guardian means a new code.
    assert device.refused("account.rebind", "stranger", account="next", new_guardian="next", verification=code) == "verification_required"


def test_guardian_rebinds_with_its_code(device):
    code = device.ok("guardian.verification_code", "guardian")["code"]
    device.ok("account.rebind", "guardian", account="grandma", new_guardian="grandma", verification=code)
    assert device.ok("guardian.binding", "tester")["guardian"] == "grandma"


def test_rebind_without_verification_defect(make_device):
    device = make_device(defects=["rebind_without_verification"])
    device.ok("account.rebind", "stranger", account="buyer", new_guardian="buyer")
    assert device.ok("guardian.binding", "tester")["guardian"] == "buyer"


def test_rebind_keeps_likes_defect(make_device):
    device = make_device(defects=["rebind_keeps_likes"])
    _liked_child(device)
    code = device.ok("guardian.verification_code", "guardian")["code"]
    device.ok("account.rebind", "stranger", account="buyer", new_guardian="buyer", verification=code)
    assert [p["likes"] for p in device.ok("posts.feed")["posts"]] == [1]


def test_factory_reset_wipes_posts_too(device):
    device.ok("posts.create", text="hello")
    device.ok("device.factory_reset", "guardian")
    assert device.ok("posts.feed")["posts"] == []


# -- contact exchange across brands (SOC-7, clause 4.18) ------------------------------------


def test_exchange_with_another_brand(device):
    reply = device.ok("contacts.exchange", peer_number="13900000007", peer_nickname="Dandan", peer_brand="other-brand")
    assert reply["received"] == {"number": "13900000007", "nickname": "Dandan", "brand": "other-brand"}
    assert reply["sent"]["number"] and reply["sent"]["nickname"]
    contacts = device.ok("contacts.list", "guardian")["contacts"]
    assert {"number": "13900000007", "name": "Dandan", "source": "exchange"} in contacts
    assert device.ok("calls.incoming", "tester", number="13900000007")["rang"] is True


def test_exchange_keeps_a_guardian_contact_as_it_is(device):
    device.ok("contacts.add", "guardian", number="13900000007", name="Aunt")
    device.ok("contacts.exchange", peer_number="13900000007", peer_nickname="Dandan", peer_brand=WATCH_BRAND)
    assert {"number": "13900000007", "name": "Aunt", "source": "guardian"} in device.ok("contacts.list", "guardian")["contacts"]


def test_guardian_switches_exchange_off(device):
    device.ok("contacts.set_exchange", "guardian", enabled=False)
    assert device.refused("contacts.exchange", peer_number="13900000007", peer_nickname="Dandan", peer_brand="other-brand") == "disabled"
    assert device.refused("contacts.set_exchange", "child", enabled=True) == "denied"
    assert device.refused("contacts.exchange", account=account(device), peer_number="1", peer_nickname="x", peer_brand="b") == "denied"
    assert device.refused("contacts.exchange", peer_number="", peer_nickname="x", peer_brand="b") == "bad_request"
    device.ok("contacts.set_exchange", "guardian", enabled=True)
    device.ok("contacts.exchange", peer_number="13900000007", peer_nickname="Dandan", peer_brand="other-brand")


def test_exchange_uncontrolled_defect(make_device):
    device = make_device(defects=["exchange_uncontrolled"])
    device.ok("contacts.set_exchange", "guardian", enabled=False)
    device.ok("contacts.exchange", peer_number="13900000007", peer_nickname="Dandan", peer_brand="other-brand")


@pytest.mark.parametrize("brand, works", [("other-brand", False), (WATCH_BRAND, True)])
def test_exchange_brand_locked_defect(make_device, brand, works):
    device = make_device(defects=["exchange_brand_locked"])
    reply = device.send("contacts.exchange", peer_number="13900000007", peer_nickname="Dandan", peer_brand=brand)
    assert reply["ok"] is works
    if not works:
        assert reply["error"]["code"] == "unsupported"
