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


def _tailoring(tmp_path: Path, parameters: str) -> Path:
    path = tmp_path / "lab.yaml"
    path.write_text(f"layer: my-lab\nsource: lab tailoring 2027\nparameters:\n{parameters}", encoding="utf-8")
    return path


def _refused_profile(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_profile("gb-2027", [path])
    assert str(caught.value).startswith(f"{path}:{caught.value.line}: field '{caught.value.field}': ")
    return caught.value


def _band(band_id: str, min_age: int, max_age: int, daily: int = 60, per_transaction: int = 0, per_month: int = 0) -> str:
    return (f"    - {{id: {band_id}, min_age: {min_age}, max_age: {max_age}, daily_limit_minutes: {daily}, "
            f"payment_per_transaction_yuan: {per_transaction}, payment_per_month_yuan: {per_month}}}\n")


def test_a_night_that_lasts_no_time(tmp_path):
    refusal = _refused_profile(_tailoring(tmp_path, '  night_end: "22:00"\n'))
    assert (refusal.field, refusal.line) == ("parameters.night_end", 4)
    assert "the same as night_start" in refusal.message and "cac-minor-mode-2024.yaml:" in refusal.message


def test_a_night_moved_by_its_start_blames_the_start(tmp_path):
    refusal = _refused_profile(_tailoring(tmp_path, '  night_start: "06:00"\n'))
    assert refusal.field == "parameters.night_start" and "the same as night_end" in refusal.message


def test_a_night_within_one_day_loads(tmp_path):
    profile = load_profile("gb-2027", [_tailoring(tmp_path, '  night_start: "00:00"\n  night_end: "06:00"\n')])
    assert (profile.param("night_start"), profile.param("night_end")) == ("00:00", "06:00")


@pytest.mark.parametrize(("parameters", "field", "words"), [
    ("  friend_cap: 100000000\n", "parameters.friend_cap", "between 1 and 1000"),
    ("  daily_like_quota: 5000\n", "parameters.daily_like_quota", "between 0 and 1000"),
    ("  rest_reminder_minutes: 10000000\n", "parameters.rest_reminder_minutes", "1..1440 minutes"),
    ("  age_bands:\n" + _band("all", 3, 13, daily=1441), "parameters.age_bands[0].daily_limit_minutes", "1..1440 minutes"),
    ("  age_bands:\n" + _band("all", 3, 130), "parameters.age_bands[0].max_age", "0..17 years"),
])
def test_a_parameter_out_of_its_range_says_the_range(tmp_path, parameters, field, words):
    refusal = _refused_profile(_tailoring(tmp_path, parameters))
    assert refusal.field == field and refusal.line == 3 + parameters.count("\n") and words in refusal.message  # the value's own line


@pytest.mark.parametrize(("bands", "index", "field", "words"), [
    (_band("young", 3, 7) + _band("old", 13, 8), 1, "max_age", "8 is below the band's min_age 13"),
    (_band("young", 3, 8) + _band("old", 8, 13), 1, "min_age", "overlaps band 'young' (ages 3-8)"),
    (_band("old", 8, 13) + _band("young", 3, 9), 0, "min_age", "band 'old' (ages 8-13) overlaps band 'young'"),
    (_band("young", 3, 6) + _band("old", 8, 13), 1, "min_age", "so age 7, after band 'young' (ages 3-6), falls in no band"),
    (_band("young", 3, 7) + _band("young", 8, 13), 1, "id", "already names age_bands[0]"),
    (_band("young", 3, 13, per_transaction=50, per_month=20), 0, "payment_per_transaction_yuan", "above the band's payment_per_month_yuan 20"),
])
def test_age_bands_must_hold_each_age_once(tmp_path, bands, index, field, words):
    refusal = _refused_profile(_tailoring(tmp_path, "  age_bands:\n" + bands))
    assert (refusal.field, refusal.line) == (f"parameters.age_bands[{index}].{field}", 5 + index) and words in refusal.message


def test_bands_that_follow_one_another_load(tmp_path):
    profile = load_profile("gb-2027", [_tailoring(tmp_path, "  age_bands:\n" + _band("older", 8, 17, per_transaction=50, per_month=200) + _band("younger", 0, 7))])
    assert profile.age_band("younger")["max_age"] == 7
