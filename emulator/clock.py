"""Two clocks: trusted time, which only the tester moves, and the watch's own display clock, which the child can change.

A conformant watch judges limits, periods and night hours on trusted time in
the guardian's time zone; the display clock is for show.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

GUARDIAN_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")


def parse_iso(text: str) -> float:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=GUARDIAN_TZ)
    return moment.timestamp()


def iso(epoch: float, tz: timezone = GUARDIAN_TZ) -> str:
    return datetime.fromtimestamp(epoch, tz).isoformat(timespec="seconds")


def parse_tz(text: str) -> timezone:
    """'+08:00', 'UTC-05:00' or 'Z' into a fixed offset."""
    text = text.strip().removeprefix("UTC")
    if text in ("", "Z"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, _, minutes = text.lstrip("+-").partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def local_day(epoch: float, tz: timezone = GUARDIAN_TZ) -> str:
    return datetime.fromtimestamp(epoch, tz).date().isoformat()


def minute_of_day(epoch: float, tz: timezone = GUARDIAN_TZ) -> int:
    moment = datetime.fromtimestamp(epoch, tz)
    return moment.hour * 60 + moment.minute


def hhmm_to_minute(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def in_window(minute: int, start: int, end: int) -> bool:
    """Whether minute-of-day falls in [start, end), a window that may wrap past midnight."""
    if start <= end:
        return start <= minute < end
    return minute >= start or minute < end
