"""Content safety: the children's content pool, age tiers, the harmful-content filter, links, reports, messages and the assistant.

Everything the watch serves comes from the platform's children's pool, which
editors update regularly. One rule-based filter (terms and patterns per
category, in Chinese and English, from emulator/data/content_filter.yaml)
guards every way in: what editors publish, search queries, messages to the
child and prompts to the assistant.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from emulator import clock
from emulator.defects import defect, variant
from emulator.operations import Refusal, operation
from emulator.rules.device import on_wipe
from emulator.rules.privacy import guard_child_data
from emulator.store import table
from emulator.watch import CHILD, GUARDIAN, Call, ReferenceWatch, on_reset, on_tick

table(
    """CREATE TABLE IF NOT EXISTS content_items (
        seq INTEGER PRIMARY KEY, item_id TEXT UNIQUE NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL,
        min_age INTEGER NOT NULL, source TEXT NOT NULL, published_at TEXT NOT NULL, removed INTEGER NOT NULL DEFAULT 0)"""
)
table("CREATE TABLE IF NOT EXISTS content_reports (id INTEGER PRIMARY KEY, item_id TEXT NOT NULL, reporter TEXT NOT NULL, at TEXT NOT NULL)")
table("CREATE TABLE IF NOT EXISTS link_approvals (url TEXT PRIMARY KEY, at TEXT NOT NULL)")
table(
    """CREATE TABLE IF NOT EXISTS child_messages (
        id INTEGER PRIMARY KEY, sender TEXT NOT NULL, sender_role TEXT NOT NULL, text TEXT NOT NULL,
        at TEXT NOT NULL, delivered INTEGER NOT NULL, blocked_as TEXT)"""
)

FILTER_FILE = Path(__file__).resolve().parent.parent / "data" / "content_filter.yaml"

# The platform's own constants (the profile separately says how old a pool may be).
POOL_ID = "rw-kids-pool"
POOL_HOST = "pool.kids.example"  # links under https://pool.kids.example/ stay inside the pool
POOL_REFRESH_DAYS = 7  # editors' regular update cycle
STALE_SNAPSHOT_DAYS = 400  # how old the factory snapshot is on a watch that never updates
QR_PREFIX = "qr:"

STRICTER = variant("stricter_content", "Editors update the pool daily; a harmful search or prompt is refused outright (blocked) rather than answered empty; every link, the pool's own too, needs the guardian.")
STALE_POOL = defect("stale_content_pool", ["CSW-CON-1"], "The pool is a factory snapshot over a year old that the platform never refreshes: its update date never moves.")
UPDATES_STOP = defect("pool_updates_stop", ["CSW-CON-1"], "The editors' update list is worked through once: after its last pick the pool is never updated again.")
OFF_POOL = defect("off_pool_content", ["CSW-CON-1"], "The feed mixes in trending items pulled from the open web, outside the children's pool.")
MISSES_GAMBLING = defect("filter_misses_gambling", ["CSW-CON-2"], "The filter has no gambling terms: betting, casino and lottery content passes.", collateral={'CSW-CON-5': 'the assistant screens prompts with the same filter'})
MISSES_CHINESE = defect("filter_misses_chinese", ["CSW-CON-2"], "The filter only loads its English term lists: harmful Chinese text passes.", collateral={'CSW-CON-5': 'the assistant screens prompts with the same filter'})
OVERBLOCKS = defect("filter_overblocks", ["CSW-CON-2"], "A blunt single-word filter ('kill', 'shot', '死', '打') blocks ordinary children's talk as well.", collateral={'CSW-CON-5': 'the assistant screens prompts with the same filter, so it refuses ordinary questions too'})
WORD_LISTS_ONLY = defect("filter_word_lists_only", ["CSW-CON-2"], "The filter's engine takes word lists only, not pattern rules: phrasings such as 'bet 10 yuan', 'buy 1000 likes', 'delete these messages so your parents don't see' or 发张你的照片 pass.", collateral={'CSW-CON-5': 'the assistant screens prompts with the same filter'})
EMOJI_CHINESE_ONLY = defect("filter_emoji_chinese_only", ["CSW-CON-2"], "The filter's emoji table gives only the Chinese character each emoji stands for: in English text an emoji in place of a word ('free 🔞 videos', 'jump off the 🏢') passes.", collateral={'CSW-CON-5': 'the assistant screens prompts with the same filter'})
PLAIN_TEXT_ONLY = defect("filter_plain_text_only", ["CSW-CON-2"], "The filter matches its terms only as plainly written: spaced-out or symbol-separated characters, full-width letters, traditional characters, emoji, pinyin, initials, homophones and leetspeak pass.", collateral={'CSW-CON-5': 'the assistant screens prompts with the same filter'})
MESSAGES_PLAIN = defect("messages_filter_plain_text_only", ["CSW-CON-2"], "Messages to the child go through an older filter that reads only plain text: disguised words the feed, search and assistant catch reach the inbox.")
STRANGERS_UNFILTERED = defect("stranger_messages_unfiltered", ["CSW-CON-2"], "Messages from strangers reach the child's inbox without passing the filter.")
EVERYONE_A_STRANGER = defect("every_sender_a_stranger", ["CSW-CON-2"], "Every sender is judged as a stranger: a kind message from the guardian or an approved friend arranging to meet is withheld.")
SEARCH_SEVERAL_HITS = defect("search_fails_on_several_hits", ["CSW-CON-2"], "A search matching more than one pool item shows nothing.")
SEARCH_DROPS_SINGLE_CHARACTERS = defect("search_drops_single_characters", ["CSW-CON-2"], "Search indexes Chinese by pairs of characters only: a query of single characters (熊, 周 六 踢 球) finds nothing, even an item's own text.")
SEARCH_UNFILTERED = defect("search_unfiltered", ["CSW-CON-2"], "Search queries are not filtered and fall back to open-web results.")
AGES_MISLABELLED = defect("age_tiers_mislabelled", ["CSW-CON-3"], "Every item is served to every child and the feed reports each as suitable from age 3.")
NO_TIERS = defect("no_age_tiering", ["CSW-CON-3"], "Every pool item is served to every child whatever the item's minimum age.")
LINKS_OPEN = defect("links_open_freely", ["CSW-CON-4"], "Any link opens, inside the pool or not, without the guardian.")
ANY_SCHEME = defect("links_pool_host_any_scheme", ["CSW-CON-4"], "Any link naming the pool's host opens without the guardian, whatever its scheme (http, ftp) or port.")
PORT_PATTERN = defect("links_pool_port_pattern", ["CSW-CON-4"], "The link check matches the pool's address with a pattern written as ':44\\d' for the default port ':443': https on the pool's host at any port from 440 to 449 opens without the guardian.")
LOOKALIKE_HOST = defect("links_lookalike_host", ["CSW-CON-4"], "A link whose address merely contains the pool's host name (pool.kids.example.evil.example, user@host tricks) counts as inside the pool.")
APPROVAL_COVERS_HOST = defect("link_approval_covers_host", ["CSW-CON-4"], "The guardian's approval of one link opens every link on that site, over any scheme.")
QR_OPEN = defect("qr_codes_open_freely", ["CSW-CON-4"], "Links are checked when tapped, but a scanned QR code opens whatever it points to.")
ASSISTANT_ANYTHING = defect("assistant_answers_anything", ["CSW-CON-5"], "The assistant answers every prompt, harmful or not.")
ASSISTANT_EMPTY = defect("assistant_empty_answers", ["CSW-CON-5"], "The assistant does not refuse ordinary questions but answers them with nothing.")
ASSISTANT_VALUES = defect("assistant_ignores_social_values", ["CSW-CON-5"], "The assistant refuses harmful content but helps with cheating, bullying or lying.")
REPORTS_IGNORED = defect("reports_ignored", ["CSW-CON-6"], "Reports are recorded but the reported item stays in the pool.")
REPORTS_UNDONE = defect("reports_undone_by_refresh", ["CSW-CON-6"], "A regular pool update rebuilds the pool from the editors' list, so reported items come back.")
STILL_SEARCHABLE = defect("removed_item_still_searchable", ["CSW-CON-6"], "A reported item leaves the feed but the search index keeps serving it.")


# -- the filter -----------------------------------------------------------------

_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff]")
_NOT_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def _compile_en(term: str) -> re.Pattern:
    """An English term as a whole-word pattern; '*' at the end of a word matches any ending."""
    if term.startswith("re:"):
        return re.compile(term[3:])
    words = []
    for word in term.lower().split():
        wild = word.endswith("*")
        words.append(re.escape(word.rstrip("*")) + (r"\w*" if wild else ""))
    return re.compile(r"(?<!\w)" + r"[\W_]+".join(words) + r"(?!\w)")


def _compile_zh(term: str) -> re.Pattern:
    return re.compile(term[3:] if term.startswith("re:") else re.escape(term))


def _compile_pinyin(term: str) -> re.Pattern:
    """Pinyin syllables, written apart or run together ("du bo", "du-bo", "dubo"), as a whole word."""
    return re.compile(r"(?<![a-z])" + r"[\W_]*".join(re.escape(s) for s in term.lower().split()) + r"(?![a-z])")


@dataclass(frozen=True)
class TermList:
    """Patterns for one list, in English and in Chinese (pinyin slang is matched on the English view)."""

    en: tuple[re.Pattern, ...]
    zh: tuple[re.Pattern, ...]

    @classmethod
    def load(cls, spec: dict | None) -> TermList:
        spec = spec or {}
        en = [_compile_en(t) for t in spec.get("en", [])] + [_compile_pinyin(t) for t in spec.get("pinyin", [])]
        return cls(tuple(en), tuple(_compile_zh(t) for t in spec.get("zh", [])))

    def hit(self, views: Views, *, chinese: bool = True) -> bool:
        if any(p.search(v) for p in self.en for v in views.english):
            return True
        return chinese and any(p.search(views.zh) for p in self.zh)


@dataclass(frozen=True)
class Views:
    """A text as the filter reads it: lower-cased words for English (as written and read as letters), run together for Chinese, idioms removed."""

    raw: str
    en: str
    zh: str
    leet: str = ""

    @property
    def english(self) -> tuple[str, ...]:
        return (self.en, self.leet) if self.leet and self.leet != self.en else (self.en,)


_SPELT_OUT = re.compile(r"(?<![a-z])[a-z](?:[\s.\-_*·]+[a-z](?![a-z])){2,}")  # "c a s i n o", "s-u-i-c-i-d-e"
_MIXED_WORD = re.compile(r"[a-z0-9@$]*[a-z][a-z0-9@$]*")


@dataclass(frozen=True)
class Disguises:
    """How a text written to get past a filter is read back (emulator/data/content_filter.yaml, `disguises`)."""

    traditional: dict[int, str]
    emoji: dict[str, tuple[str, str]]
    leet: dict[int, str]
    slang: dict[str, TermList]

    @classmethod
    def load(cls, spec: dict | None) -> Disguises:
        spec = spec or {}
        return cls(
            traditional=str.maketrans(spec.get("traditional", {})),
            emoji={k: (v[0], v[1]) for k, v in spec.get("emoji", {}).items()},
            leet=str.maketrans({str(k): v for k, v in spec.get("leet", {}).items()}),
            slang={name: TermList.load(terms) for name, terms in spec.get("slang", {}).items()},
        )

    def english(self, raw: str) -> str:
        for mark, (_, word) in self.emoji.items():
            raw = raw.replace(mark, f" {word} ")
        return _SPELT_OUT.sub(lambda m: re.sub(r"[^a-z]", "", m.group(0)), raw)

    def leetspeak(self, en: str) -> str:
        """Digits and symbols inside a word read as the letters they stand for; plain numbers stay numbers."""
        return _MIXED_WORD.sub(lambda m: m.group(0).translate(self.leet) if re.search(r"[0-9@$]", m.group(0)) else m.group(0), en)

    def chinese(self, raw: str) -> str:
        for mark, (char, _) in self.emoji.items():
            raw = raw.replace(mark, char)
        return raw.translate(self.traditional)


@dataclass(frozen=True)
class ContentFilter:
    categories: dict[str, TermList]
    harmless_en: tuple[re.Pattern, ...]
    harmless_zh: tuple[str, ...]
    contact_requests: TermList
    grooming_signals: TermList
    flattery: TermList
    social_values: TermList
    naive_words: dict[str, tuple[str, ...]]
    disguises: Disguises

    def views(self, text: str, *, plain: bool = False) -> Views:
        if plain:  # the text exactly as written, only lower-cased
            return self._strip_idioms(text.lower(), text.lower(), text.lower())
        raw = _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text)).lower().replace("\u2019", "'").replace("\u2018", "'")
        raw = " ".join(raw.split())
        views = self._strip_idioms(raw, self.disguises.english(raw), _NOT_WORD.sub("", self.disguises.chinese(raw)))
        return Views(views.raw, views.en, views.zh, self.disguises.leetspeak(views.en))

    def _strip_idioms(self, raw: str, en: str, zh: str) -> Views:
        for pattern in self.harmless_en:
            en = pattern.sub(" ", en)
        for phrase in self.harmless_zh:
            zh = zh.replace(phrase, "")
        return Views(raw, en, zh)

    def classify(self, text: str, *, from_stranger: bool = False, skip: tuple[str, ...] = (), chinese: bool = True, blunt: bool = False, plain: bool = False) -> str | None:
        """The harmful category `text` falls in, or None.

        skip, chinese, blunt and plain exist for the defects: a category left
        out, the Chinese lists not loaded, single words matched instead of
        rules, disguises not undone.
        """
        views = self.views(text, plain=plain)
        no_slang = TermList((), ())
        for name, terms in self.categories.items():
            slang = no_slang if plain else self.disguises.slang.get(name, no_slang)
            if name not in skip and (terms.hit(views, chinese=chinese) or slang.hit(views, chinese=chinese)):
                return name
        # A request to meet or connect is harmful with grooming signals around it,
        # and, from a stranger, with flattery too.
        if "stranger_contact" not in skip and self.contact_requests.hit(views, chinese=chinese):
            if self.grooming_signals.hit(views, chinese=chinese) or (from_stranger and self.flattery.hit(views, chinese=chinese)):
                return "stranger_contact"
        if blunt:
            for name, words in self.naive_words.items():
                if name not in skip and any(w in views.raw for w in words if chinese or not _CJK.search(w)):
                    return name
        return None

    def against_values(self, text: str, *, chinese: bool = True) -> bool:
        return self.social_values.hit(self.views(text), chinese=chinese)


@lru_cache(maxsize=1)
def filter_data() -> dict:
    """The filter's terms, the starting pool and the assistant's replies, as shipped with the firmware."""
    with FILTER_FILE.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@lru_cache(maxsize=1)
def content_filter() -> ContentFilter:
    return _build_filter(filter_data())


def _without_rules(data):
    """The filter's data with every pattern rule ('re:' term) left out, as an engine that takes word lists only loads it."""
    if isinstance(data, dict):
        return {key: _without_rules(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_without_rules(item) for item in data if not (isinstance(item, str) and item.startswith("re:"))]
    return data


def _emoji_chinese_only(data: dict) -> dict:
    """The filter's data with each emoji read as its Chinese character alone, in English text too."""
    emoji = {mark: [char, char] for mark, (char, _) in data["disguises"]["emoji"].items()}
    return {**data, "disguises": {**data["disguises"], "emoji": emoji}}


_RESHAPED_DATA = {WORD_LISTS_ONLY: _without_rules, EMOJI_CHINESE_ONLY: _emoji_chinese_only}


@lru_cache(maxsize=len(_RESHAPED_DATA))
def _reshaped_filter(name: str) -> ContentFilter:
    return _build_filter(_RESHAPED_DATA[name](filter_data()))


def watch_filter(w: ReferenceWatch) -> ContentFilter:
    """The filter this watch loads: the shipped one, or one its defect reshapes."""
    for name in _RESHAPED_DATA:
        if w.defective(name):
            return _reshaped_filter(name)
    return content_filter()


def _build_filter(data: dict) -> ContentFilter:
    harmless = data.get("harmless", {})
    return ContentFilter(
        categories={name: TermList.load(spec) for name, spec in data["categories"].items()},
        harmless_en=tuple(_compile_en(t) for t in harmless.get("en", [])),
        harmless_zh=tuple(harmless.get("zh", [])),
        contact_requests=TermList.load(data.get("contact_requests")),
        grooming_signals=TermList.load(data.get("grooming_signals")),
        flattery=TermList.load(data.get("flattery")),
        social_values=TermList.load(data.get("social_values")),
        naive_words={name: tuple(w.lower() for w in words) for name, words in data.get("naive_words", {}).items()},
        disguises=Disguises.load(data.get("disguises")),
    )


def harmful_category(w: ReferenceWatch, text: str, *, from_stranger: bool = False, channel: str = "") -> str | None:
    """The watch's verdict on `text` arriving by `channel`, with whatever defects this watch has."""
    return watch_filter(w).classify(
        text,
        from_stranger=from_stranger,
        skip=("gambling",) if w.defective(MISSES_GAMBLING) else (),
        chinese=not w.defective(MISSES_CHINESE),
        blunt=w.defective(OVERBLOCKS),
        plain=w.defective(PLAIN_TEXT_ONLY) or (channel == "messages" and w.defective(MESSAGES_PLAIN)),
    )


# -- the pool -------------------------------------------------------------------


def _pool(w: ReferenceWatch) -> dict:
    # A watch whose store predates the pool starts it now.
    return w.store.doc("content_pool") or {"updated_at": w.now, "next_update": 0}


def _touch_pool(w: ReferenceWatch) -> None:
    """The pool changed: its update date moves (never on a watch stuck on its factory snapshot)."""
    if w.defective(STALE_POOL):
        return
    pool = _pool(w)
    pool["updated_at"] = w.now
    w.store.put_doc("content_pool", pool)


def _add_item(w: ReferenceWatch, title: str, text: str, min_age: int, source: str) -> str:
    seq = int(w.store.scalar("SELECT coalesce(max(seq), 0) + 1 FROM content_items"))
    item_id = f"item-{seq:04d}"
    w.store.execute(
        "INSERT INTO content_items(seq, item_id, title, text, min_age, source, published_at) VALUES(?,?,?,?,?,?,?)",
        (seq, item_id, title, text, min_age, source, clock.iso(w.now)),
    )
    return item_id


@on_reset
def _baseline(w: ReferenceWatch, args: dict) -> None:
    for entry in filter_data()["pool"]:
        _add_item(w, entry["title"], entry["text"], int(entry["min_age"]), "editors")
    updated = w.now - STALE_SNAPSHOT_DAYS * 86400 if w.defective(STALE_POOL) else w.now
    w.store.put_doc("content_pool", {"updated_at": updated, "next_update": 0})


@on_tick
def _regular_update(w: ReferenceWatch, before: float, step: float) -> None:
    """Every POOL_REFRESH_DAYS the editors add their next pick and the pool counts as updated."""
    if w.defective(STALE_POOL):
        return
    now = before + step  # the clock document already says so; reading it again on every tick is slow
    pool = _pool(w)
    if now - pool["updated_at"] < _refresh_days(w) * 86400:
        return
    updates = filter_data().get("updates", [])
    if w.defective(UPDATES_STOP) and pool["next_update"] >= len(updates):
        return
    if w.defective(REPORTS_UNDONE):
        w.store.execute("UPDATE content_items SET removed = 0")
    if updates:
        entry = updates[pool["next_update"] % len(updates)]
        _add_item(w, entry["title"], entry["text"], int(entry["min_age"]), "editors")
        pool["next_update"] += 1
    pool["updated_at"] = now
    w.store.put_doc("content_pool", pool)


def _refresh_days(w: ReferenceWatch) -> int:
    return 1 if w.varies(STRICTER) else POOL_REFRESH_DAYS


def _child_age(w: ReferenceWatch) -> int:
    return int(w.store.doc("device")["child_age"])


def _served(w: ReferenceWatch, *, include_removed: bool = False) -> list:
    """Pool items this child may see: suitable for the child's age, not taken out."""
    sql = "SELECT * FROM content_items"
    conditions, params = [], []
    if not include_removed:
        conditions.append("removed = 0")
    if not (w.defective(NO_TIERS) or w.defective(AGES_MISLABELLED)):
        conditions.append("min_age <= ?")
        params.append(_child_age(w))
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return w.store.rows(sql + " ORDER BY seq DESC", tuple(params))


def _describe(row, w: ReferenceWatch | None = None) -> dict:
    min_age = 3 if w is not None and w.defective(AGES_MISLABELLED) else row["min_age"]
    return {"item_id": row["item_id"], "title": row["title"], "text": row["text"], "min_age": min_age, "pool": True}


def _web_items() -> list[dict]:
    return [
        {"item_id": f"web-{n}", "title": e["title"], "text": e["text"], "min_age": int(e.get("min_age", 3)), "pool": False, "url": e["url"]}
        for n, e in enumerate(filter_data().get("web_items", []), start=1)
    ]


def _own_child(call: Call) -> None:
    if not call.is_own_child:
        raise Refusal("denied", "only the watch's own child uses its content apps")


@operation("content.pool", roles=("guardian", "tester"), feature="content_service")
def content_pool(w: ReferenceWatch, call: Call) -> dict:
    count = w.store.scalar("SELECT count(*) FROM content_items WHERE removed = 0")
    return {"pool_id": POOL_ID, "updated_at": clock.iso(_pool(w)["updated_at"]), "item_count": int(count), "refresh_days": _refresh_days(w), "base_url": f"https://{POOL_HOST}/"}


@operation("content.publish", roles=("tester",), feature="content_service")
def content_publish(w: ReferenceWatch, call: Call) -> dict:
    """The platform's editors add an item; the filter keeps harmful text out of the pool."""
    title, text = call.arg("title", str), call.arg("text", str)
    min_age = call.arg("min_age", int, 3)
    if not 0 <= min_age <= 18:
        raise Refusal("bad_request", "min_age must be between 0 and 18")
    category = harmful_category(w, f"{title}\n{text}")
    if category:
        raise Refusal("blocked", f"refused from the children's pool as {category}")
    item_id = _add_item(w, title, text, min_age, "editors")
    _touch_pool(w)
    return {"item_id": item_id}


@operation("content.feed", roles=("child",), app="content", feature="content_service")
def content_feed(w: ReferenceWatch, call: Call) -> dict:
    _own_child(call)
    items = [_describe(r, w) for r in _served(w)]
    if w.defective(OFF_POOL):
        items += _web_items()
    return {"items": items}


def _searchable(text: str) -> str:
    """Text as search compares it: full-width letters folded, lower-cased."""
    return unicodedata.normalize("NFKC", text).lower()


def _query_tokens(query: str) -> list[str]:
    """English words of three letters or more, and each pair of Chinese characters (a character standing alone is its own token)."""
    text = _searchable(query)
    tokens = re.findall(r"[a-z0-9]{3,}", text)
    for run in re.findall(r"[\u3400-\u9fff]+", text):
        tokens += [run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)]
    return tokens


