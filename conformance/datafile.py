"""Loading YAML data files with line numbers, and validating them against a schema.

Every data file the harness reads (catalogue, profile layers, device
declarations) goes through here, so a broken file always gives one message
naming the file, the field and the line.
"""

from __future__ import annotations

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


class _MarkingLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _MarkingLoader, node: yaml.MappingNode) -> _MarkedDict:
    mapping = _MarkedDict(loader.construct_mapping(node, deep=True))
    mapping.lines = {
        str(key_node.value): key_node.start_mark.line + 1 for key_node, _ in node.value
    }
    mapping.lines["__self__"] = node.start_mark.line + 1
    return mapping


_MarkingLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path: Path | str) -> Any:
    """Read a YAML file, keeping line numbers for later error messages."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(path, "(file)", f"cannot be read: {exc.strerror or exc}") from exc
    try:
        return yaml.load(text, Loader=_MarkingLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise ConfigError(path, "(syntax)", f"is not valid YAML: {getattr(exc, 'problem', exc)}", line) from exc


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


def validate(data: Any, schema: dict, path: Path | str) -> None:
    """Check `data` against a JSON Schema; raise ConfigError on the first problem."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return
    error = errors[0]
    field_path = list(error.absolute_path)
    if error.validator == "required":
        # Name the missing key itself, not its parent.
        missing = error.message.split("'")[1] if "'" in error.message else "?"
        raise ConfigError(path, dotted([*field_path, missing]), "is required", line_of(data, field_path))
    if error.validator == "additionalProperties":
        raise ConfigError(path, dotted(field_path), error.message, line_of(data, field_path))
    raise ConfigError(path, dotted(field_path), error.message, line_of(data, field_path))
