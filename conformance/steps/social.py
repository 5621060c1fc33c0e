"""Social features: the guardian's switch, friends under the guardian's approval, no rankings, rationed likes,
accounts that cannot be sold, the guardian's view of the friend list, and contact exchange across brands.

Other users are named in the step text: a classmate "Amy" (an account of the
platform, a child), or "the stranger" of the personal-information steps. The
steps map those names to platform accounts and protocol roles, so that one
phrasing serves the child and every other account.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import Declaration
from conformance.steps.common import Attempt, Context, attempt, pass_time
from device_adapters.errors import InconclusiveError, Refused
from device_adapters.watch import Watch

# Another account of the platform, by its name in the step text, or the stranger made by the PRI-6 steps.
OTHER = r'(?P<who>"[^"]+"|the stranger)'
# The child or another account.
ANYONE = r'(?P<who>the child|"[^"]+"|the stranger)'
METHODS = {"nearby": "nearby", "by id": "remote"}

# The profile's bot_like_burst counts likes within one minute.
BOT_WINDOW_S = 60
# The longest a verification code may stay valid after the guardian's app showed it (docs/protocol.md, `guardian.verification_code`).
CODE_LIFETIME_S = 600
# Who buys the account; any guardian account other than the bound one.
BUYER = "buyer-guardian"
# The second watch of a contact exchange (clause 4.18): the emulator or a real watch of another brand plays it.
PEER_NUMBER = "13900000077"
PEER_NICKNAME = "Lanlan"
PEER_BRANDS = ("Lumiwatch", "Kidotime")
# A screen named like this is a ranking whatever it lists (English or Chinese). Whole words only: a
# screen's name is the device's own word, and "Frank's class" or "学习榜样" (role models) rank nothing.
RANKING_NAME = re.compile(r"(?<![a-z])(rank|ranks|ranking|rankings|leaderboards?|top ?\d+)(?![a-z])|排行|排名|[热人]气榜|点赞榜")


# -- accounts and posts ---------------------------------------------------------------


def _accounts(ctx: Context) -> dict[str, tuple[str, str]]:
    """Name in the step text -> (platform account, protocol role it acts in)."""
    return ctx.values.setdefault("accounts", {})


def _account(ctx: Context, who: str) -> tuple[str, str]:
    if who == "the stranger":
        return ctx.values["stranger"], "stranger"
    name = who.strip('"')
    if name not in _accounts(ctx):
        raise KeyError(f"the scenario made no account named {name}")
    return _accounts(ctx)[name]


def _add_account(watch: Watch, ctx: Context, name: str, *, befriend: bool) -> str:
    account = watch.create_account(name, kind="child", befriend=befriend)
    _accounts(ctx)[name] = (account, "child")
    return account


def _posts_of(ctx: Context, name: str) -> list[str]:
    return ctx.values.setdefault("posts", {}).setdefault(name, [])


def _post_as(watch: Watch, ctx: Context, name: str, text: str) -> str:
    """`name` posts `text`; the post is kept under the name."""
    account, role = _account(ctx, f'"{name}"')
    post = watch.create_post(text, role=role, account=account)
    _posts_of(ctx, name).append(post)
    return post


def _child_post(ctx: Context) -> str:
    posts = ctx.values.get("child_posts", [])
    assert posts, "the scenario has the child post nothing before judging the child's post"
    return posts[-1]


def _like(watch: Watch, ctx: Context, who: str, post_id: str) -> dict:
    if who == "the child":
        return watch.like(post_id)
    account, role = _account(ctx, who)
    return watch.like(post_id, role=role, account=account)


def _try_like(watch: Watch, ctx: Context, who: str, post_id: str) -> None:
    """A like the watch may refuse, kept as an attempt."""
    attempt(ctx, f"{who} liking {post_id}", lambda: _like(watch, ctx, who, post_id))


def _next_post(ctx: Context, name: str) -> str:
    """A post of `name` the child has not liked yet."""
    used = ctx.values.setdefault("liked_index", {})
    index = used.get(name, 0)
    posts = _posts_of(ctx, name)
    assert index < len(posts), f"the scenario gave {name} too few posts ({len(posts)}) to like"
    used[name] = index + 1
    return posts[index]


def _human_pause_s(profile: Profile) -> int:
    """Seconds between likes at a human pace: at most half the profile's bot burst in any minute (docs/protocol.md, `posts.like`).

    Half, so that a watch with a stricter throttle than the profile's does not take a child for a bot.
    """
    return BOT_WINDOW_S // max(1, int(profile.param("bot_like_burst")) // 2) + 1


def _until_refused(ctx: Context, parameter: str, limit: int, tries: list[tuple[str, Any]], pause: Any = None) -> None:
    """Try the actions one by one until the watch refuses one (at most `limit` + 1 of them), and keep the run for the Then steps.

    The profile's number is a ceiling (at_most): a watch may refuse sooner, but must refuse by the one past it.
    """
    accepted = 0
    for n, (action, do) in enumerate(tries[: limit + 1]):
        if n and pause is not None:
            pause()
        if not attempt(ctx, action, do).allowed:
            break
        accepted += 1
    ctx.values["run"] = {"parameter": parameter, "accepted": accepted, "tried": min(len(tries), limit + 1), "refused": not ctx.last.allowed}


def _burst_below_quota(profile: Profile) -> int:
    """The bot burst, checked to be below the daily quota: else a throttle cannot be told from the quota."""
    burst, quota = int(profile.param("bot_like_burst")), int(profile.param("daily_like_quota"))
    if burst + 1 > quota:
        raise InconclusiveError(f"the profile's bot-like burst ({burst}) is not below its daily like quota ({quota}): the throttle cannot be told apart from the quota")
    return burst


def _feed_likes(watch: Watch) -> dict[str, int]:
    """post id -> likes, as the child's feed shows them."""
    return {p["post_id"]: p["likes"] for p in watch.feed()}


