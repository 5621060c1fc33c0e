"""Catalogue and profile loading: the shipped data is valid, and a broken file gives one clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conformance import catalogue
from conformance.catalogue import load_catalogue, load_layer, load_profile
from conformance.datafile import ConfigError


def test_shipped_profile_loads_with_every_parameter_a_clause_needs():
    profile = load_profile("gb-2027")
    assert len(profile.clauses) >= 46
    for clause in profile.clauses.values():
        for name in clause.parameters:
            assert name in profile.parameters, f"{clause.id} needs {name}"
    assert profile.parameters["night_start"].layer == "cac-minor-mode-2024"
    assert profile.age_band("age-8-13")["daily_limit_minutes"] > 0


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "clauses.yaml"
    text = (catalogue.DATA_DIR / "clauses.yaml").read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_bad_level_names_file_line_and_field(tmp_path):
    path = _broken_copy(tmp_path, "level: mandatory", "level: compulsory")
    with pytest.raises(ConfigError) as caught:
        load_catalogue(path)
    message = str(caught.value)
    assert str(path) in message and "clauses[0].level" in message and "compulsory" in message
    assert caught.value.line == path.read_text(encoding="utf-8").splitlines().index("    level: compulsory") + 1


def test_missing_title_is_named(tmp_path):
    path = _broken_copy(tmp_path, '    title: {en: "Guardian sets a daily usable duration', '    heading: {en: "Guardian sets a daily usable duration')
    with pytest.raises(ConfigError) as caught:
        load_catalogue(path)
    assert caught.value.field in ("clauses[0].title", "clauses[0]") or "title" in str(caught.value)


def test_duplicate_clause_id(tmp_path):
    path = _broken_copy(tmp_path, "id: CSW-ADD-2", "id: CSW-ADD-1")
    with pytest.raises(ConfigError, match=r"clauses\[1\]\.id.*duplicate clause id CSW-ADD-1"):
        load_catalogue(path)


def test_id_with_characters_a_marker_cannot_hold(tmp_path):
    path = _broken_copy(tmp_path, "id: CSW-ADD-2", "id: CSW-ADD-2 (b)")
    with pytest.raises(ConfigError, match=r"clauses\[1\]\.id"):
        load_catalogue(path)


def test_yaml_syntax_error_gives_line(tmp_path):
    path = tmp_path / "clauses.yaml"
    path.write_text("catalogue: x\nclauses: [\n  - id: CSW-ADD-1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_catalogue(path)
    assert caught.value.field == "(syntax)" and caught.value.line is not None


def test_layer_with_wrong_type_names_parameter(tmp_path):
    source = catalogue.LAYERS_DIR / "platform-social.yaml"
    path = tmp_path / "tailoring.yaml"
    path.write_text(source.read_text(encoding="utf-8").replace("friend_cap: 150", "friend_cap: lots"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_layer(path)
    expected_line = path.read_text(encoding="utf-8").splitlines().index("  friend_cap: lots") + 1
    assert caught.value.field == "parameters.friend_cap" and caught.value.line == expected_line


def test_tailoring_overrides_and_is_recorded(tmp_path):
    path = tmp_path / "lab.yaml"
    path.write_text("layer: my-lab\nsource: lab tailoring 2027\nparameters:\n  friend_cap: 50\n", encoding="utf-8")
    profile = load_profile("gb-2027", [path])
    assert profile.param("friend_cap") == 50 and profile.parameters["friend_cap"].layer == "my-lab"


def test_unknown_profile_lists_known_ones():
    with pytest.raises(ConfigError, match="gb-2027"):
        load_profile("gb-2099")


def test_unknown_parameter_in_layer(tmp_path):
    path = tmp_path / "lab.yaml"
    shutil.copy(catalogue.LAYERS_DIR / "ccia-2024.yaml", path)
    path.write_text(path.read_text(encoding="utf-8") + "  likes_per_hour: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="likes_per_hour"):
        load_layer(path)