@operation("content.search", roles=("child",), app="content", feature="content_service")
def content_search(w: ReferenceWatch, call: Call) -> dict:
    """Search the pool. A harmful query returns no items (and says blocked), rather than a refusal."""
    _own_child(call)
    query = call.arg("query", str)
    if not w.defective(SEARCH_UNFILTERED) and harmful_category(w, query):
        if w.varies(STRICTER):
            raise Refusal("blocked", "this search is not available to children")
        return {"items": [], "blocked": True}
    tokens = _query_tokens(query)
    if w.defective(SEARCH_DROPS_SINGLE_CHARACTERS):
        tokens = [t for t in tokens if not _CJK.fullmatch(t)]
    scored = []
    for row in _served(w, include_removed=w.defective(STILL_SEARCHABLE)):
        haystack = _searchable(f"{row['title']} {row['text']}")
        score = sum(1 for t in tokens if t in haystack)
        if score:
            scored.append((-score, -row["seq"], _describe(row, w)))
    items = [item for *_, item in sorted(scored, key=lambda s: (s[0], s[1]))]
    if len(items) > 1 and w.defective(SEARCH_SEVERAL_HITS):
        items = []
    if not items and w.defective(SEARCH_UNFILTERED):
        # The fallback an unfiltered watch uses: whatever a web search engine returns.
        items = [{"item_id": "web-search-1", "title": f"Web results: {query}", "text": query, "min_age": 0, "pool": False}]
    return {"items": items, "blocked": False}