# -- Given ----------------------------------------------------------------------------


@given(parsers.parse('a classmate "{name}" has an account on the platform'))
def classmate_account(watch: Watch, ctx: Context, name: str) -> None:
    _add_account(watch, ctx, name, befriend=False)


@given(parsers.parse('a classmate "{name}" is the child\'s friend'))
def classmate_friend(watch: Watch, ctx: Context, name: str) -> None:
    """A friendship made nearby in the playground that the guardian approved."""
    _add_account(watch, ctx, name, befriend=True)


@given("the child has made friends until the watch takes no more, at most the profile's friend cap")
def friends_up_to_cap(watch: Watch, profile: Profile, ctx: Context) -> None:
    """Friends approved in the playground, one by one, until the watch's own cap refuses one or the profile's cap is reached.

    The profile's cap is a ceiling: a watch with a lower cap refuses sooner, which the Then steps accept.
    """
    cap, made = int(profile.param("friend_cap")), 0
    for n in range(cap):
        try:
            _add_account(watch, ctx, f"classmate {n + 1}", befriend=True)
        except Refused:
            break
        made += 1
    assert made, "the watch refused the child's first friend: its friend cap cannot be judged"
    ctx.values["friends_made"] = made


@given("the guardian removes one of them")
def guardian_removes_one(watch: Watch, ctx: Context) -> None:
    watch.remove_friend(_account(ctx, '"classmate 1"')[0])
    ctx.values["friends_made"] -= 1


@given(parsers.parse('"{name}" has posted'))
def other_posted(watch: Watch, ctx: Context, name: str) -> None:
    _post_as(watch, ctx, name, f"{name}'s drawing of a cat")


