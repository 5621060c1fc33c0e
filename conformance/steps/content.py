"""Content safety: the children's content pool, age tiers, the harmful-content filter, links and QR codes, the assistant, reports.

The filter is judged by rates on the harness's versioned corpus
(fixtures/corpus/content-v1.yaml), never by one sample: every assertion
message names the corpus, its sha256 and the counts behind the rate.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlsplit

import pytest
import yaml
from pytest_bdd import given, parsers, then, when

from conformance.catalogue import Profile
from conformance.declaration import FIXTURES_DIR, Declaration
from conformance.steps.common import Context, attempt, pass_time
from device_adapters.errors import InconclusiveError, Refused
from device_adapters.watch import Watch

CORPUS_FILE = FIXTURES_DIR / "corpus" / "content-v1.yaml"
QR_PREFIX = "qr:"  # how the Watch API hands a scanned QR code to the watch
DAY = 86400
QUARTER_DAYS = 91  # long enough for any finite list of editors' picks run through weekly to run out
# A form of writing has only a handful of samples: one miss in it is forgiven, so that no single sample decides.
FORM_MISSES_FORGIVEN = 1


# -- the corpus and rates -------------------------------------------------------


def _corpus(ctx: Context) -> dict:
    assert "corpus" in ctx.values, "no corpus loaded: the scenario lacks 'Given the harness's content corpus'"
    return ctx.values["corpus"]


def _samples(ctx: Context, harmful: bool) -> list[dict]:
    return [s for s in _corpus(ctx)["samples"] if bool(s["harmful"]) is harmful]


def _check_rate(ctx: Context, what: str, hits: list[dict], total: list[dict], minimum: float, *, each_form: bool = False) -> None:
    """Assert a rate against its threshold, and with `each_form` the rate of every form of writing too.

    The message carries what a regulator needs to reproduce it.
    """
    corpus = _corpus(ctx)
    assert total, f"the corpus {corpus['name']} has no samples for {what}"
    rate = len(hits) / len(total)
    misses = [s for s in total if s not in hits]
    source = f"corpus {corpus['name']} v{corpus['version']}, sha256 {corpus['sha256']}"
    assert rate >= minimum, (
        f"{what}: {len(hits)}/{len(total)} = {rate:.3f} < {minimum} "
        f"({source}; {_by_form(misses, total)}; "
        f"misses: {', '.join(s['id'] for s in misses[:15])}{' ...' if len(misses) > 15 else ''})"
    )
    if each_form:
        short = _forms_short(misses, total, minimum)
        assert not short, f"{what}, {'; '.join(short)} ({source}; one miss in a form is forgiven): harmful text written that way gets through"


def _form(sample: dict) -> str:
    return sample.get("disguise", "plain")


def _forms_short(misses: list[dict], total: list[dict], minimum: float) -> list[str]:
    """The forms of writing whose own rate falls short of `minimum`, one miss in a form aside."""
    short = []
    for form in sorted({_form(s) for s in total}):
        of_form = [s for s in total if _form(s) == form]
        missed = [s for s in misses if _form(s) == form]
        rate = 1 - len(missed) / len(of_form)
        if rate < minimum and len(missed) > FORM_MISSES_FORGIVEN:
            short.append(f"written {form}: {len(of_form) - len(missed)}/{len(of_form)} = {rate:.3f} < {minimum} (misses: {', '.join(s['id'] for s in missed)})")
    return short


def _by_form(misses: list[dict], total: list[dict]) -> str:
    """Misses per form of writing (plain, spaced, pinyin ...): a filter that reads only plain text shows up here."""
    forms = sorted({_form(s) for s in total})
    counts = [f"{f} {sum(_form(s) == f for s in misses)}/{sum(_form(s) == f for s in total)}" for f in forms]
    return "missed by form: " + ", ".join(counts)


@given("the harness's content corpus")
def content_corpus(ctx: Context, note) -> None:
    raw = CORPUS_FILE.read_bytes()
    data = yaml.safe_load(raw)
    corpus = ctx.values["corpus"] = {"name": data["corpus"], "version": data["version"], "sha256": hashlib.sha256(raw).hexdigest(), "samples": data["samples"]}
    harmful = [s for s in corpus["samples"] if s["harmful"]]
    disguised = sum(1 for s in harmful if s.get("disguise"))
    note(f"corpus {corpus['name']} v{corpus['version']}, sha256 {corpus['sha256']}: {len(harmful)} harmful samples ({disguised} disguised), {len(corpus['samples']) - len(harmful)} benign")


# -- CON-1: the pool ------------------------------------------------------------


def _pool_age_finding(watch: Watch, profile: Profile) -> str | None:
    """Why the pool is too old, or None. `updated_at` is the platform's own word; the feed's new items are the behaviour behind it."""
    pool = watch.content_pool()
    now = datetime.fromisoformat(watch.clock()["trusted"])
    age_days = (now - datetime.fromisoformat(pool["updated_at"])).total_seconds() / DAY
    limit = profile.param("content_pool_max_age_days")
    if profile.admits("content_pool_max_age_days", age_days):
        return None
    return f"the pool {pool.get('pool_id')} was last updated {pool['updated_at']}, {age_days:.1f} days before the watch's trusted time {now.isoformat()} (maximum {limit})"


@then("the content pool was updated within the profile's maximum pool age")
def pool_is_fresh(watch: Watch, profile: Profile) -> None:
    finding = _pool_age_finding(watch, profile)
    assert finding is None, finding


@when("the watch runs for a quarter and the profile's maximum pool age beyond it")
def pool_runs_long(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, profile: Profile, ctx: Context) -> None:
    """Walk device time one maximum pool age at a time; after each, the pool is fresh and the feed shows something new."""
    window = max(1, int(profile.param("content_pool_max_age_days")))
    remaining = QUARTER_DAYS + window + 1
    seen = {i.get("item_id") for i in watch.content_feed()}
    findings, day = [], 0
    while remaining > 0:
        days = min(window, remaining)
        for done in range(0, days, 7):  # a test clock moves at most a week per step
            pass_time(watch, declaration, request, min(7, days - done) * DAY)
        remaining, day = remaining - days, day + days
        stale = _pool_age_finding(watch, profile)
        feed = {i.get("item_id") for i in watch.content_feed()}
        if stale:
            findings.append(f"day {day}: {stale}")
        elif days == window and not feed - seen:
            findings.append(f"day {day}: the pool says it was updated, but the child's feed shows no item it did not show {days} days before")
        seen |= feed
    ctx.values["long_run_findings"] = findings


@then("after each of those periods the pool had been updated with new items for the child")
def pool_kept_updating(ctx: Context) -> None:
    findings = ctx.values["long_run_findings"]
    assert not findings, f"the pool stopped being updated: {'; '.join(findings)}"


@then("every item in the child's feed comes from the children's pool")
def feed_from_pool(watch: Watch, note) -> None:
    feed = watch.content_feed()
    assert feed, "the child's feed is empty: nothing to judge"
    base = watch.content_pool().get("base_url")
    # Observable: an item that links to an address outside the pool; otherwise the feed's own `pool` flag.
    outside = [
        f"{i.get('item_id')} ({i.get('title')}{', ' + i['url'] if i.get('url') else ''})"
        for i in feed
        if i.get("pool") is not True or (i.get("url") and base and not str(i["url"]).startswith(base))
    ]
    assert not outside, f"{len(outside)} of {len(feed)} feed items come from outside the children's pool: {outside}"
    note("CSW-CON-1 feed origin judged on each item's `pool` flag and any `url` it carries: the flag is the watch's own word; where an item carries no link, nothing else shows where it came from")


# -- CON-2: feed, messages and search ------------------------------------------------


@when("the editors try to publish every sample of the corpus for all ages")
def publish_corpus(watch: Watch, ctx: Context) -> None:
    published = ctx.values["published"] = {}
    for n, sample in enumerate(_corpus(ctx)["samples"], start=1):
        try:
            # A neutral title: the sample's id names its category, which a filter would read too.
            published[sample["id"]] = watch.publish_content(title=f"Item {n}", text=sample["text"], min_age=3)["item_id"]
        except Refused:
            pass  # kept out of the pool: the feed check below sees that


@then("the child's feed keeps out harmful samples at the profile's block rate, in every form of writing, and shows benign samples at its pass rate")
def feed_rates(watch: Watch, ctx: Context, profile: Profile) -> None:
    # Judged by item id, not by text: a feed may show an item's text shortened or reformatted.
    served = {i.get("item_id") for i in watch.content_feed()}
    published = ctx.values["published"]
    shown = {sample_id for sample_id, item_id in published.items() if item_id in served}
    harmful, benign = _samples(ctx, True), _samples(ctx, False)
    _check_rate(ctx, "harmful items kept out of the feed", [s for s in harmful if s["id"] not in shown], harmful, profile.param("content_block_rate_min"), each_form=True)
    _check_rate(ctx, "benign items shown in the feed", [s for s in benign if s["id"] in shown], benign, profile.param("content_pass_rate_min"))



@when("a stranger sends the child every harmful sample of the corpus and an approved friend every benign one")
def corpus_sent(watch: Watch, ctx: Context) -> None:
    # Benign from a friend: a watch may withhold a stranger's every message (docs/protocol.md `messages.send`),
    # so only a trusted sender shows whether the filter lets ordinary talk through.
    senders = {True: ("stranger", watch.create_account("corpus-stranger", kind="stranger")),
               False: ("child", watch.create_account("corpus-friend", kind="child", befriend=True))}
    ctx.values["senders"] = {harmful: account for harmful, (_, account) in senders.items()}
    for sample in _corpus(ctx)["samples"]:
        role, account = senders[bool(sample["harmful"])]
        watch.send_message(sample["text"], sender_role=role, sender=account)


@then("the child's inbox blocks harmful samples at the profile's block rate, in every form of writing, and delivers benign samples at its pass rate")
def inbox_rates(watch: Watch, ctx: Context, profile: Profile) -> None:
    inbox = watch.inbox()
    delivered = {harmful: {m["text"] for m in inbox if m.get("from") == account} for harmful, account in ctx.values["senders"].items()}
    harmful, benign = _samples(ctx, True), _samples(ctx, False)
    _check_rate(ctx, "harmful messages blocked", [s for s in harmful if s["text"] not in delivered[True]], harmful, profile.param("content_block_rate_min"), each_form=True)
    _check_rate(ctx, "benign messages delivered", [s for s in benign if s["text"] in delivered[False]], benign, profile.param("content_pass_rate_min"))


@when(parsers.parse('the {sender} sends the child "{text}"'))
def known_sender_sends(watch: Watch, ctx: Context, sender: str, text: str) -> None:
    if sender == "guardian":
        watch.send_message(text, sender_role="guardian")
        ctx.values["sender"] = None  # the guardian's account id as the inbox names it is the declaration's; match on the text
    elif sender == "approved friend":
        friend = watch.create_account("approved-classmate", kind="child", befriend=True)
        watch.send_message(text, sender_role="child", sender=friend)
        ctx.values["sender"] = friend
    else:
        raise AssertionError(f"unknown sender {sender!r}: the feature names 'guardian' or 'approved friend'")
    ctx.values["message"] = text


@then("the child's inbox holds that message")
def inbox_holds_message(watch: Watch, ctx: Context) -> None:
    text, sender = ctx.values["message"], ctx.values["sender"]
    delivered = [m for m in watch.inbox() if m.get("text") == text and (sender is None or m.get("from") == sender)]
    assert delivered, f"the message {text!r} from {sender or 'the guardian'} was withheld from the child: a meeting arranged by someone the guardian trusts is not a stranger's lure"


@when(parsers.parse('the editors publish ordinary items sharing the word "{word}"'))
def publish_sharing_word(watch: Watch, ctx: Context, word: str) -> None:
    titles = [f"{word.title()} animals", f"A {word} puzzle a day", f"Make your own {word} from paper"]
    ctx.values["shared_word_items"] = {watch.publish_content(title=t, text=f"Shapes and colours with a {word}.", min_age=3)["item_id"]: t for t in titles}


@when(parsers.parse('the child searches for "{query}"'))
def child_searches(watch: Watch, ctx: Context, query: str) -> None:
    ctx.values["search_results"] = watch.search(query)


@then("the search shows every one of those items")
def search_shows_all(ctx: Context) -> None:
    expected = ctx.values["shared_word_items"]
    found = {i.get("item_id") for i in ctx.values["search_results"]}
    missing = [f"{i} ({t})" for i, t in expected.items() if i not in found]
    assert not missing, f"the search found {len(expected) - len(missing)} of the {len(expected)} ordinary items it matches; missing: {', '.join(missing)}"


@when("the child searches for the text of every benign item the editors published")
def search_published_benign(watch: Watch, ctx: Context) -> None:
    published = ctx.values["published"]
    results: dict[str, tuple[list[dict], bool]] = {}
    for sample in _samples(ctx, False):
        if sample["id"] in published:  # one the filter kept out of the pool has nothing to find (the feed's pass rate counts it)
            try:
                results[sample["id"]] = watch.search_result(sample["text"])
            except Refused:
                results[sample["id"]] = ([], True)  # refusing the query is blocking it
    ctx.values["benign_searches"] = results


@then("every search the filter lets through shows its item, and the filter lets them through at the profile's pass rate")
def benign_searches_find_items(ctx: Context, profile: Profile) -> None:
    results, published = ctx.values["benign_searches"], ctx.values["published"]
    searched = [s for s in _samples(ctx, False) if s["id"] in results]
    assert searched, "the editors published no benign sample: there is no item to search for"
    # docs/protocol.md `content.search`: an item matches at least every query its text contains, so its whole text finds it.
    missed = [f"{s['id']} ({s['text']!r} -> {published[s['id']]})" for s in searched
              if not results[s["id"]][1] and published[s["id"]] not in {i.get("item_id") for i in results[s["id"]][0]}]
    assert not missed, f"{len(missed)} of {len(searched)} searches for an item's own text, not blocked, do not show that item: {'; '.join(missed[:10])}"
    _check_rate(ctx, "benign searches let through", [s for s in searched if not results[s["id"]][1]], searched, profile.param("content_pass_rate_min"))


@when("the child searches for the text of every harmful sample")
def search_harmful(watch: Watch, ctx: Context) -> None:
    results: dict[str, list[dict] | None] = {}
    for sample in _samples(ctx, True):
        try:
            results[sample["id"]] = watch.search(sample["text"])
        except Refused:
            results[sample["id"]] = None  # a refused search shows nothing: it counts as blocked
    ctx.values["searches"] = results


@then("the searches show nothing at the profile's block rate, in every form of writing")
def searches_blocked(ctx: Context, profile: Profile) -> None:
    results = ctx.values["searches"]
    harmful = _samples(ctx, True)
    _check_rate(ctx, "harmful searches with no results", [s for s in harmful if not results[s["id"]]], harmful, profile.param("content_block_rate_min"), each_form=True)


# -- CON-3: age tiers -------------------------------------------------------------


@when("the editors publish items for children older than the band")
def publish_older_items(watch: Watch, ctx: Context) -> None:
    assert ctx.band, "no age band given"
    # Just above the band's youngest age, and above the band altogether.
    published = ctx.values.setdefault("older_items", {})
    for min_age in sorted({ctx.band["min_age"] + 1, min(ctx.band["max_age"] + 1, 18)}):
        title = f"Science club for ages {min_age} and up"
        published[watch.publish_content(title=title, text="How volcanoes work, with a kitchen experiment.", min_age=min_age)["item_id"]] = title


@then("the child's feed holds items, and none for children older than the child")
def feed_tiered(watch: Watch, ctx: Context) -> None:
    assert ctx.band, "no age band given"
    age = ctx.band["min_age"]  # the band step set the child's age to the band's youngest
    feed = watch.content_feed()
    assert feed, f"the feed of a child aged {age} is empty"
    # The items published for older children are known by id: judged on what is served, not on the age the feed labels it with.
    older = ctx.values.get("older_items", {})
    too_old = [f"{i.get('item_id')} ({i.get('title')}, from age {i.get('min_age')})" for i in feed if i.get("item_id") in older or int(i.get("min_age", 0)) > age]
    assert not too_old, f"the feed of a child aged {age} holds {len(too_old)} items for older children: {too_old}"
    found = [f"{i.get('item_id')} ({i.get('title')})" for t in set(older.values()) for i in watch.search(t) if i.get("item_id") in older]
    assert not found, f"searching, a child aged {age} finds items for older children: {found}"


# -- CON-4: links and QR codes ------------------------------------------------------


@when(parsers.parse('the child tries to open the link "{url}"'))
def child_opens_link(watch: Watch, ctx: Context, url: str) -> None:
    attempt(ctx, f"opening {url}", lambda: watch.open_link(url))


@when(parsers.parse('the child scans a QR code leading to "{url}"'))
def child_scans_qr(watch: Watch, ctx: Context, url: str) -> None:
    attempt(ctx, f"scanning a QR code for {url}", lambda: watch.open_link(QR_PREFIX + url))


def _pool_host(watch: Watch) -> str:
    base = watch.content_pool().get("base_url")
    if not base:
        raise InconclusiveError("content.pool gives no base_url: the harness cannot tell which addresses are the pool's own")
    host = urlsplit(base).hostname
    if not host:
        raise InconclusiveError(f"content.pool's base_url {base!r} names no host")
    return host


@when(parsers.parse('the child tries to open the pool\'s address written as "{form}"'))
def child_opens_lookalike(watch: Watch, ctx: Context, form: str) -> None:
    url = form.replace("{host}", _pool_host(watch))
    attempt(ctx, f"opening {url}", lambda: watch.open_link(url))


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


def _answered(answer: dict | None) -> bool:
    """Answered: not refused, and the reply says something (an empty answer is no answer)."""
    return not _refused(answer) and isinstance(answer.get("answer"), str) and bool(answer["answer"].strip())


@when("the child asks the assistant every sample of the corpus")
def ask_corpus(watch: Watch, ctx: Context) -> None:
    ctx.values["answers"] = _ask_all(watch, _corpus(ctx)["samples"])


@then("the assistant refuses harmful samples at the profile's block rate, in every form of writing, and answers benign ones at its pass rate")
def assistant_rates(ctx: Context, profile: Profile, note) -> None:
    answers = ctx.values["answers"]
    harmful, benign = _samples(ctx, True), _samples(ctx, False)
    _check_rate(ctx, "harmful prompts refused", [s for s in harmful if _refused(answers[s["id"]])], harmful, profile.param("content_block_rate_min"), each_form=True)
    _check_rate(ctx, "benign prompts answered with content", [s for s in benign if _answered(answers[s["id"]])], benign, profile.param("content_pass_rate_min"))
    note("CSW-CON-5 refusals judged on the reply's `refused` flag (the watch's own word; what an answer says is not judged); benign prompts count as answered only with a non-empty answer")


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


@when("the pool is next updated with new items")
def pool_next_updated(watch: Watch, declaration: Declaration, request: pytest.FixtureRequest, profile: Profile) -> None:
    """Let days pass until the feed shows an item it did not show before (at most the profile's maximum pool age and a day)."""
    seen = {i.get("item_id") for i in watch.content_feed()}
    for _day in range(int(profile.param("content_pool_max_age_days")) + 1):
        pass_time(watch, declaration, request, DAY)
        if {i.get("item_id") for i in watch.content_feed()} - seen:
            return
    raise InconclusiveError("the pool showed the child no new item within the profile's maximum pool age: there was no update to try the report on (CSW-CON-1 judges the updates)")


@then("the item is gone from the child's feed and from search")
def item_gone(watch: Watch, ctx: Context) -> None:
    item = ctx.values["item"]
    in_feed = [i for i in watch.content_feed() if i.get("item_id") == item["item_id"]]
    in_search = [i for i in watch.search(item["title"]) if i.get("item_id") == item["item_id"]]
    assert not in_feed, f"the reported item {item['item_id']} ({item['title']}) is still in the child's feed"
    assert not in_search, f"the reported item {item['item_id']} ({item['title']}) is still found by search"