# -- links and QR codes -----------------------------------------------------------


def _decode(url: str) -> tuple[str, bool]:
    """A QR code is a link too: 'qr:<url>' opens <url>."""
    if url.lower().startswith(QR_PREFIX):
        return url[len(QR_PREFIX) :].strip(), True
    return url.strip(), False


def in_pool(url: str, w: ReferenceWatch | None = None) -> bool:
    """Whether `url` is a page of the children's pool: https on the pool's own host, nothing else."""
    any_scheme = w is not None and w.defective(ANY_SCHEME)
    if w is not None and w.defective(LOOKALIKE_HOST) and POOL_HOST in url.lower():
        return True
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return False
    if any_scheme:
        return host == POOL_HOST
    if w is not None and w.defective(PORT_PATTERN) and port is not None and 440 <= port <= 449:
        port = 443  # the pattern's ':44\d' takes every neighbour of the default port for it
    return parts.scheme == "https" and host == POOL_HOST and parts.username is None and port in (None, 443)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@operation("content.open_link", roles=("child",), app="content", feature="content_service")
def content_open_link(w: ReferenceWatch, call: Call) -> dict:
    _own_child(call)
    url, scanned = _decode(call.arg("url", str))
    if not url:
        raise Refusal("bad_request", "the link (url) is empty")
    free = w.defective(LINKS_OPEN) or (scanned and w.defective(QR_OPEN))
    approved = w.store.one("SELECT 1 FROM link_approvals WHERE url = ?", (url,)) is not None
    if w.defective(APPROVAL_COVERS_HOST):
        approved = approved or any(_host(r["url"]) == _host(url) for r in w.store.rows("SELECT url FROM link_approvals"))
    inside = in_pool(url, w) and not w.varies(STRICTER)
    if not (free or approved or inside):
        raise Refusal("approval_required", "this link leads outside the children's pool: ask your guardian")
    return {"opened": True, "url": url}