@given(parsers.parse('"{name}" has posted more posts than the child may like in a day'))
def other_posted_many(watch: Watch, profile: Profile, ctx: Context, name: str) -> None:
    # Enough for the whole quota and a burst on top of it.
    for n in range(int(profile.param("daily_like_quota")) + int(profile.param("bot_like_burst"))):
        _post_as(watch, ctx, name, f"{name}'s post {n + 1}")


@given("the child has posted more posts than a bot may like in a minute")
def child_posted_many(watch: Watch, profile: Profile, ctx: Context) -> None:
    for n in range(int(profile.param("bot_like_burst")) + 1):
        ctx.values.setdefault("child_posts", []).append(watch.create_post(f"My homework, page {n + 1}"))


@given(parsers.parse("the child's post has drawn likes from {count:d} friends"))
def child_post_liked(watch: Watch, ctx: Context, count: int) -> None:
    post = _child_post(ctx)
    for n in range(count):
        name = f"fan {n + 1}"
        _add_account(watch, ctx, name, befriend=True)
        _like(watch, ctx, f'"{name}"', post)


@given("the child and two friends have posts with different numbers of likes, an older post having more likes than a newer one")
def posts_with_distinct_likes(watch: Watch, ctx: Context) -> None:
    """Likes that set every account and every post apart, in an order that neither time nor name gives.

    Amy's post (oldest) gets 1 like, Bo's 0, the child's (newest) 2. Accounts: the
    child 2, Amy 1, Bo 0. Newest first the feed reads 2, 0, 1: a conformant feed
    cannot look sorted by likes by chance.
    """
    for name in ("Amy", "Bo"):
        _add_account(watch, ctx, name, befriend=True)
        _post_as(watch, ctx, name, f"{name}'s drawing of a cat")
    mine = watch.create_post("Our class won the relay")
    ctx.values.setdefault("child_posts", []).append(mine)
    _like(watch, ctx, "the child", _posts_of(ctx, "Amy")[0])
    _like(watch, ctx, '"Amy"', mine)
    _like(watch, ctx, '"Bo"', mine)
    child = watch.profile_of_child(role="guardian")
    ctx.values["like_counts"] = {
        "posts": {_posts_of(ctx, "Amy")[0]: 1, _posts_of(ctx, "Bo")[0]: 0, mine: 2},
        "accounts": {
            child["account"]: 2, child["nickname"]: 2,
            _account(ctx, '"Amy"')[0]: 1, "Amy": 1,
            _account(ctx, '"Bo"')[0]: 0, "Bo": 0,
        },
    }


@given("the guardian switches contact exchange off")
def guardian_switches_exchange_off(watch: Watch) -> None:
    watch.set_contact_exchange(False)


# -- When: friends --------------------------------------------------------------------


@when(parsers.re(f"the child asks {OTHER} to be friends (?P<how>nearby|by id)"))
def child_asks_friend(watch: Watch, ctx: Context, who: str, how: str) -> None:
    account, _ = _account(ctx, who)
    attempt(ctx, f"the child asking {who} to be friends {how}", lambda: watch.request_friend(role="child", target=account, method=METHODS[how]))


@when(parsers.re(f"{OTHER} asks the child to be friends (?P<how>nearby|by id)"))
def other_asks_friend(watch: Watch, ctx: Context, who: str, how: str) -> None:
    account, role = _account(ctx, who)
    outcome = attempt(ctx, f"{who} asking the child to be friends {how}", lambda: watch.request_friend(role=role, account=account, method=METHODS[how]))
    ctx.values.setdefault("requests", {})[who] = outcome


def _request_refused(ctx: Context, who: str) -> bool:
    """Whether the watch refused `who`'s friend request outright: a stricter reading the doc allows (`friends.request`)."""
    outcome = ctx.values.get("requests", {}).get(who)
    assert outcome is not None, f"the scenario has {who} ask for nothing before judging the request"
    return not outcome.allowed


