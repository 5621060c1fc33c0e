"""The clause catalogue and the layered profiles that give it numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any, NoReturn

from conformance.datafile import ConfigError, line_of, load_yaml, validate

DATA_DIR = Path(__file__).parent / "data"
PROFILES_DIR = DATA_DIR / "profiles"
LAYERS_DIR = DATA_DIR / "layers"

LEVELS = ("mandatory", "recommended")
SOURCES = ("final", "draft", "related", "inferred")
KINDS = ("automated", "evidence")
# Optional features a device declaration can claim; clauses name them in requires.
FEATURES = ("payments", "social_feed", "app_store", "ai_assistant", "ble", "biometrics", "content_service")

_BILINGUAL = {
    "type": "object",
    "required": ["en", "zh"],
    "properties": {"en": {"type": "string", "minLength": 1}, "zh": {"type": "string", "minLength": 1}},
    "additionalProperties": False,
}

CATALOGUE_SCHEMA = {
    "type": "object",
    "required": ["catalogue", "standard", "areas", "clauses"],
    "additionalProperties": False,
    "properties": {
        "catalogue": {"type": "string"},
        "standard": {"type": "string"},
        "areas": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Z]{3}$"},
            "additionalProperties": {
                "type": "object",
                "required": ["folder", "en", "zh"],
                "properties": {"folder": {"type": "string", "pattern": "^[a-z_]+$"}, "en": {"type": "string"}, "zh": {"type": "string"}},
                "additionalProperties": False,
            },
        },
        "clauses": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["id", "area", "level", "source", "title"],
                "additionalProperties": False,
                "properties": {
                    # Tags become pytest markers: no spaces, '=', '(', ')' or ','.
                    "id": {"type": "string", "pattern": "^CSW-[A-Z]{3}-[0-9]+$"},
                    "area": {"type": "string"},
                    "level": {"enum": list(LEVELS)},
                    "kind": {"enum": list(KINDS)},
                    "source": {"enum": list(SOURCES)},
                    "source_detail": {"type": "string"},
                    "official_clause": {"type": ["string", "null"]},
                    "title": _BILINGUAL,
                    "requires": {"type": "array", "items": {"enum": list(FEATURES)}},
                    "requires_any": {"type": "array", "items": {"enum": list(FEATURES)}},
                    "parameters": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    },
}

PROFILE_SCHEMA = {
    "type": "object",
    "required": ["profile", "title", "catalogue", "layers"],
    "additionalProperties": False,
    "properties": {
        "profile": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "title": _BILINGUAL,
        "catalogue": {"type": "string"},
        "layers": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
}

# Bounds a value must keep for the scenarios to judge it: each says why in the message when it is crossed.
_AGE = {"type": "integer", "minimum": 0, "maximum": 17, "description": "an age band holds ages of a minor, 0..17 years"}
_MINUTES_OF_A_DAY = {"type": "integer", "minimum": 1, "maximum": 1440}
# The friend-cap scenarios make friends one by one up to the cap, and the like scenarios post and like up to the
# quota and burst: a bound keeps that to minutes (the reference platform's cap is 150, its quota 20).
MAX_CREATED = 1000
_COUNT_A_TEST_CREATES = {"type": "integer", "maximum": MAX_CREATED}
_AGE_BAND = {
    "type": "object",
    "required": ["id", "min_age", "max_age", "daily_limit_minutes", "payment_per_transaction_yuan", "payment_per_month_yuan"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "min_age": _AGE,
        "max_age": _AGE,
        "daily_limit_minutes": {**_MINUTES_OF_A_DAY, "description": "a daily limit lies within a day, 1..1440 minutes"},
        "payment_per_transaction_yuan": {"type": "number", "minimum": 0},
        "payment_per_month_yuan": {"type": "number", "minimum": 0},
    },
}
_CLOCK = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"}
_RATE = {"type": "number", "minimum": 0, "maximum": 1}
# Every parameter a clause may use, with its type. A layer may leave one null
# (not publicly known); a clause that needs it then reports why it cannot judge.
PARAMETER_SCHEMAS: dict[str, dict] = {
    "basic_functions": {"type": "array", "items": {"type": "string"}},
    "harmful_app_categories": {"type": "array", "items": {"type": "string"}},
    "security_update_min_years": {"type": ["number", "null"], "minimum": 0},
    "default_passwords": {"type": "array", "items": {"type": "string"}},
    "content_block_rate_min": _RATE,
    "content_pass_rate_min": _RATE,
    "content_pool_max_age_days": {"type": "integer", "minimum": 1},
    "age_bands": {"type": "array", "items": _AGE_BAND, "minItems": 1},
    "night_start": _CLOCK,
    "night_end": _CLOCK,
    "rest_reminder_minutes": {**_MINUTES_OF_A_DAY, "description": "a rest reminder is due within a day of continuous use, 1..1440 minutes"},
    "location_max_error_m": {"type": "number", "minimum": 0},
    "friend_cap": {**_COUNT_A_TEST_CREATES, "minimum": 1, "description": f"a friend cap lies between 1 and {MAX_CREATED}, the most friends a scenario makes one by one"},
    "daily_like_quota": {**_COUNT_A_TEST_CREATES, "minimum": 0, "description": f"a daily like quota lies between 0 and {MAX_CREATED}, the most likes a scenario gives one by one"},
    "bot_like_burst": {**_COUNT_A_TEST_CREATES, "minimum": 1, "description": f"a bot-like burst lies between 1 and {MAX_CREATED}, the most likes a scenario gives one by one"},
}

# How a device's own value is judged against each parameter: a watch may always be stricter than the
# profile, never looser. at_most: the device's value may be lower (a shorter limit, a lower cap);
# at_least: higher (a longer support period, a higher block rate); covers: the device's window must
# contain the profile's (a longer night); includes: the device keeps at least these; exactly: the value
# itself is the requirement (a band's ages, a reminder due after this long of continuous use).
DIRECTIONS = ("at_most", "at_least", "covers", "includes", "exactly")
PARAMETER_DIRECTIONS: dict[str, str] = {
    "basic_functions": "includes",
    "harmful_app_categories": "includes",
    "security_update_min_years": "at_least",
    "default_passwords": "includes",
    "content_block_rate_min": "at_least",
    "content_pass_rate_min": "at_least",
    "content_pool_max_age_days": "at_most",
    "age_bands": "at_most",  # each band's daily limit and payment caps; its ages are exact
    "night_start": "covers",
    "night_end": "covers",
    "rest_reminder_minutes": "exactly",
    "location_max_error_m": "at_most",
    "friend_cap": "at_most",
    "daily_like_quota": "at_most",
    "bot_like_burst": "at_most",
}
assert set(PARAMETER_DIRECTIONS) == set(PARAMETER_SCHEMAS) and set(PARAMETER_DIRECTIONS.values()) <= set(DIRECTIONS)

LAYER_SCHEMA = {
    "type": "object",
    "required": ["layer", "source", "parameters"],
    "additionalProperties": False,
    "properties": {
        "layer": {"type": "string"},
        "source": {"type": "string"},
        "parameters": {"type": "object", "properties": PARAMETER_SCHEMAS, "additionalProperties": False},
    },
}


@dataclass(frozen=True)
class Area:
    code: str
    folder: str
    en: str
    zh: str


@dataclass(frozen=True)
class Clause:
    id: str
    area: str
    level: str
    source: str
    title_en: str
    title_zh: str
    kind: str = "automated"
    source_detail: str = ""
    official_clause: str | None = None
    requires: tuple[str, ...] = ()
    requires_any: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()

    @property
    def mandatory(self) -> bool:
        return self.level == "mandatory"


@dataclass(frozen=True)
class Parameter:
    name: str
    value: Any
    layer: str
    source: str
    path: str = ""  # the layer file that set it, and the line, for messages about its value
    line: int | None = None

    @property
    def direction(self) -> str:
        return PARAMETER_DIRECTIONS[self.name]


@dataclass
class Profile:
    name: str
    title_en: str
    title_zh: str
    standard: str
    areas: dict[str, Area]
    clauses: dict[str, Clause]
    parameters: dict[str, Parameter] = field(default_factory=dict)
    # The files it was loaded from, in order: (role, path, name), role one of profile, catalogue, layer, tailoring;
    # name: where the file goes in a folder that loads as this profile again (load_profile's data_dir).
    files: list[tuple[str, Path, str]] = field(default_factory=list, repr=False)
    # The parameters read since the plugin last cleared it (each scenario's evidence names what it ran with).
    read: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def param(self, name: str) -> Any:
        """The value of a parameter (KeyError names it when no layer sets it)."""
        try:
            value = self.parameters[name].value
        except KeyError:
            raise KeyError(f"profile {self.name} sets no parameter '{name}'") from None
        self.read.setdefault(name, value)
        return value

    def admits(self, name: str, observed: float, required: float | None = None) -> bool:
        """Whether a device's own number meets parameter `name` in its direction (`required`: a value derived from it)."""
        direction = PARAMETER_DIRECTIONS[name]
        required = self.param(name) if required is None else required
        if direction == "at_most":
            return observed <= required
        if direction == "at_least":
            return observed >= required
        if direction == "exactly":
            return observed == required
        raise ValueError(f"parameter '{name}' is judged as '{direction}', not as a number")

    def age_band(self, band_id: str) -> dict:
        for band in self.param("age_bands"):
            if band["id"] == band_id:
                return dict(band)
        raise KeyError(f"profile {self.name} has no age band '{band_id}'")