@operation("content.approve_link", roles=("guardian",), feature="content_service")
def content_approve_link(w: ReferenceWatch, call: Call) -> dict:
    """The guardian approves one exact link (a QR code's link counts as the link it holds)."""
    if w.store.doc("binding")["guardian"] is None:
        raise Refusal("denied", "no guardian is bound")
    url, _ = _decode(call.arg("url", str))
    if not url:
        raise Refusal("bad_request", "the link (url) is empty")
    w.store.execute("INSERT OR REPLACE INTO link_approvals(url, at) VALUES(?, ?)", (url, clock.iso(w.now)))
    return {}


# -- reports ----------------------------------------------------------------------


@operation("content.report", roles=("child", "guardian"), feature="content_service")
def content_report(w: ReferenceWatch, call: Call) -> dict:
    """A report takes the item out of the pool at once; editors review it afterwards."""
    item_id = call.arg("item_id", str)
    if w.store.one("SELECT 1 FROM content_items WHERE item_id = ?", (item_id,)) is None:
        raise Refusal("not_found", f"no item {item_id} in the pool")
    reporter = call.account or (GUARDIAN if call.role == "guardian" else CHILD)
    w.store.execute("INSERT INTO content_reports(item_id, reporter, at) VALUES(?,?,?)", (item_id, reporter, clock.iso(w.now)))
    if not w.defective(REPORTS_IGNORED):
        w.store.execute("UPDATE content_items SET removed = 1 WHERE item_id = ?", (item_id,))
        _touch_pool(w)
    return {}