@when(parsers.re(f"the guardian approves {OTHER} as a friend"))
def guardian_approves_friend(watch: Watch, ctx: Context, who: str) -> None:
    account, _ = _account(ctx, who)
    attempt(ctx, f"the guardian approving {who} as a friend", lambda: watch.approve_friend(account))


@when(parsers.parse("{count:d} classmates ask the child to be friends nearby, and the guardian approves them all at the same instant"))
def guardian_approves_at_once(watch: Watch, ctx: Context, count: int) -> None:
    """Approvals on separate connections at once (docs/protocol.md section 6.3): the cap must hold for all of them together.

    Several, not two: how many arrive together is up to the network and the device, and one racing pair is enough to show a lost check.
    """
    names = [f"Racer {n}" for n in range(1, count + 1)]
    accounts = [_add_account(watch, ctx, name, befriend=False) for name in names]
    for account in accounts:
        watch.request_friend(role="child", account=account, method="nearby")
    outcomes = watch.concurrently([lambda a=a: watch.approve_friend(a) for a in accounts])
    _keep_concurrent(ctx, [f"the guardian approving {name} as a friend" for name in names], outcomes)


@when(parsers.re(f"the guardian approves {OTHER} as a friend, unless the watch refused the request"))
def guardian_approves_if_asked(watch: Watch, ctx: Context, who: str) -> None:
    if not _request_refused(ctx, who):
        guardian_approves_friend(watch, ctx, who)


@when(parsers.re(f"the child tries to approve {OTHER} as a friend on the watch"))
def child_approves_friend(watch: Watch, ctx: Context, who: str) -> None:
    account, _ = _account(ctx, who)
    attempt(ctx, f"the child approving {who} as a friend", lambda: watch.approve_friend(account, role="child"))


@when(parsers.re(f"the guardian removes {OTHER} from the child's friends"))
def guardian_removes_friend(watch: Watch, ctx: Context, who: str) -> None:
    account, _ = _account(ctx, who)
    watch.remove_friend(account)


# -- When: the social switch ----------------------------------------------------------


