"""Loading YAML data files with line numbers, and validating them against a schema.

Every data file the harness reads (catalogue, profile layers, device
declarations) goes through here, so a broken file always gives one message
naming the file, the field and the line.
"""

from __future__ import annotations

import codecs
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import yaml


class ConfigError(Exception):
    """A data file is missing, unreadable or does not match its schema."""

    def __init__(self, path: Path | str, field: str, message: str, line: int | None = None):
        self.path = str(path)
        self.field = field
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: field '{field}': {message}")


class _MarkedDict(dict):
    """A mapping that remembers the line of each of its keys."""

    lines: dict[str, int]


# What a data file may hold. The shipped ones are a few kilobytes and about a thousand values; the caps
# refuse a "billion laughs" alias bomb (a small file whose aliases expand to billions of values) or a
# runaway file before it is built into objects.
MAX_FILE_BYTES = 1_000_000
MAX_VALUES = 100_000  # values in the document, each alias (*name) counting as all it stands for
MAX_DEPTH = 50  # mappings and lists within one another
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


class _Refused(Exception):
    """Something a data file must not hold, found while composing it (the loader does not know the file's path)."""

    def __init__(self, field: str, message: str, mark: yaml.Mark):
        super().__init__(message)
        self.field, self.message, self.line = field, message, mark.line + 1


