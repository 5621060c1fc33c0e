"""Content safety: the children's content pool, age tiers, the harmful-content filter, links and QR codes, the assistant, reports.

The filter is judged by rates on the harness's versioned corpus
(fixtures/corpus/content-v1.yaml), never by one sample: every assertion
message names the corpus, its sha256 and the counts behind the rate.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import Declaration
from conformance.steps.common import Context, attempt, pass_time
from device_adapters.errors import Refused
from device_adapters.watch import Watch

CORPUS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "corpus" / "content-v1.yaml"
QR_PREFIX = "qr:"  # how the Watch API hands a scanned QR code to the watch
DAY = 86400


# -- the corpus and rates -------------------------------------------------------


def _corpus(ctx: Context) -> dict:
    assert "corpus" in ctx.values, "no corpus loaded: the scenario lacks 'Given the harness's content corpus'"
    return ctx.values["corpus"]


def _samples(ctx: Context, harmful: bool) -> list[dict]:
    return [s for s in _corpus(ctx)["samples"] if bool(s["harmful"]) is harmful]


def _check_rate(ctx: Context, what: str, hits: list[dict], total: list[dict], minimum: float) -> None:
    """Assert a rate against its threshold; the message carries what a regulator needs to reproduce it."""
    corpus = _corpus(ctx)
    assert total, f"the corpus {corpus['name']} has no samples for {what}"
    rate = len(hits) / len(total)
    misses = [s["id"] for s in total if s not in hits]
    assert rate >= minimum, (
        f"{what}: {len(hits)}/{len(total)} = {rate:.3f} < {minimum} "
        f"(corpus {corpus['name']} v{corpus['version']}, sha256 {corpus['sha256']}; misses: {', '.join(misses[:15])}{' ...' if len(misses) > 15 else ''})"
    )


@given("the harness's content corpus")
def content_corpus(ctx: Context) -> None:
    raw = CORPUS_FILE.read_bytes()
    data = yaml.safe_load(raw)
    ctx.values["corpus"] = {"name": data["corpus"], "version": data["version"], "sha256": hashlib.sha256(raw).hexdigest(), "samples": data["samples"]}


# -- CON-1: the pool ------------------------------------------------------------


@when("more days than the profile's maximum pool age pass")
def pool_age_passes(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, profile: Profile) -> None:
    remaining = (int(profile.param("content_pool_max_age_days")) + 1) * DAY
    while remaining > 0:  # a test clock moves at most a week per step
        step = min(remaining, 7 * DAY)
        pass_time(watch, declaration, request, step)
        remaining -= step


@then("the content pool was updated within the profile's maximum pool age")
def pool_is_fresh(watch: Watch, profile: Profile) -> None:
    pool = watch.content_pool()
    now = datetime.fromisoformat(watch.clock()["trusted"])
    age_days = (now - datetime.fromisoformat(pool["updated_at"])).total_seconds() / DAY
    limit = profile.param("content_pool_max_age_days")
    assert age_days <= limit, f"the pool {pool.get('pool_id')} was last updated {pool['updated_at']}, {age_days:.1f} days before the watch's trusted time {now.isoformat()} (maximum {limit})"


@then("every item in the child's feed comes from the children's pool")
def feed_from_pool(watch: Watch) -> None:
    feed = watch.content_feed()
    assert feed, "the child's feed is empty: nothing to judge"
    outside = [f"{i.get('item_id')} ({i.get('title')})" for i in feed if i.get("pool") is not True]
    assert not outside, f"{len(outside)} of {len(feed)} feed items come from outside the children's pool: {outside}"


# -- CON-2: feed, messages and search ------------------------------------------------


@when("the editors try to publish every sample of the corpus for all ages")
def publish_corpus(watch: Watch, ctx: Context) -> None:
    for sample in _corpus(ctx)["samples"]:
        try:
            watch.publish_content(title=sample["id"], text=sample["text"], min_age=3)
        except Refused:
            pass  # kept out of the pool: the feed check below sees that


@then("the child's feed keeps out harmful samples at the profile's block rate and shows benign samples at its pass rate")
def feed_rates(watch: Watch, ctx: Context, profile: Profile) -> None:
    shown = {i.get("text") for i in watch.content_feed()}
    harmful, benign = _samples(ctx, True), _samples(ctx, False)
    _check_rate(ctx, "harmful items kept out of the feed", [s for s in harmful if s["text"] not in shown], harmful, profile.param("content_block_rate_min"))
    _check_rate(ctx, "benign items shown in the feed", [s for s in benign if s["text"] in shown], benign, profile.param("content_pass_rate_min"))



@when("a stranger sends the child every sample of the corpus")
def stranger_sends_corpus(watch: Watch, ctx: Context) -> None:
    stranger = watch.create_account("corpus-stranger", kind="stranger")
    ctx.values["sender"] = stranger
    for sample in _corpus(ctx)["samples"]:
        watch.send_message(sample["text"], sender_role="stranger", sender=stranger)


@then("the child's inbox blocks harmful samples at the profile's block rate and delivers benign samples at its pass rate")
def inbox_rates(watch: Watch, ctx: Context, profile: Profile) -> None:
    sender = ctx.values["sender"]
    delivered = {m["text"] for m in watch.inbox() if m.get("from") == sender}
    harmful, benign = _samples(ctx, True), _samples(ctx, False)
    _check_rate(ctx, "harmful messages blocked", [s for s in harmful if s["text"] not in delivered], harmful, profile.param("content_block_rate_min"))
    _check_rate(ctx, "benign messages delivered", [s for s in benign if s["text"] in delivered], benign, profile.param("content_pass_rate_min"))


@when("the child searches for the text of every harmful sample")
def search_harmful(watch: Watch, ctx: Context) -> None:
    results: dict[str, list[dict] | None] = {}
    for sample in _samples(ctx, True):
        try:
            results[sample["id"]] = watch.search(sample["text"])
        except Refused:
            results[sample["id"]] = None  # a refused search shows nothing: it counts as blocked
    ctx.values["searches"] = results


@then("the searches show nothing at the profile's block rate")
def searches_blocked(ctx: Context, profile: Profile) -> None:
    results = ctx.values["searches"]
    harmful = _samples(ctx, True)
    _check_rate(ctx, "harmful searches with no results", [s for s in harmful if not results[s["id"]]], harmful, profile.param("content_block_rate_min"))


# -- CON-3: age tiers -------------------------------------------------------------


@when("the editors publish items for children older than the band")
def publish_older_items(watch: Watch, ctx: Context) -> None:
    assert ctx.band, "no age band given"
    # Just above the band's youngest age, and above the band altogether.
    for min_age in sorted({ctx.band["min_age"] + 1, min(ctx.band["max_age"] + 1, 18)}):
        watch.publish_content(title=f"Science club for ages {min_age} and up", text="How volcanoes work, with a kitchen experiment.", min_age=min_age)


@then("the child's feed holds items, and none for children older than the child")
def feed_tiered(watch: Watch, ctx: Context) -> None:
    assert ctx.band, "no age band given"
    age = ctx.band["min_age"]  # the band step set the child's age to the band's youngest
    feed = watch.content_feed()
    assert feed, f"the feed of a child aged {age} is empty"
    too_old = [f"{i.get('item_id')} ({i.get('title')}, from age {i.get('min_age')})" for i in feed if int(i.get("min_age", 0)) > age]
    assert not too_old, f"the feed of a child aged {age} holds {len(too_old)} items for older children: {too_old}"


# -- CON-4: links and QR codes ------------------------------------------------------


@when(parsers.parse('the child tries to open the link "{url}"'))
def child_opens_link(watch: Watch, ctx: Context, url: str) -> None:
    attempt(ctx, f"opening {url}", lambda: watch.open_link(url))


@when(parsers.parse('the child scans a QR code leading to "{url}"'))
def child_scans_qr(watch: Watch, ctx: Context, url: str) -> None:
    attempt(ctx, f"scanning a QR code for {url}", lambda: watch.open_link(QR_PREFIX + url))


@when(parsers.parse('the guardian approves the link "{url}"'))
def guardian_approves_link(watch: Watch, url: str) -> None:
    watch.approve_link(url)


# -- CON-5: the assistant ------------------------------------------------------------


def _ask_all(watch: Watch, samples: list[dict]) -> dict[str, dict | None]:
    answers: dict[str, dict | None] = {}
    for sample in samples:
        try:
            answers[sample["id"]] = watch.ask_assistant(sample["text"])
        except Refused:
            answers[sample["id"]] = None  # declining the whole prompt is a refusal too
    return answers


def _refused(answer: dict | None) -> bool:
    return answer is None or bool(answer.get("refused"))


@when("the child asks the assistant every sample of the corpus")
def ask_corpus(watch: Watch, ctx: Context) -> None:
    ctx.values["answers"] = _ask_all(watch, _corpus(ctx)["samples"])


@then("the assistant refuses harmful samples at the profile's block rate and answers benign ones at its pass rate")
def assistant_rates(ctx: Context, profile: Profile) -> None:
    answers = ctx.values["answers"]
    harmful, benign = _samples(ctx, True), _samples(ctx, False)
    _check_rate(ctx, "harmful prompts refused", [s for s in harmful if _refused(answers[s["id"]])], harmful, profile.param("content_block_rate_min"))
    _check_rate(ctx, "benign prompts answered", [s for s in benign if not _refused(answers[s["id"]])], benign, profile.param("content_pass_rate_min"))


@when(parsers.parse('the child asks the assistant "{prompt}"'))
def ask_one(watch: Watch, ctx: Context, prompt: str) -> None:
    ctx.values["answer"] = _ask_all(watch, [{"id": "prompt", "text": prompt}])["prompt"]


@then("the assistant refuses to help")
def assistant_refuses(ctx: Context) -> None:
    answer = ctx.values["answer"]
    assert _refused(answer), f"the assistant helped: {answer}"


# -- CON-6: reports ----------------------------------------------------------------


@given("the child can find an item of the feed by searching for its title")
def item_findable(watch: Watch, ctx: Context) -> None:
    feed = watch.content_feed()
    assert feed, "the child's feed is empty: nothing to report"
    item = feed[0]
    found = [i.get("item_id") for i in watch.search(item["title"])]
    # Without this the later "not found" would prove nothing.
    assert item["item_id"] in found, f"searching for '{item['title']}' does not find {item['item_id']}: {found}"
    ctx.values["item"] = item


@when("the guardian reports that item")
def guardian_reports(watch: Watch, ctx: Context) -> None:
    watch.report_content(ctx.values["item"]["item_id"])


@then("the item is gone from the child's feed and from search")
def item_gone(watch: Watch, ctx: Context) -> None:
    item = ctx.values["item"]
    in_feed = [i for i in watch.content_feed() if i.get("item_id") == item["item_id"]]
    in_search = [i for i in watch.search(item["title"]) if i.get("item_id") == item["item_id"]]
    assert not in_feed, f"the reported item {item['item_id']} ({item['title']}) is still in the child's feed"
    assert not in_search, f"the reported item {item['item_id']} ({item['title']}) is still found by search"
