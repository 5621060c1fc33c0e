"""The evidence bundle: one zip holding everything behind a run's verdicts, with a manifest of SHA-256 digests.

`bundle.zip` in the run folder holds results.json, scenarios.jsonl (every
transcript), the declaration as used (secrets masked), every profile file as
used (the profile, the catalogue, each layer and tailoring file, laid out so
they load as that profile again), the lab evidence files the declaration
names, the waiver file if the run had one, provenance.json (harness version, the feature files' and step code's
digests, the interpreter and installed distributions), and manifest.json:
the SHA-256 and size of every other file. With a lab's key, manifest.sig
signs manifest.json (conformance/signing.py).

Files are taken from disk only if they still have the digest the run
recorded (results.json `inputs`), so a bundle made after the run still holds
the files as used, or is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from conformance import __version__
from conformance.datafile import ConfigError

BUNDLE_NAME = "bundle.zip"
BUNDLE_SCHEMA = "conformance-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
RECORD_FILES = ("results.json", "scenarios.jsonl")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _as_used(path: str, recorded: str, what: str) -> bytes:
    """The file's bytes, provided it is still the file the run used."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(path, "sha256", f"{what} the run used cannot be read now ({exc.strerror or exc}): the bundle cannot hold it") from None
    if _sha256(data) != recorded:
        raise ConfigError(path, "sha256", f"{what} changed since the run (its sha256 was {recorded}, it is now {_sha256(data)}): the bundle would not hold the file as used")
    return data


def _member_name(*parts: str) -> str:
    """A name inside the bundle: relative, '/'-separated, never leaving the bundle's root."""
    name = PurePosixPath(*parts)
    if name.is_absolute() or ".." in name.parts:
        raise ConfigError(str(name), "name", "would lie outside the bundle's folders")
    return str(name)


def _mask_yaml_text(text: str, secrets: list[str], mask: str) -> str:
    """Each secret replaced by the mask; quoted where it stood unquoted, since a bare *** is a YAML alias."""
    if not secrets:
        return text
    pattern = re.compile("|".join(re.escape(s) for s in secrets))  # longest first, as the masker keeps them
    return pattern.sub(lambda m: mask if m.start() > 0 and text[m.start() - 1] in "'\"" else f"'{mask}'", text)


def _masked_declaration(path: str) -> bytes:
    """The declaration's text with its secrets masked by value (its lines and comments kept, so line numbers still hold).

    A secret the file spells otherwise than its value (YAML escapes, a folded string) would survive that: then the
    declaration as loaded is written instead, masked by key and value."""
    import yaml

    from conformance.declaration import load_declaration
    from conformance.secrets import MASK, secret_values

    declaration = load_declaration(path)
    masked = _mask_yaml_text(Path(path).read_text(encoding="utf-8"), declaration.masker.secrets, MASK)
    try:
        left = [v for v in secret_values(yaml.safe_load(masked)) if v != MASK]
    except yaml.YAMLError:
        left = ["(unparsable once masked)"]
    if left:
        masked = "# The declaration as loaded, its secrets masked (its own text spelled a secret another way).\n" + yaml.safe_dump(declaration.redacted(), allow_unicode=True, sort_keys=False)
    return masked.encode("utf-8")


