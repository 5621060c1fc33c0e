"""Reading an operation's arguments: the one place where their presence, type and range are checked.

Handlers read every argument with `call.arg(name, kind, ...)`. A missing,
mistyped or out-of-range argument is answered `bad_request` naming it, before
the rule acts (docs/protocol.md, 6.1 step 8), so that no value a request can
carry reaches the rules or the store unchecked and fails there as `internal`.

Types are JSON's, checked exactly: `true` is not a number, `1.5` is not an
integer, `null` is a value only where the argument allows it, and text must be
valid Unicode (a lone surrogate, which JSON escapes can spell, is not).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from emulator.operations import Refusal

Kind = type | tuple[type, ...] | None

_NAMES = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "an object"}
# What the argument's own format parser raises on a value it cannot read.
PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError)


def read(op: str, args: dict[str, Any], name: str, kind: Kind = None, default: Any = ..., *, nullable: bool = False, items: Kind = None,
         minimum: float | None = None, maximum: float | None = None, parse: Callable[[Any], Any] | None = None) -> Any:
    """The argument `name` of `op`, checked; `default` when it is absent (no default: it is required).

    kind: the JSON type(s) it must have (None: any, the handler checks it). nullable: `null` is a value
    (so is it wherever the default is None). items: the type of a list's elements. minimum, maximum: a
    number's range, inclusive. parse: reads the argument's format (a time, a list of periods); what it
    raises on a malformed value becomes `bad_request` naming the argument.
    """
    if name not in args:
        if default is ...:
            raise Refusal("bad_request", f"{op} needs argument '{name}'")
        return default
    value = args[name]
    if value is None and (kind is None or nullable or default is None):
        return None
    if kind is not None:
        _check_type(op, name, value, kind)
        if items is not None:
            for index, item in enumerate(value):
                _check_type(op, name, item, items, f"item {index} of ")
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        raise Refusal("bad_request", f"{op}: argument '{name}' must be {_range(minimum, maximum)}, not {value!r}")
    if parse is None:
        return value
    try:
        return parse(value)
    except PARSE_ERRORS as exc:
        raise Refusal("bad_request", f"{op}: argument '{name}' cannot be read: {exc}") from None


def is_kind(value: Any, kind: type | tuple[type, ...]) -> bool:
    """Whether `value` has the JSON type `kind` names (a boolean is no number, a non-finite float no number either)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool):
        return bool in kinds
    if isinstance(value, float):
        return float in kinds and math.isfinite(value)
    return isinstance(value, kinds)


def is_text(value: str) -> bool:
    """Whether a string is valid Unicode text, as UTF-8 can carry it (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_type(op: str, name: str, value: Any, kind: type | tuple[type, ...], item: str = "") -> None:
    if not is_kind(value, kind):
        raise Refusal("bad_request", f"{op}: {item}argument '{name}' must be {_describe(kind)}, not {_describe_value(value)}")
    if isinstance(value, str) and not is_text(value):
        raise Refusal("bad_request", f"{op}: {item}argument '{name}' is not valid Unicode text (it holds a lone surrogate)")


def _describe(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(_NAMES.get(k, k.__name__) for k in kinds)


def _describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return _describe(type(value))


def _range(minimum: float | None, maximum: float | None) -> str:
    if minimum is not None and maximum is not None:
        return f"between {minimum:g} and {maximum:g}"
    return f"at least {minimum:g}" if minimum is not None else f"at most {maximum:g}"