class _MarkingLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, alias bombs and deep nesting, while it composes nodes."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._values = 0
        self._anchor_sizes: dict[str, int] = {}  # anchor -> values it stands for, once its node is complete
        self._path: list[str | int] = []  # keys and indexes down to the node being composed

    def _count(self, values: int, mark: yaml.Mark) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            raise _Refused("(size)", f"holds more than {MAX_VALUES:,} values, each alias counting as all it stands for (a data file needs about a thousand: is it an alias bomb?)", mark)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)  # refuses an undefined alias
            if event.anchor not in self._anchor_sizes:
                raise _Refused(dotted(self._path), f"the alias *{event.anchor} stands inside the node it names, which would make it endless", event.start_mark)
            self._count(self._anchor_sizes[event.anchor], event.start_mark)
            return node
        if len(self._path) >= MAX_DEPTH:
            raise _Refused("(nesting)", f"nests deeper than {MAX_DEPTH} levels of mappings and lists", event.start_mark)
        before = self._values
        self._count(1, event.start_mark)
        step = index.value if isinstance(index, yaml.ScalarNode) else index  # a mapping's key, a list's index; None for a key itself
        if step is not None:
            self._path.append(step)
        try:
            node = super().compose_node(parent, index)
        finally:
            if step is not None:
                self._path.pop()
        if event.anchor is not None:
            self._anchor_sizes[event.anchor] = self._values - before
        return node

    def compose_scalar_node(self, anchor: str | None) -> yaml.ScalarNode:
        node = super().compose_scalar_node(anchor)
        # YAML reads 2027-02-30 as a date and only fails when it builds it, without saying where: check it here.
        if node.tag == _TIMESTAMP_TAG:
            try:
                self.construct_yaml_timestamp(node)
            except ValueError as exc:
                raise _Refused(dotted(self._path), f"{node.value!r} is not a real date ({exc})", node.start_mark) from None
        return node

    def compose_mapping_node(self, anchor: str | None) -> yaml.MappingNode:
        node = super().compose_mapping_node(anchor)
        # YAML keeps the last of two equal keys without a word; in a declaration that hides a mistake.
        first: dict[tuple[str, str], yaml.Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                continue
            earlier = first.setdefault((key_node.tag, key_node.value), key_node)
            if earlier is not key_node:
                raise _Refused(dotted([*self._path, key_node.value]), f"is given twice, at lines {earlier.start_mark.line + 1} and {key_node.start_mark.line + 1}: keep one", key_node.start_mark)
        return node


def _construct_mapping(loader: _MarkingLoader, node: yaml.MappingNode) -> _MarkedDict:
    mapping = _MarkedDict(loader.construct_mapping(node, deep=True))
    mapping.lines = {
        str(key_node.value): key_node.start_mark.line + 1 for key_node, _ in node.value
    }
    mapping.lines["__self__"] = node.start_mark.line + 1
    return mapping


_MarkingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_text(path: Path) -> str:
    """The file as text: UTF-8 (a byte-order mark allowed), at most MAX_FILE_BYTES."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(path, "(file)", f"cannot be read: {exc.strerror or exc}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(path, "(size)", f"is larger than {MAX_FILE_BYTES:,} bytes (a data file is a few kilobytes)")
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise ConfigError(path, "(encoding)", "is UTF-32 text (it starts with a UTF-32 byte-order mark): save it as UTF-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ConfigError(path, "(encoding)", "is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8")
    if b"\0" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\0")) + 1
        raise ConfigError(path, "(encoding)", "holds NUL bytes, so it is a binary file or UTF-16 text, not UTF-8 YAML", line)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = raw.count(b"\n", 0, exc.start) + 1, exc.start - raw.rfind(b"\n", 0, exc.start)
        raise ConfigError(path, "(encoding)", f"is not UTF-8 (byte 0x{raw[exc.start]:02x} at column {column} starts no UTF-8 character): save it as UTF-8", line) from None


def load_yaml(path: Path | str) -> Any:
    """Read a YAML file, keeping line numbers for later error messages."""
    path = Path(path)
    text = _read_text(path)
    loader = None
    try:
        loader = _MarkingLoader(text)  # it checks the characters at once
        return loader.get_single_data()
    except _Refused as exc:
        raise ConfigError(path, exc.field, exc.message, exc.line) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ConfigError(path, "(syntax)", f"holds the control character #x{exc.character:04x}, which YAML does not allow", line) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)
        raise ConfigError(path, "(syntax)", f"is not valid YAML: {problem}", line) from exc
    finally:
        if loader is not None:
            loader.dispose()


def line_of(data: Any, field_path: list[str | int]) -> int | None:
    """The line where `field_path` (or its nearest known parent) sits in loaded data."""
    line = data.lines.get("__self__") if isinstance(data, _MarkedDict) else None
    node = data
    for key in field_path:
        if isinstance(node, _MarkedDict) and key in node:
            line = node.lines.get(str(key), line)
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
            if isinstance(node, _MarkedDict):
                line = node.lines.get("__self__", line)
        else:
            break
    return line


def dotted(field_path: list[str | int]) -> str:
    out = ""
    for key in field_path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "(top level)"


# The formats the schemas name, checked (jsonschema checks none unless given a checker). A date and time is
# ISO 8601 as the steps and the emulator parse it; without a time zone the guardian's is meant.
FORMATS = jsonschema.FormatChecker(["date"])
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
FORMAT_WORDS = {"date": "an ISO date such as 2031-12-31", "date-time": "an ISO date and time such as 2027-01-04T09:00:00+08:00"}


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(instance: object) -> bool:
    return not isinstance(instance, str) or bool(_DATE_TIME.fullmatch(instance) and datetime.fromisoformat(instance))


RANGE_CHECKS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
MAX_MESSAGE = 300  # a wrong value can be a whole subtree; its repr is cut short


def _problem(error: jsonschema.ValidationError) -> str:
    if error.validator == "format" and error.validator_value in FORMAT_WORDS:
        return f"{error.instance!r} is not {FORMAT_WORDS[error.validator_value]}"
    message = error.message if len(error.message) <= MAX_MESSAGE else error.message[:MAX_MESSAGE] + "..."
    if error.validator in RANGE_CHECKS and "description" in error.schema:
        message += f" ({error.schema['description']})"  # why the bound is where it is
    return message


def validate(data: Any, schema: dict, path: Path | str) -> None:
    """Check `data` against a JSON Schema; raise ConfigError on the first problem."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return
    error = errors[0]
    field_path = list(error.absolute_path)
    if error.validator == "required":
        # Name the missing key itself, not its parent.
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        raise ConfigError(path, dotted([*field_path, missing]), "is required", line_of(data, field_path))
    raise ConfigError(path, dotted(field_path), _problem(error), line_of(data, field_path))