def bundle_members(run_dir: Path) -> dict[str, bytes]:
    """Every file of the bundle but the manifest and its signature."""
    members: dict[str, bytes] = {}
    for name in RECORD_FILES:
        try:
            members[name] = (run_dir / name).read_bytes()
        except OSError:
            raise ConfigError(run_dir, "RUN_DIR", f"holds no {name}: not the folder of a run (a run writes results.json and scenarios.jsonl)") from None
    try:
        results = json.loads(members["results.json"])
        inputs = results["inputs"]
        if not isinstance(inputs, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise ConfigError(run_dir / "results.json", "inputs", "does not record the run's input files and digests (a run of an older harness, or not a results file): no bundle can show what ran") from None
    evidence_files = []
    for entry in inputs["evidence"]:  # before the declaration, whose loading would refuse a changed one less plainly
        name = _member_name("evidence", entry["clause"], Path(entry["path"]).name)
        members[name] = _as_used(entry["path"], entry["sha256"], f"the lab evidence for {entry['clause']}")
        evidence_files.append({"clause": entry["clause"], "name": name})
    declaration = inputs["declaration"]
    _as_used(declaration["path"], declaration["sha256"], "the declaration")
    declaration_name = _member_name("declaration", Path(declaration["path"]).name)
    members[declaration_name] = _masked_declaration(declaration["path"])
    profile_files = []
    for entry in inputs["profile"]:
        name = _member_name("profile", entry["name"])
        members[name] = _as_used(entry["path"], entry["sha256"], f"the profile's {entry['role']} file")
        profile_files.append({"role": entry["role"], "name": name})
    waivers = inputs.get("waivers")
    if waivers:
        waivers_name = _member_name("waivers", Path(waivers["path"]).name)
        members[waivers_name] = _as_used(waivers["path"], waivers["sha256"], "the waiver file")
    from conformance.provenance import environment

    provenance = {
        "schema": BUNDLE_SCHEMA, "run_id": results.get("run_id"), "made": datetime.now(UTC).isoformat(timespec="seconds"),
        "harness": {"version": __version__}, "recorded_harness": results.get("harness"),
        "declaration": {"name": declaration_name, "original_sha256": declaration["sha256"], "note": "secrets masked: its sha256 differs from the original's"},
        "profile": profile_files, "evidence": evidence_files, "waivers": waivers_name if waivers else None,
        "features": inputs["features"], "steps": inputs["steps"],
        "environment": environment(),
    }
    members["provenance.json"] = json.dumps(provenance, ensure_ascii=False, indent=2).encode("utf-8")
    return members


def manifest_of(members: dict[str, bytes]) -> bytes:
    files = {name: {"sha256": _sha256(data), "size": len(data)} for name, data in sorted(members.items())}
    return (json.dumps({"schema": BUNDLE_SCHEMA, "algorithm": "sha256", "files": files}, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def make_bundle(run_dir: Path, sign_key: Path | str | None = None) -> Path:
    """Write (or remake) RUN_DIR/bundle.zip; signed when a private key is given. ConfigError on a bad run folder or key."""
    from conformance.signing import load_private_key, sign

    key = load_private_key(sign_key) if sign_key else None
    members = bundle_members(run_dir)
    manifest = manifest_of(members)
    members[MANIFEST] = manifest
    if key is not None:
        members[SIGNATURE] = sign(key, manifest)
    target = run_dir / BUNDLE_NAME
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    os.replace(partial, target)  # a reader never sees half a bundle
    return target


def bundle_at_run_end(config: Any, output: Path) -> None:
    """The plugin's call when the reports are written: a bundle unless --no-bundle; a failure costs the bundle, not the run."""
    if config.option.no_bundle:
        return
    try:
        make_bundle(output, config.option.sign_key)
    except ConfigError as exc:
        print(f"conformance: no evidence bundle was written: {exc}", file=sys.stderr)


# -- verifying -------------------------------------------------------------------


@dataclass
class Verification:
    """What `conformance verify` found: problems (each makes it fail) and notes (said either way)."""

    files: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def open_bundle(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise ConfigError(path, "BUNDLE", "does not exist") from None
    except IsADirectoryError:
        raise ConfigError(path, "BUNDLE", f"is a folder: give the bundle file ({path / BUNDLE_NAME}?)") from None
    except OSError as exc:
        raise ConfigError(path, "BUNDLE", f"cannot be read: {exc.strerror or exc}") from None
    except zipfile.BadZipFile:
        raise ConfigError(path, "BUNDLE", "is not a zip archive, so not an evidence bundle") from None


def read_member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    """A member's bytes, or None when its compressed data is damaged (a CRC or format error)."""
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        return None


def verify_bundle(path: Path, public_key: Any = None) -> Verification:
    """Check every file against manifest.json, and manifest.sig against `public_key` when one is given."""
    from conformance.signing import key_id, signature_problem

    check = Verification()
    with open_bundle(path) as archive:
        names = archive.namelist()
        seen: set[str] = set()
        for name in names:
            if name in seen:
                check.problems.append(f"added: {name} is in the archive twice (a reader may see either copy)")
            seen.add(name)
        manifest_bytes = read_member(archive, MANIFEST) if MANIFEST in seen else None
        try:
            listed = json.loads(manifest_bytes)["files"] if manifest_bytes is not None else None
            if listed is not None and not all(isinstance(v, dict) and isinstance(v.get("sha256"), str) and type(v.get("size", 0)) is int for v in listed.values()):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            listed = None
        if listed is None:
            check.problems.append(f"{MANIFEST} is missing or unreadable: no file of the bundle can be checked")
            return check
        for name, entry in listed.items():
            if name not in seen:
                check.problems.append(f"missing: {name}")
                continue
            size = archive.getinfo(name).file_size
            if size != entry.get("size", size):  # told before reading: a member far larger than listed is never read in
                check.problems.append(f"changed: {name} ({size:,} bytes, the manifest says {entry['size']:,})")
                continue
            data = read_member(archive, name)
            if data is None:
                check.problems.append(f"changed: {name} (its compressed data is damaged)")
            elif _sha256(data) != entry["sha256"]:
                check.problems.append(f"changed: {name} (sha256 {_sha256(data)[:16]}..., the manifest says {entry['sha256'][:16]}...)")
            else:
                check.files += 1
        for name in sorted(seen - set(listed) - {MANIFEST, SIGNATURE}):
            check.problems.append(f"added: {name} (not in the manifest)")
        _check_signature(check, archive, seen, manifest_bytes, public_key, key_id, signature_problem)
    return check


def _check_signature(check: Verification, archive: zipfile.ZipFile, seen: set[str], manifest: bytes, public_key: Any, key_id: Any, signature_problem: Any) -> None:
    signature = read_member(archive, SIGNATURE) if SIGNATURE in seen else None
    if SIGNATURE in seen and signature is None:
        check.problems.append(f"bad signature: {SIGNATURE} is damaged")
    elif signature is None:
        if public_key is not None:
            check.problems.append(f"missing signature: the bundle has no {SIGNATURE}, and --key asks for one")
        else:
            check.notes.append("not signed: only the manifest's digests were checked, and anyone can remake those (a signature shows who made the bundle)")
    elif public_key is None:
        check.notes.append("signed, but the signature was not checked: give --key with the lab's public key to check it")
    else:
        problem = signature_problem(public_key, manifest, signature)
        if problem:
            check.problems.append(f"bad signature: {problem}")
        else:
            check.notes.append(f"the signature over {MANIFEST} is good: made with the key {key_id(public_key)[:16]}...")


def print_verification(path: Path, check: Verification, out: io.TextIOBase | None = None) -> int:
    out = out or sys.stdout
    if check.ok:
        print(f"OK: {path}: all {check.files} files match {MANIFEST}", file=out)
    else:
        print(f"FAILED: {path}: {len(check.problems)} problem{'s' if len(check.problems) != 1 else ''}", file=out)
        for problem in check.problems:
            print(f"  {problem}", file=out)
    for note in check.notes:
        print(f"  {note}", file=out)
    return 0 if check.ok else 1