@when("the child tries to post")
def child_tries_to_post(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the child posting", lambda: watch.create_post("Look at my new watch"))


@when("the child tries to read the feed")
def child_tries_feed(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the child reading the feed", lambda: {"posts": watch.feed()})


@when("the child tries to switch social features back on")
def child_switches_social_on(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the child switching social features on", lambda: watch.set_social_enabled(True, role="child"))


# -- When: likes ----------------------------------------------------------------------


@when(parsers.parse('the child tries to like "{name}"\'s post'))
def child_tries_like(watch: Watch, ctx: Context, name: str) -> None:
    _try_like(watch, ctx, "the child", _posts_of(ctx, name)[0])


@when(parsers.re(f"{OTHER} tries to like the child's post"))
def other_tries_like_child(watch: Watch, ctx: Context, who: str) -> None:
    _try_like(watch, ctx, who, _child_post(ctx))


@when(parsers.parse('the child likes "{name}"\'s post'))
def child_likes(watch: Watch, ctx: Context, name: str) -> None:
    ctx.values["liked"] = _posts_of(ctx, name)[0]
    watch.like(ctx.values["liked"])


@when(parsers.re(f"{OTHER} likes the child's post"))
def other_likes_child(watch: Watch, ctx: Context, who: str) -> None:
    ctx.values["liked"] = _child_post(ctx)
    _like(watch, ctx, who, ctx.values["liked"])


@when(parsers.re(f"{ANYONE} tries to like it again"))
def likes_again(watch: Watch, ctx: Context, who: str) -> None:
    _try_like(watch, ctx, who, ctx.values["liked"])


@when(parsers.parse('the child likes "{name}"\'s posts to one short of the daily like quota at a human pace'))
def child_likes_at_human_pace(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest, ctx: Context, name: str) -> None:
    # Slower than the bot throttle, so only the quota can refuse.
    count = int(profile.param("daily_like_quota")) - 1
    for n in range(count):
        if n:
            pass_time(watch, declaration, request, _human_pause_s(profile))
        _try_like(watch, ctx, "the child", _next_post(ctx, name))


@when(parsers.parse('the child likes "{name}"\'s posts at a human pace until the watch refuses'))
def child_likes_until_refused(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest, ctx: Context, name: str) -> None:
    quota = int(profile.param("daily_like_quota"))
    tries = [(f"the child liking {p}", lambda p=p: _like(watch, ctx, "the child", p)) for p in (_next_post(ctx, name) for _ in range(quota + 1))]
    _until_refused(ctx, "daily_like_quota", quota, tries, lambda: pass_time(watch, declaration, request, _human_pause_s(profile)))


@when(parsers.parse('the child likes "{name}"\'s posts at one instant until the watch refuses'))
def auto_clicker(watch: Watch, profile: Profile, ctx: Context, name: str) -> None:
    """An auto-clicker: likes with no time between them, up to one more than the profile's burst."""
    burst = _burst_below_quota(profile)
    tries = [(f"the child liking {p} at once", lambda p=p: _like(watch, ctx, "the child", p)) for p in (_next_post(ctx, name) for _ in range(burst + 1))]
    _until_refused(ctx, "bot_like_burst", burst, tries)


@when(parsers.re(f"{OTHER} likes the child's posts within a minute until the watch refuses"))
def bot_likes_child(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest, ctx: Context, who: str) -> None:
    """A like-farming service that paces itself, but still fits one more than the burst into one minute."""
    burst = _burst_below_quota(profile)
    posts = ctx.values.get("child_posts", [])
    assert len(posts) > burst, "the scenario gave the child too few posts for a burst"
    gap = (BOT_WINDOW_S - 1) // burst
    tries = [(f"{who} liking {p}", lambda p=p: _like(watch, ctx, who, p)) for p in posts[: burst + 1]]
    _until_refused(ctx, "bot_like_burst", burst, tries, (lambda: pass_time(watch, declaration, request, gap)) if gap else None)


@when(parsers.parse('the child tries to like another of "{name}"\'s posts a few seconds later'))
def child_likes_later(watch: Watch, declaration: Declaration, profile: Profile, request: pytest.FixtureRequest, ctx: Context, name: str) -> None:
    pass_time(watch, declaration, request, _human_pause_s(profile))
    _try_like(watch, ctx, "the child", _next_post(ctx, name))


def _keep_concurrent(ctx: Context, actions: list[str], outcomes: list) -> None:
    """Concurrent outcomes as attempts: a refusal is an answer; any other failure stops the scenario as it would one call."""
    for action, outcome in zip(actions, outcomes, strict=True):
        if outcome.error is not None and not isinstance(outcome.error, Refused):
            raise outcome.error
        ctx.attempts.append(Attempt(action, outcome.value if outcome.error is None else None, outcome.error))


@when(parsers.parse('the child sends {count:d} likes on "{name}"\'s posts at the same instant'))
def child_likes_at_once(watch: Watch, profile: Profile, ctx: Context, count: int, name: str) -> None:
    """Likes sent truly in parallel, each on its own connection (Watch.concurrently); below the bot burst, so only the quota can refuse."""
    assert count <= _burst_below_quota(profile), f"the scenario's burst of {count} likes is not below the profile's bot-like burst"
    posts = [_next_post(ctx, name) for _ in range(count)]
    outcomes = watch.concurrently([lambda p=p: watch.like(p) for p in posts])
    _keep_concurrent(ctx, [f"the child liking {p} in a parallel burst" for p in posts], outcomes)


# -- When: re-binding -----------------------------------------------------------------


@when("a buyer tries to re-bind the watch without the guardian's verification")
def buyer_rebinds_unverified(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "a buyer re-binding the watch without verification", lambda: watch.rebind(new_guardian=BUYER))


@when("a buyer tries to re-bind the watch with a guessed verification code")
def buyer_rebinds_guessed(watch: Watch, ctx: Context) -> None:
    # A code one digit off the real one: wrong for sure, and as close as a guess gets.
    real = watch.guardian_verification_code()
    guess = real[:-1] + ("1" if real[-1:] == "0" else "0")
    attempt(ctx, "a buyer re-binding the watch with a guessed code", lambda: watch.rebind(new_guardian=BUYER, verification=guess))


@when("the guardian gives a buyer the verification code and the buyer re-binds the watch")
def buyer_rebinds_verified(watch: Watch) -> None:
    watch.rebind(new_guardian=BUYER, verification=watch.guardian_verification_code())


@when("the former guardian tries to bind the watch again")
def former_guardian_binds(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    former = declaration.ixit["guardian"]["account"]
    attempt(ctx, "the former guardian binding the watch back", lambda: watch.bind_guardian(account=former))


@when("the former guardian's app asks the watch for a verification code")
def former_guardian_asks_code(watch: Watch, ctx: Context) -> None:
    # With a code, the former guardian could approve its own re-binding: the watch shows it to the bound guardian only.
    # A guardian call without an account comes from the declared guardian (docs/protocol.md), the former one by now.
    attempt(ctx, "the former guardian's app asking for a verification code", watch.guardian_verification_code)


@when("the child factory-resets the watch with a code the guardian's app shows")
def child_resets_with_shown_code(watch: Watch, ctx: Context) -> None:
    # The child watched the guardian type it in: the same code is then tried for a re-binding.
    ctx.values["seen_code"] = code = watch.guardian_verification_code()
    watch.factory_reset(guardian_password=code)


@when("a buyer tries to re-bind the watch with that same code")
def buyer_rebinds_with_used_code(watch: Watch, ctx: Context) -> None:
    code = ctx.values["seen_code"]
    attempt(ctx, "a buyer re-binding the watch with a code already used", lambda: watch.rebind(new_guardian=BUYER, verification=code))


@when(parsers.parse("a buyer tries to re-bind the watch with a code the guardian's app showed {minutes:d} minutes ago"))
def buyer_rebinds_with_old_code(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, ctx: Context, minutes: int) -> None:
    assert minutes * 60 > CODE_LIFETIME_S, f"the scenario's code is not older than a code may live ({CODE_LIFETIME_S} s)"
    code = watch.guardian_verification_code()
    pass_time(watch, declaration, request, minutes * 60)
    attempt(ctx, f"a buyer re-binding the watch with a code shown {minutes} minutes ago", lambda: watch.rebind(new_guardian=BUYER, verification=code))


# -- When: contact exchange -----------------------------------------------------------


def _peer_brand(declaration: Declaration) -> str:
    """A brand that is not the device's own, so the exchange really crosses brands."""
    own = f"{declaration.manufacturer} {declaration.model}".lower()
    return next(b for b in PEER_BRANDS if b.lower() not in own)


@when("the child tries to exchange number and nickname with a nearby watch of another brand")
def child_exchanges(watch: Watch, declaration: Declaration, ctx: Context) -> None:
    brand = _peer_brand(declaration)
    attempt(ctx, f"exchanging contacts with a {brand} watch", lambda: watch.exchange_contact(peer_number=PEER_NUMBER, peer_nickname=PEER_NICKNAME, peer_brand=brand))


@when("the child tries to switch contact exchange back on")
def child_switches_exchange_on(watch: Watch, ctx: Context) -> None:
    attempt(ctx, "the child switching contact exchange on", lambda: watch.set_contact_exchange(True, role="child"))


# -- Then -----------------------------------------------------------------------------


@then(parsers.re(f"{OTHER} is not among the child's friends"))
def not_a_friend(watch: Watch, ctx: Context, who: str) -> None:
    account, _ = _account(ctx, who)
    # Both views: a defect may hide a friend from one of them.
    for role in ("guardian", "child"):
        assert account not in watch.friends(role=role), f"{who} ({account}) is on the child's friend list as the {role} sees it"


@then(parsers.re(f"{OTHER} is among the child's friends in the guardian's app"))
def a_friend(watch: Watch, ctx: Context, who: str) -> None:
    account, _ = _account(ctx, who)
    friends = watch.friends(role="guardian")
    assert account in friends, f"{who} ({account}) is missing from the guardian's friend list {friends}"


@then(parsers.re(f"{OTHER} is among the child's friends in the guardian's app, unless the watch refused the request"))
def a_friend_if_asked(watch: Watch, ctx: Context, who: str) -> None:
    if _request_refused(ctx, who):
        not_a_friend(watch, ctx, who)
    else:
        a_friend(watch, ctx, who)


@then("the guardian's friend list shows every friend on the child's watch")
def guardian_sees_all_friends(watch: Watch) -> None:
    hidden = sorted(set(watch.friends(role="child")) - set(watch.friends(role="guardian")))
    assert not hidden, f"the child's watch has friends the guardian's app does not show: {hidden}"


@then("the guardian's friend list holds no more friends than the profile's friend cap")
def within_friend_cap(watch: Watch, profile: Profile) -> None:
    cap, friends = int(profile.param("friend_cap")), watch.friends(role="guardian")
    assert len(friends) <= cap, f"the child has {len(friends)} friends, above the profile's cap of {cap}"


@then(parsers.re(f"{OTHER} no longer sees the child's posts"))
def no_longer_sees_posts(watch: Watch, ctx: Context, who: str) -> None:
    account, role = _account(ctx, who)
    mine = set(ctx.values.get("child_posts", []))
    try:
        feed = watch.feed(role=role, account=account)
    except Refused:
        feed = []  # a refused feed shows nothing, so none of the child's posts either
    seen = [p["post_id"] for p in feed if p["post_id"] in mine]
    assert not seen, f"{who} still sees the child's posts {seen}"


RUN_LIMITS = {"daily like quota": "daily_like_quota", "profile's bot-like burst": "bot_like_burst"}


@then(parsers.re(r"the watch accepted no more likes than the (?P<limit>daily like quota|profile's bot-like burst) before refusing"))
def run_within_limit(profile: Profile, ctx: Context, limit: str) -> None:
    run, parameter = ctx.values.get("run"), RUN_LIMITS[limit]
    assert run and run["parameter"] == parameter, f"the scenario made no run of likes against the {limit}"
    allowed = int(profile.param(parameter))
    assert run["refused"], f"the watch accepted all {run['tried']} likes, one more than the profile's {limit} of {allowed}"
    assert profile.admits(parameter, run["accepted"]), f"the watch accepted {run['accepted']} likes before refusing, above the profile's {limit} of {allowed}"


@then("the child has no more friends than the watch took before")
def friends_within_observed_cap(watch: Watch, ctx: Context) -> None:
    """Against the cap the watch itself showed when it refused (the profile's, or its own lower one)."""
    cap = ctx.values["friends_made"] + 1
    friends = watch.friends(role="guardian")
    assert len(friends) <= cap, f"after approvals at the same instant at one short of the cap, the child has {len(friends)} friends; the watch had refused a friend at {cap}"


@then("every like before it was allowed")
def earlier_likes_allowed(ctx: Context) -> None:
    refused = [f"{a.action}: {a.refusal}" for a in ctx.attempts[:-1] if not a.allowed]
    assert not refused, "likes at a pace and number the profile allows were refused: " + "; ".join(refused)


@then(parsers.parse('"{name}"\'s posts show no more likes in all than the daily like quota'))
def likes_within_quota(watch: Watch, profile: Profile, ctx: Context, name: str) -> None:
    # Only the child can like them (friends of the child are not friends of each other), so their total is the child's count.
    likes = _feed_likes(watch)
    total, quota = sum(likes.get(p, 0) for p in _posts_of(ctx, name)), int(profile.param("daily_like_quota"))
    assert total <= quota, f"the child gave {total} likes today, above the profile's daily quota of {quota}"


@then("the post shows a single like")
def single_like(watch: Watch, ctx: Context) -> None:
    post = ctx.values["liked"]
    likes = _feed_likes(watch)
    assert post in likes, f"{post} is not in the child's feed"
    assert likes[post] == 1, f"{post} shows {likes[post]} likes after one account liked it twice"


def _strings(value: Any) -> set[str]:
    """Every string in an entry, however nested: ids and nicknames wherever the screen keeps them."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value))
    return set()


def _known_likes(entry: Any, counts: dict[str, dict[str, int]]) -> int | None:
    """The likes the scenario gave what `entry` shows: a post, else an account; None when it shows neither."""
    names = _strings(entry)
    for kind in ("posts", "accounts"):
        hits = {counts[kind][s] for s in names if s in counts[kind]}
        if len(hits) == 1:
            return hits.pop()
    return None


@then("no screen of the social app ranks accounts or posts by likes")
def no_rankings(watch: Watch, ctx: Context) -> None:
    """By the data: the scenario knows every like; a screen listing three or more of them in falling order ranks them.

    The screen need not show the numbers: the order alone is the ranking. Three
    entries at least, so that two friends in name order are not taken for one.
    """
    counts = ctx.values["like_counts"]
    for surface in watch.social_surfaces():
        title = f"{surface.get('name', '')} {surface.get('kind', '')}".strip()
        assert not RANKING_NAME.search(title.lower()), f"the social app has a ranking screen: {title}"
        order = [n for n in (_known_likes(e, counts) for e in surface.get("entries", [])) if n is not None]
        falling = len(order) >= 3 and all(a > b for a, b in zip(order, order[1:], strict=False))
        assert not falling, f"the screen '{title}' lists accounts or posts by likes received, most first: {surface.get('entries')}"


@then("the watch is bound to the buyer")
def bound_to_buyer(watch: Watch) -> None:
    binding = watch.guardian_binding()
    assert binding.get("guardian") == BUYER, f"after a verified re-binding the binding is {binding}"


@then("the child's posts and the likes they drew are gone")
def posts_and_likes_gone(watch: Watch, ctx: Context) -> None:
    feed = watch.feed()
    kept = [p for p in feed if p["post_id"] in set(ctx.values.get("child_posts", []))]
    liked = [p for p in feed if p["likes"]]
    assert not kept and not liked, f"the sold account kept the child's posts or likes: {kept or liked}"


@then("the other watch has received the child's number and nickname")
def peer_received(ctx: Context) -> None:
    last = ctx.last
    assert last.allowed and last.result is not None, f"no exchange took place: {last.refusal}"
    sent = last.result.get("sent") or {}
    assert sent.get("number") and sent.get("nickname"), f"the other watch did not get the child's number and nickname: {last.result}"


def _peer_contacts(watch: Watch) -> list[dict]:
    return [c for c in watch.contacts() if c.get("number") == PEER_NUMBER]


@then("the guardian's contact list holds the other watch's number and nickname")
def guardian_has_peer(watch: Watch) -> None:
    contacts = _peer_contacts(watch)
    assert contacts, f"the exchanged number {PEER_NUMBER} is not in the guardian's contact list"
    names = {c.get("name") or c.get("nickname") for c in contacts}
    assert PEER_NICKNAME in names, f"the exchanged contact lacks its nickname {PEER_NICKNAME}: {contacts}"


@then("the guardian's contact list does not hold the other watch's number")
def guardian_lacks_peer(watch: Watch) -> None:
    contacts = _peer_contacts(watch)
    assert not contacts, f"the exchange went through although the guardian switched it off: {contacts}"
