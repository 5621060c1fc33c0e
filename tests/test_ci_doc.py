"""docs/ci.md: its CI snippets are YAML that parses, shaped as GitHub Actions and GitLab CI read them, and every
`conformance` command in them is one the CLI accepts, options and all."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from conformance.cli import build_parser

DOC = Path(__file__).resolve().parent.parent / "docs" / "ci.md"
FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(DOC.read_text(encoding="utf-8")) if lang == language]


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def _commands(texts: list[str]) -> list[list[str]]:
    """Each `conformance ...` command line (backslash continuations joined), with CI expressions made plain words."""
    found = []
    for text in texts:
        for line in text.replace("\\\n", " ").splitlines():
            line = re.sub(r"\$\{\{[^}]*\}\}", "X", line.strip())
            if line.startswith("conformance "):
                found.append(shlex.split(line, comments=True)[1:])
    return found


def _pipelines() -> dict[str, dict]:
    docs = [yaml.safe_load(body) for body in _blocks("yaml")]
    github = [d for d in docs if isinstance(d, dict) and "jobs" in d and (True in d or "on" in d)]  # YAML 1.1 reads the key `on` as True
    gitlab = [d for d in docs if isinstance(d, dict) and "stages" in d]
    assert len(github) == 1 and len(gitlab) == 1, "docs/ci.md needs one GitHub Actions and one GitLab CI pipeline"
    return {"github": github[0], "gitlab": gitlab[0]}


def test_the_pipelines_parse_and_have_their_shape():
    pipelines = _pipelines()
    steps = [s for job in pipelines["github"]["jobs"].values() for s in job["steps"]]
    assert all("uses" in s or "run" in s for s in steps)
    assert any(s.get("uses", "").startswith("actions/upload-artifact") and "reports/fw-run" in s["with"]["path"] for s in steps)
    gitlab = pipelines["gitlab"]
    jobs = {name: job for name, job in gitlab.items() if isinstance(job, dict) and "script" in job}
    assert {job["stage"] for job in jobs.values()} <= set(gitlab["stages"])
    assert any("reports/fw-run/" in job.get("artifacts", {}).get("paths", []) for job in jobs.values())


@pytest.mark.parametrize("pipeline", ["github", "gitlab"])
def test_each_pipeline_runs_the_suite_and_gates_on_the_last_release(pipeline):
    commands = _commands(_strings(_pipelines()[pipeline]))
    assert {c[0] for c in commands} >= {"run", "gate"}, commands
    assert any(c[0] == "gate" and "--baseline" in c for c in commands)


def test_every_command_in_the_doc_is_one_the_cli_accepts():
    texts = _strings([yaml.safe_load(b) for b in _blocks("yaml")]) + _blocks("sh")
    commands = _commands(texts)
    assert len(commands) >= 6, commands
    parser = build_parser()
    for command in commands:
        try:
            parser.parse_args(command)
        except SystemExit:
            pytest.fail(f"docs/ci.md: `conformance {' '.join(command)}` is not a command the CLI accepts")


def test_the_waiver_example_is_a_valid_waiver_file(tmp_path):
    from datetime import date

    from conformance.catalogue import load_profile
    from conformance.waivers import load_waivers

    example = next(b for b in _blocks("yaml") if b.startswith("waivers:"))
    path = tmp_path / "waivers.yaml"
    path.write_text(example, encoding="utf-8")
    waivers = load_waivers(path, load_profile("gb-2027"), today=date(2027, 1, 1))
    assert [(w.clause, w.expires.isoformat()) for w in waivers.active] == [("CSW-PAY-5", "2027-03-31")]
