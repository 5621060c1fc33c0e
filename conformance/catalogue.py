"""The clause catalogue and the layered profiles that give it numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

_AGE_BAND = {
    "type": "object",
    "required": ["id", "min_age", "max_age", "daily_limit_minutes", "payment_per_transaction_yuan", "payment_per_month_yuan"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "min_age": {"type": "integer", "minimum": 0},
        "max_age": {"type": "integer", "minimum": 0},
        "daily_limit_minutes": {"type": "integer", "minimum": 1},
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
    "rest_reminder_minutes": {"type": "integer", "minimum": 1},
    "location_max_error_m": {"type": "number", "minimum": 0},
    "friend_cap": {"type": "integer", "minimum": 1},
    "daily_like_quota": {"type": "integer", "minimum": 0},
    "bot_like_burst": {"type": "integer", "minimum": 1},
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

    def param(self, name: str) -> Any:
        """The value of a parameter (KeyError names it when no layer sets it)."""
        try:
            return self.parameters[name].value
        except KeyError:
            raise KeyError(f"profile {self.name} sets no parameter '{name}'") from None

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
    return [Parameter(name, value, data["layer"], data["source"]) for name, value in data["parameters"].items()]


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def load_profile(name_or_path: str | Path = "gb-2027", tailoring: list[Path] | None = None) -> Profile:
    """Load a profile by name (shipped) or path, applying its layers and any tailoring files in order."""
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES_DIR / f"{name_or_path}.yaml"
        if not path.exists():
            raise ConfigError(path, "profile", f"no profile named '{name_or_path}' (known: {', '.join(available_profiles())})")
    data = load_yaml(path)
    validate(data, PROFILE_SCHEMA, path)
    standard, areas, clauses = load_catalogue(DATA_DIR / data["catalogue"])
    profile = Profile(data["profile"], data["title"]["en"], data["title"]["zh"], standard, areas, clauses)
    layer_paths = [LAYERS_DIR / f"{layer}.yaml" for layer in data["layers"]] + list(tailoring or [])
    for layer_path in layer_paths:
        for parameter in load_layer(layer_path):
            profile.parameters[parameter.name] = parameter
    for clause in clauses.values():
        for name in clause.parameters:
            if name not in profile.parameters:
                raise ConfigError(path, "layers", f"no layer sets parameter '{name}' needed by {clause.id}")
    return profile