def load_catalogue(path: Path) -> tuple[str, dict[str, Area], dict[str, Clause]]:
    data = load_yaml(path)
    validate(data, CATALOGUE_SCHEMA, path)
    areas = {code: Area(code, a["folder"], a["en"], a["zh"]) for code, a in data["areas"].items()}
    clauses: dict[str, Clause] = {}
    for index, raw in enumerate(data["clauses"]):
        where = ["clauses", index]
        if raw["id"] in clauses:
            raise ConfigError(path, f"clauses[{index}].id", f"duplicate clause id {raw['id']}", line_of(data, where))
        if raw["area"] not in areas:
            raise ConfigError(path, f"clauses[{index}].area", f"unknown area '{raw['area']}' (known: {', '.join(areas)})", line_of(data, [*where, "area"]))
        if not raw["id"].startswith(f"CSW-{raw['area']}-"):
            raise ConfigError(path, f"clauses[{index}].id", f"id {raw['id']} does not match its area {raw['area']}", line_of(data, [*where, "id"]))
        for name in raw.get("parameters", []):
            if name not in PARAMETER_SCHEMAS:
                raise ConfigError(path, f"clauses[{index}].parameters", f"unknown parameter '{name}'", line_of(data, [*where, "parameters"]))
        clauses[raw["id"]] = Clause(
            id=raw["id"],
            area=raw["area"],
            level=raw["level"],
            source=raw["source"],
            title_en=raw["title"]["en"],
            title_zh=raw["title"]["zh"],
            kind=raw.get("kind", "automated"),
            source_detail=raw.get("source_detail", ""),
            official_clause=raw.get("official_clause"),
            requires=tuple(raw.get("requires", ())),
            requires_any=tuple(raw.get("requires_any", ())),
            parameters=tuple(raw.get("parameters", ())),
        )
    return data["standard"], areas, clauses


