"""Bad input stops a run before it starts: one line naming file, line and field, exit status 4, and no report.

Data files (any declaration, profile or tailoring) are read as UTF-8 YAML within a size, with no duplicate keys and
no alias bomb.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import datafile
from conformance.datafile import ConfigError, load_yaml
from conformance.declaration import DEFAULT_DECLARATION, load_declaration

DECLARATION = DEFAULT_DECLARATION.read_text(encoding="utf-8")


def _declaration(tmp_path: Path, text: str = DECLARATION, *, name: str = "watch.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_declaration(path)
    return caught.value


# -- reading a data file -----------------------------------------------------------


@pytest.mark.parametrize(("content", "line", "words"), [
    (DECLARATION.replace("RW-1 reference watch", "RW-1 r\xe9f\xe9rence watch").encode("latin-1"), 4, "not UTF-8 (byte 0xe9"),
    (b"declaration: 1\nmodel: \xff\xff\n", 2, "not UTF-8 (byte 0xff"),
    (DECLARATION.encode("utf-16"), None, "UTF-16"),
    (bytes(range(256)) * 4, 1, "binary"),
], ids=["latin-1", "0xff", "utf-16-bom", "binary"])
def test_a_declaration_not_in_utf8_is_named_with_its_line(tmp_path, content, line, words):
    path = tmp_path / "watch.yaml"
    path.write_bytes(content)
    refusal = _refusal(path)
    assert (refusal.field, refusal.line) == ("(encoding)", line) and words in refusal.message and str(path) in str(refusal)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "watch.yaml"
    path.write_bytes(DECLARATION.encode("utf-8-sig"))
    assert load_declaration(path).model == "RW-1 reference watch"


def billion_laughs() -> str:
    """The classic alias bomb: half a kilobyte that expands to 10^9 strings."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_built(tmp_path):
    path = _declaration(tmp_path, billion_laughs())
    assert path.stat().st_size < 2000
    refusal = _refusal(path)
    assert refusal.field == "(size)" and "100,000 values" in refusal.message and refusal.line == 5


def test_an_alias_inside_the_node_it_names_is_refused(tmp_path):
    refusal = _refusal(_declaration(tmp_path, "features: &loop [1, *loop]\n"))
    assert refusal.field == "features" and "*loop" in refusal.message


def test_nesting_without_end_is_refused(tmp_path):
    refusal = _refusal(_declaration(tmp_path, "[" * 5000 + "]" * 5000 + "\n"))
    assert refusal.field == "(nesting)" and "50 levels" in refusal.message


def test_a_file_above_the_size_cap_is_refused(tmp_path):
    cap = datafile.MAX_FILE_BYTES
    path = _declaration(tmp_path, DECLARATION + "# padding\n" * (cap // 10))
    refusal = _refusal(path)
    assert refusal.field == "(size)" and f"{cap:,} bytes" in refusal.message


def test_a_duplicate_key_names_both_lines(tmp_path):
    path = _declaration(tmp_path, DECLARATION.replace("  payments: true\n", "  payments: true\n  payments: false\n", 1))
    lines = path.read_text(encoding="utf-8").splitlines()
    first, second = lines.index("  payments: true") + 1, lines.index("  payments: false") + 1
    refusal = _refusal(path)
    assert (refusal.field, refusal.line) == ("features.payments", second)
    assert f"lines {first} and {second}" in refusal.message


def test_equal_keys_in_different_mappings_are_no_duplicate(tmp_path):
    path = _declaration(tmp_path, "a: {name: 1}\nb: {name: 2}\nc: [{name: 3}, {name: 4}]\n")
    assert load_yaml(path) == {"a": {"name": 1}, "b": {"name": 2}, "c": [{"name": 3}, {"name": 4}]}


def test_a_control_character_gives_its_line(tmp_path):
    path = _declaration(tmp_path, DECLARATION.replace("firmware: 1.0.0", "firmware: 1.0.0\x07", 1))
    refusal = _refusal(path)
    assert refusal.field == "(syntax)" and refusal.line == DECLARATION.splitlines().index("firmware: 1.0.0") + 1
