"""What a run ran: the digests of its declaration, profile files, lab evidence, feature files and step code.

Recorded in results.json (`inputs`) when the run ends, so a bundle made later
can tell whether a file changed since, and a reader can tell which catalogue,
profile and features gave the verdicts.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import platform
from pathlib import Path
from typing import Any

from conformance.catalogue import Profile
from conformance.declaration import Declaration
from conformance.features import FEATURES_DIR
from conformance.lab_evidence import evidence_path, sha256_of

STEPS_DIR = Path(__file__).resolve().parent / "steps"


def combined_digest(files: list[dict[str, str]]) -> str:
    """One digest over a list of files: SHA-256 of 'path NUL sha256 LF' lines, sorted by path."""
    lines = sorted(f"{f['path']}\0{f['sha256']}\n" for f in files)
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def _digests(root: Path, paths: list[Path]) -> dict[str, Any]:
    files = [{"path": str(p.relative_to(root)), "sha256": sha256_of(p)} for p in sorted(set(paths))]
    return {"root": str(root), "files": files, "sha256": combined_digest(files)}


def run_inputs(profile: Profile, declaration: Declaration, feature_files: list[str], waivers_file: str | None = None) -> dict[str, Any]:
    """The files behind a run's verdicts and their SHA-256, as they were when the run ended (the waiver file too, if any)."""
    evidence = []
    for clause, entry in sorted(declaration.evidence.items()):
        if "file" in entry:
            path = evidence_path(declaration.path, entry["file"])
            evidence.append({"clause": clause, "path": str(path), "sha256": sha256_of(path)})
    return {
        "declaration": {"path": str(declaration.path), "sha256": sha256_of(declaration.path)},
        "profile": [{"role": role, "path": str(path), "name": name, "sha256": sha256_of(path)} for role, path, name in profile.files],
        "evidence": evidence,
        "waivers": {"path": waivers_file, "sha256": sha256_of(Path(waivers_file))} if waivers_file else None,
        "features": _digests(FEATURES_DIR, [FEATURES_DIR / f for f in feature_files if (FEATURES_DIR / f).is_file()]),
        "steps": _digests(STEPS_DIR, list(STEPS_DIR.glob("*.py"))),
    }


def environment() -> dict[str, Any]:
    """The interpreter and every installed distribution with its version (what the harness ran on)."""
    versions = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            versions.setdefault(name, dist.version)
    return {"python": platform.python_version(), "platform": platform.platform(), "dependencies": dict(sorted(versions.items(), key=lambda kv: kv[0].lower()))}