def load_layer(path: Path) -> list[Parameter]:
    data = load_yaml(path)
    validate(data, LAYER_SCHEMA, path)
    return [Parameter(name, value, data["layer"], data["source"], str(path), line_of(data, ["parameters", name])) for name, value in data["parameters"].items()]


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def load_profile(name_or_path: str | Path = "gb-2027", tailoring: list[Path] | None = None, data_dir: Path = DATA_DIR) -> Profile:
    """Load a profile by name (shipped) or path, applying its layers and any tailoring files in order.

    `data_dir` holds the catalogue and layers/ (another one: a profile as an evidence bundle recorded it)."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES_DIR / f"{name_or_path}.yaml"
        if not path.exists():
            raise ConfigError(path, "profile", f"no profile named '{name_or_path}' (known: {', '.join(available_profiles())})")
    data = load_yaml(path)
    validate(data, PROFILE_SCHEMA, path)
    standard, areas, clauses = load_catalogue(data_dir / data["catalogue"])
    profile = Profile(data["profile"], data["title"]["en"], data["title"]["zh"], standard, areas, clauses)
    layers = [data_dir / "layers" / f"{layer}.yaml" for layer in data["layers"]]
    layer_paths = layers + list(tailoring or [])
    profile.files = [
        ("profile", path, path.name), ("catalogue", data_dir / data["catalogue"], data["catalogue"]),
        *(("layer", p, f"layers/{name}.yaml") for p, name in zip(layers, data["layers"], strict=True)),
        *(("tailoring", Path(p), f"tailoring/{index}-{Path(p).name}") for index, p in enumerate(tailoring or [], 1)),
    ]
    set_by: dict[str, int] = {}  # parameter -> index of the last layer that set it
    for index, layer_path in enumerate(layer_paths):
        for parameter in load_layer(layer_path):
            profile.parameters[parameter.name] = parameter
            set_by[parameter.name] = index
    check_parameters(profile.parameters, set_by)
    for clause in clauses.values():
        for name in clause.parameters:
            if name not in profile.parameters:
                raise ConfigError(path, "layers", f"no layer sets parameter '{name}' needed by {clause.id}")
    return profile


def check_parameters(parameters: dict[str, Parameter], set_by: dict[str, int]) -> None:
    """What the schema cannot see: a night that lasts, and age bands that hold each age once.

    A profile that fails these would give FAILs on a conformant watch, so it is refused when it loads,
    naming the layer file and line that set the value at fault.
    """
    start, end = parameters.get("night_start"), parameters.get("night_end")
    if start and end and start.value is not None and start.value == end.value:
        later, other = (start, end) if set_by.get("night_start", 0) > set_by.get("night_end", 0) else (end, start)
        raise ConfigError(later.path, f"parameters.{later.name}", f"is {later.value}, the same as {other.name} (set at {other.path}:{other.line}): the night hours would last no time", later.line)
    bands = parameters.get("age_bands")
    if bands and bands.value:
        _check_age_bands(bands)


def _check_age_bands(bands: Parameter) -> None:
    """Each band's ages in order and its payment caps consistent; together the bands hold each age at most once and leave no gap."""
    field = "parameters.age_bands"

    def fail(index: int, key: str, message: str) -> NoReturn:
        raise ConfigError(bands.path, f"{field}[{index}].{key}", message, line_of(bands.value, [index, key]) or bands.line)

    ids: dict[str, int] = {}
    for index, band in enumerate(bands.value):
        if band["id"] in ids:
            fail(index, "id", f"'{band['id']}' already names age_bands[{ids[band['id']]}]: each band needs its own id")
        ids[band["id"]] = index
        if band["min_age"] > band["max_age"]:
            fail(index, "max_age", f"{band['max_age']} is below the band's min_age {band['min_age']}: a band holds the ages from min_age to max_age")
        if band["payment_per_transaction_yuan"] > band["payment_per_month_yuan"]:
            fail(index, "payment_per_transaction_yuan", f"{band['payment_per_transaction_yuan']} is above the band's payment_per_month_yuan {band['payment_per_month_yuan']}: one payment cannot be allowed more than a month allows")
    order = sorted(range(len(bands.value)), key=lambda i: bands.value[i]["min_age"])
    for before, after in pairwise(order):
        low, high = bands.value[before], bands.value[after]
        lower = f"band '{low['id']}' (ages {low['min_age']}-{low['max_age']})"
        if high["min_age"] <= low["max_age"]:
            fail(after, "min_age", f"band '{high['id']}' (ages {high['min_age']}-{high['max_age']}) overlaps {lower}: a child's age must fall in one band")
        if high["min_age"] > low["max_age"] + 1:
            gap = f"age {low['max_age'] + 1}" if high["min_age"] == low["max_age"] + 2 else f"ages {low['max_age'] + 1}-{high['min_age'] - 1}"
            fail(after, "min_age", f"band '{high['id']}' starts at age {high['min_age']}, so {gap}, after {lower}, falls in no band: the bands must follow one another without a gap")
