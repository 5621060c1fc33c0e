"""Lab evidence files a declaration names (`evidence.<clause>.file`), and the check of their declared sha256.

A physical clause is judged on the lab's report. When the declaration names
the report's file, the harness puts it in the evidence bundle; when it also
gives the file's sha256, the run refuses to start unless the file on disk is
that very file, since a report swapped after the lab signed it off is no
evidence.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from conformance.datafile import ConfigError, line_of


def evidence_path(declaration_path: Path, file: str) -> Path:
    """Where an evidence file lies: a relative name is taken from the declaration's own folder."""
    path = Path(file)
    return path if path.is_absolute() else declaration_path.parent / path


def sha256_of(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def check_evidence_files(data: dict[str, Any], declaration_path: Path) -> None:
    """Each named evidence file exists and, where a sha256 is declared, has it (ConfigError names file, line and field)."""
    for clause, entry in (data.get("evidence") or {}).items():
        where = ["evidence", clause]
        if "file" not in entry:
            if "sha256" in entry:
                raise ConfigError(declaration_path, f"evidence.{clause}.sha256", f"gives a digest but names no file to check it against: add evidence.{clause}.file, the lab report's path", line_of(data, [*where, "sha256"]))
            continue
        path = evidence_path(declaration_path, entry["file"])
        try:
            actual = sha256_of(path)
        except OSError as exc:
            raise ConfigError(declaration_path, f"evidence.{clause}.file", f"names {path}, which cannot be read ({exc.strerror or exc})", line_of(data, [*where, "file"])) from None
        declared = entry.get("sha256")
        if declared is not None and declared.lower() != actual:
            raise ConfigError(declaration_path, f"evidence.{clause}.sha256", f"is {declared}, but {path} has sha256 {actual}: the file is not the report the declaration cites", line_of(data, [*where, "sha256"]))
