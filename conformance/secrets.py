"""The declaration's secrets, masked wherever evidence is written.

Two rules, both always applied:

- by key: the text or number under any key naming a token, a password or a
  secret (and the DTP envelope's `auth`), whatever it is: a wrong password
  the harness derived from the right one is as telling as the right one.
  Flags (`password_set: true`) stay, and lists and objects under such a key
  are masked item by item (a profile's list of known default passwords is
  public);
- by value: every secret the declaration holds, wherever it shows up inside a
  string (a reason, an object's repr, a log line, a reply that echoes it).

One `Masker` per run, built from the declaration; every writer of evidence
goes through it (scenario results and results.json, the HTML and JUnit
reports, Allure results and attachments, captured logs).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from enum import Enum
from typing import Any

MASK = "***"
SECRET_WORDS = ("token", "password", "secret")  # any key naming one of these is masked
SECRET_KEYS = frozenset({"auth"})  # the DTP envelope's test-agent token


@functools.lru_cache(maxsize=4096)  # a run meets a few hundred distinct keys, millions of times
def _names_a_secret(key: str) -> bool:
    return key in SECRET_KEYS or any(word in key.lower() for word in SECRET_WORDS)


def is_secret_key(key: Any) -> bool:
    return isinstance(key, str) and _names_a_secret(key)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def secret_values(data: Any) -> list[str]:
    """The values held under secret keys anywhere in `data` (a declaration as loaded)."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if is_secret_key(key) and _is_scalar(value):
                found.append(str(value))
            else:
                found += secret_values(value)
    elif isinstance(data, list | tuple):
        for item in data:
            found += secret_values(item)
    return found


class Masker:
    """`mask(value)`: `value` with every secret masked, by key and by value; containers and dataclasses are copied, not changed."""

    def __init__(self, secrets: Iterable[str] = ()):
        # Longest first, so that a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def text(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text

    def __call__(self, value: Any) -> Any:
        if type(value) is str:  # the common case first
            return self.text(value)
        if isinstance(value, Enum | bool | int | float) or value is None:
            return value  # a verdict is a str too, and must stay a verdict
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self(key): (MASK if is_secret_key(key) and _is_scalar(item) and item != "" else self(item)) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self(item) for item in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.replace(value, **{f.name: self(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init})
        return value
