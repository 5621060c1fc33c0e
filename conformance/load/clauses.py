"""The LOAD clauses: what the audit after a like load judges, in the conformance report's terms.

They are the load-suite's own requirements, each derived from a clause of the
standard's catalogue (`derived_from`), and are kept out of the standard's
catalogue (conformance/data/clauses.yaml) on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

AREA = "LOAD"
AREA_TITLE = {"en": "Social core under like load", "zh": "点赞负载下的社交核心"}


@dataclass(frozen=True)
class LoadClause:
    id: str
    title_en: str
    title_zh: str
    derived_from: tuple[str, ...]
    parameters: tuple[str, ...] = ()
    level: str = "mandatory"


LOAD_CLAUSES = (
    LoadClause("LOAD-1", "Every like acknowledged to a client is in the ledger exactly once, and nothing else is",
               "每个已向客户端确认的点赞在账本中恰好记录一次，且无多余记录", ("CSW-SOC-4",)),
    LoadClause("LOAD-2", "No account likes more than the daily quota, however many requests arrive at once",
               "无论并发请求多少，任何账号每日点赞数不超过配额", ("CSW-SOC-4",), ("daily_like_quota",)),
    LoadClause("LOAD-3", "One like per account per post, and every post's like counter matches its likes",
               "每个账号对每条动态只能点赞一次，且点赞计数与点赞记录一致", ("CSW-SOC-4",)),
    LoadClause("LOAD-4", "Friendships stay within the cap and the guardian's approval; no stranger is added remotely",
               "好友数不超过上限且须经监护人批准，陌生人不可远程添加", ("CSW-SOC-2",), ("friend_cap",)),
    LoadClause("LOAD-5", "Likes at inhuman rates are throttled: no account exceeds the bot burst within a minute",
               "非人类速率的点赞被限流：任何账号一分钟内点赞数不超过上限", ("CSW-SOC-4",), ("bot_like_burst",)),
    LoadClause("LOAD-6", "The child's account does not change hands: re-binding without the guardian's verification always fails",
               "儿童账号不可转让：未经原监护人验证的换绑始终失败", ("CSW-SOC-5",)),
)
