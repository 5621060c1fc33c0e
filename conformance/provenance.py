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


def _digest(path: Path) -> str:
    """The file's SHA-256, or why it has none: the record of a run that ended must be written whatever became of a file."""
    try:
        return sha256_of(path)
    except OSError as exc:
        return f"unreadable when the run ended: {exc.strerror or exc}"


def _digests(root: Path, paths: list[Path]) -> dict[str, Any]:
    files = [{"path": str(p.relative_to(root)), "sha256": _digest(p)} for p in sorted(set(paths))]
    return {"root": str(root), "files": files, "sha256": combined_digest(files)}


def run_inputs(profile: Profile, declaration: Declaration, waivers_file: str | None = None) -> dict[str, Any]:
    """The files behind a run's verdicts and their SHA-256, as they were when the run ended (the waiver file too, if any).

    Every feature file counts, since the suite binds them all and a selection only deselects scenarios."""
    evidence = []
    for clause, entry in sorted(declaration.evidence.items()):
        if "file" in entry:
            path = evidence_path(declaration.path, entry["file"])
            evidence.append({"clause": clause, "path": str(path.resolve()), "sha256": _digest(path)})
    return {
        # Absolute paths: `conformance bundle` may be run from another folder later.
        "declaration": {"path": str(declaration.path.resolve()), "sha256": _digest(declaration.path)},
        "profile": [{"role": role, "path": str(path.resolve()), "name": name, "sha256": _digest(path)} for role, path, name in profile.files],
        "evidence": evidence,
        "waivers": {"path": str(Path(waivers_file).resolve()), "sha256": _digest(Path(waivers_file))} if waivers_file else None,
        "features": _digests(FEATURES_DIR, list(FEATURES_DIR.rglob("*.feature"))),
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