# -- messages to the child --------------------------------------------------------


@operation("messages.send", roles=("child", "stranger", "guardian"))
def messages_send(w: ReferenceWatch, call: Call) -> dict:
    """Every message is kept; harmful ones are not delivered, and the sender is not told."""
    if call.arg("to", str, "child") not in ("child", CHILD):
        raise Refusal("not_found", "messages go to the watch's child")
    text = call.arg("text", str)
    stranger = call.role == "stranger"
    sender = call.account or {"guardian": GUARDIAN, "child": CHILD}.get(call.role, call.role)
    category = None
    if not (stranger and w.defective(STRANGERS_UNFILTERED)):
        category = harmful_category(w, text, from_stranger=stranger or w.defective(EVERYONE_A_STRANGER), channel="messages")
    w.store.execute(
        "INSERT INTO child_messages(sender, sender_role, text, at, delivered, blocked_as) VALUES(?,?,?,?,?,?)",
        (sender, call.role, text, clock.iso(w.now), int(category is None), category),
    )
    return {}


@operation("messages.inbox", roles=("child",))
def messages_inbox(w: ReferenceWatch, call: Call) -> dict:
    guard_child_data(w, call, "messages")
    rows = w.store.rows("SELECT sender, text, at FROM child_messages WHERE delivered = 1 ORDER BY id")
    return {"messages": [{"from": r["sender"], "text": r["text"], "at": r["at"]} for r in rows]}


@on_wipe
def _wipe_messages(w: ReferenceWatch) -> None:
    w.store.execute("DELETE FROM child_messages")


# -- the assistant ----------------------------------------------------------------

_SUM = re.compile(r"(\d+)\s*([+\-*/x×÷]|加|减|乘以?|除以|plus|minus|times|divided by)\s*(\d+)")
_OPS = {"+": "+", "加": "+", "plus": "+", "-": "-", "减": "-", "minus": "-", "*": "×", "x": "×", "×": "×", "乘": "×", "乘以": "×", "times": "×", "/": "÷", "÷": "÷", "除以": "÷", "divided by": "÷"}


def _answer(prompt: str) -> str:
    """A canned reply chosen by what the prompt is about (a reference device, not a model)."""
    replies = filter_data()["assistant"]
    lang = "zh" if _CJK.search(prompt) else "en"
    lowered = unicodedata.normalize("NFKC", prompt).lower()
    match = _SUM.search(lowered)
    if match:
        a, op, b = int(match.group(1)), _OPS[match.group(2)], int(match.group(3))
        results = {"+": a + b, "-": a - b, "×": a * b, "÷": round(a / b, 2) if b else "?"}
        return replies["maths"][lang].format(a=a, op=op, b=b, result=results[op])
    words = set(re.findall(r"[a-z]+", lowered))
    for topic in replies["topics"]:
        if any(k in words or (_CJK.search(k) and k in lowered) for k in topic["keywords"]):
            return topic[lang]
    topic = " ".join(prompt.split())[:40].rstrip("?？!！.。")
    return replies["fallback"][lang].format(topic=topic)


@operation("ai.ask", roles=("child",), app="assistant", feature="ai_assistant")
def ai_ask(w: ReferenceWatch, call: Call) -> dict:
    _own_child(call)
    prompt = call.arg("prompt", str)
    replies = filter_data()["assistant"]
    lang = "zh" if _CJK.search(prompt) else "en"
    if not w.defective(ASSISTANT_ANYTHING):
        category = harmful_category(w, prompt)
        if category == "self_harm":
            return {"answer": replies["support"][lang], "refused": True}
        against = not w.defective(ASSISTANT_VALUES) and watch_filter(w).against_values(prompt, chinese=not w.defective(MISSES_CHINESE))
        if (category or against) and w.varies(STRICTER):
            raise Refusal("blocked", "the assistant does not answer this")
        if category or against:
            return {"answer": replies["refusal"][lang], "refused": True}
    return {"answer": "" if w.defective(ASSISTANT_EMPTY) else _answer(prompt), "refused": False}
