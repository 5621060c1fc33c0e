"""Evidence bundles: a run writes one, verify catches every change and a wrong key, rejudge reproduces the verdicts.

Two real in-process runs are shared by the module: a selection of the reference watch, and one physical
clause of a declaration that names its lab report's file (its sha256 checked, the file bundled).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from conformance import cli
from conformance.bundle import MANIFEST, make_bundle, manifest_of, verify_bundle
from conformance.declaration import DEFAULT_DECLARATION, load_declaration
from conformance.rejudge import rejudge
from conformance.signing import generate_key_pair, load_public_key
from conformance.validation import run_suite

SELECTION = "CSW-ADD-1 or CSW-PAY-1"
SECRET = "emulator-test-agent-token"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    private, public = generate_key_pair(tmp_path_factory.mktemp("keys"))
    other_private, other_public = generate_key_pair(tmp_path_factory.mktemp("other-keys"))
    return {"private": private, "public": public, "other_public": other_public}


@pytest.fixture(scope="module")
def run(tmp_path_factory, keys):
    """One real run; its own bundle.zip is kept as unsigned.zip, then the folder's bundle is remade signed."""
    output = tmp_path_factory.mktemp("bundle") / "run"
    results = run_suite(output, select=SELECTION, in_process=True)
    assert (output / "bundle.zip").exists(), "the run wrote no bundle.zip"
    shutil.copy(output / "bundle.zip", output / "unsigned.zip")
    make_bundle(output, keys["private"])
    return {"dir": output, "results": results, "unsigned": output / "unsigned.zip", "signed": output / "bundle.zip"}


def _rewrite(source: Path, target: Path, change=lambda name, data: data, drop: str = "", add: dict | None = None) -> Path:
    """A copy of a bundle with its members changed, one removed or some added (the manifest and signature kept as they were)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            if name != drop:
                new.writestr(name, change(name, old.read(name)))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def _flip_one_byte(name: str, data: bytes, target: str = "results.json") -> bytes:
    if name != target:
        return data
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]


# -- what a run writes -----------------------------------------------------------


def test_a_run_writes_a_bundle_that_verifies(run):
    check = verify_bundle(run["unsigned"])
    assert check.ok and check.files >= 10, check.problems
    assert any("not signed" in note for note in check.notes)
    with zipfile.ZipFile(run["unsigned"]) as archive:
        names = set(archive.namelist())
        members = {name: archive.read(name) for name in names}
    assert {"results.json", "scenarios.jsonl", "declaration/emulator.yaml", "profile/gb-2027.yaml", "profile/clauses.yaml",
            "profile/layers/platform-social.yaml", "provenance.json", MANIFEST} <= names
    assert not any(SECRET.encode() in data for data in members.values()), "a secret of the declaration is in the bundle"
    assert b"agent_token: '***'" in members["declaration/emulator.yaml"]
    provenance = json.loads(members["provenance.json"])
    assert provenance["features"]["files"] and len(provenance["features"]["sha256"]) == 64
    assert any(f["path"] == "addiction.py" for f in provenance["steps"]["files"])
    assert "cryptography" in provenance["environment"]["dependencies"]
    inputs = run["results"]["inputs"]
    assert inputs["declaration"]["sha256"] == hashlib.sha256(DEFAULT_DECLARATION.read_bytes()).hexdigest()
    assert [entry["role"] for entry in inputs["profile"]][:2] == ["profile", "catalogue"]


def test_a_signed_bundle_verifies_with_its_key(run, keys, capsys):
    assert cli.main(["verify", str(run["signed"]), "--key", str(keys["public"])]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and "the signature over manifest.json is good" in out


# -- what verify catches ----------------------------------------------------------


def test_one_byte_changed_in_a_file(run, tmp_path):
    check = verify_bundle(_rewrite(run["signed"], tmp_path / "b.zip", _flip_one_byte))
    assert check.problems == [p for p in check.problems if p.startswith("changed: results.json")] and check.problems


def test_one_byte_changed_in_the_archive_itself(run, tmp_path):
    raw = bytearray(run["unsigned"].read_bytes())
    with zipfile.ZipFile(run["unsigned"]) as archive:
        info = archive.getinfo("scenarios.jsonl")
    raw[info.header_offset + 30 + len(info.filename) + info.compress_size // 2] ^= 0x01  # inside its compressed data
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    assert [p for p in verify_bundle(damaged).problems if p.startswith("changed: scenarios.jsonl")]


def test_a_removed_file(run, tmp_path):
    check = verify_bundle(_rewrite(run["signed"], tmp_path / "b.zip", drop="profile/clauses.yaml"))
    assert check.problems == ["missing: profile/clauses.yaml"]


def test_an_added_file(run, tmp_path):
    check = verify_bundle(_rewrite(run["signed"], tmp_path / "b.zip", add={"evidence/CSW-PHY-1/extra.pdf": b"%PDF-1.7"}))
    assert check.problems == ["added: evidence/CSW-PHY-1/extra.pdf (not in the manifest)"]


def test_a_wrong_key(run, keys, capsys):
    assert cli.main(["verify", str(run["signed"]), "--key", str(keys["other_public"])]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAILED: ") and "bad signature: the signature was made with another key" in out


def test_a_remade_manifest_breaks_the_signature(run, keys, tmp_path):
    """Whoever edits a file and recomputes manifest.json still cannot sign it."""
    edited = _rewrite(run["signed"], tmp_path / "edited.zip", _flip_one_byte)
    with zipfile.ZipFile(edited) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if n not in (MANIFEST, "manifest.sig")}
        signature = archive.read("manifest.sig")
    remade = _rewrite(edited, tmp_path / "remade.zip", lambda name, data: manifest_of(members) if name == MANIFEST else data)
    assert not verify_bundle(remade).problems, "the remade manifest matches its files"
    assert signature  # kept from the genuine bundle
    check = verify_bundle(remade, load_public_key(keys["public"]))
    assert check.problems == ["bad signature: the signature does not match manifest.json: the manifest was changed after it was signed"]


def test_a_missing_signature_is_an_error_only_with_a_key(run, keys, capsys):
    assert cli.main(["verify", str(run["unsigned"])]) == 0
    assert "not signed" in capsys.readouterr().out
    assert cli.main(["verify", str(run["unsigned"]), "--key", str(keys["public"])]) == 1
    assert "missing signature" in capsys.readouterr().out


def test_unreadable_input_exits_4(run, keys, capsys, tmp_path):
    for arguments in (["verify", str(run["dir"] / "results.json")], ["verify", str(tmp_path / "none.zip")], ["verify", str(run["signed"]), "--key", str(keys["private"])]):
        assert cli.main(arguments) == 4
        err = capsys.readouterr().err
        assert err.startswith("conformance: ") and "Traceback" not in err


# -- lab evidence files -------------------------------------------------------------


def _declaration_citing(tmp_path: Path, digest: str) -> Path:
    (tmp_path / "battery-report.pdf").write_bytes(b"%PDF-1.7 battery test report EMU-2026-001\n")
    text = DEFAULT_DECLARATION.read_text(encoding="utf-8").replace(
        'CSW-PHY-1: {report: "RW-1 battery test report GB 31241 No. EMU-2026-001", lab: "Reference lab", date: "2026-10-01"}',
        f'CSW-PHY-1: {{report: "RW-1 battery test report GB 31241 No. EMU-2026-001", lab: "Reference lab", date: "2026-10-01", file: battery-report.pdf, sha256: "{digest}"}}')
    assert "battery-report.pdf" in text
    path = tmp_path / "device.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_evidence_file_with_another_sha256_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pytest, "main", lambda *args, **kwargs: pytest.fail("the run started despite the bad evidence"))
    device = _declaration_citing(tmp_path, "0" * 64)
    assert cli.main(["run", "--device", str(device), "--in-process", "--output", str(tmp_path / "run")]) == 4
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(device.read_text(encoding="utf-8").splitlines(), 1) if "CSW-PHY-1" in text)
    assert err.startswith(f"conformance: {device}:{line}: field 'evidence.CSW-PHY-1.sha256': is {'0' * 64}, but "), err
    assert "is not the report the declaration cites" in err and not (tmp_path / "run").exists()


def test_an_evidence_file_goes_into_the_bundle_and_may_not_change_after(tmp_path, capsys):
    report = b"%PDF-1.7 battery test report EMU-2026-001\n"
    device = _declaration_citing(tmp_path, hashlib.sha256(report).hexdigest())
    assert load_declaration(device).evidence["CSW-PHY-1"]["file"] == "battery-report.pdf"
    output = tmp_path / "run"
    results = run_suite(output, device=str(device), select="CSW-PHY-1", in_process=True)
    assert next(c for c in results["clauses"] if c["id"] == "CSW-PHY-1")["verdict"] == "EVIDENCE_SUPPLIED"
    with zipfile.ZipFile(output / "bundle.zip") as archive:
        assert archive.read("evidence/CSW-PHY-1/battery-report.pdf") == report
    (tmp_path / "battery-report.pdf").write_bytes(report + b"edited\n")
    assert cli.main(["bundle", str(output)]) == 4
    assert "changed since the run" in capsys.readouterr().err


# -- rejudge ----------------------------------------------------------------------------


def test_rejudge_reproduces_the_recorded_verdicts(run, capsys):
    result = rejudge(run["signed"])
    recorded = {c["id"]: c["verdict"] for c in run["results"]["clauses"]}
    assert {c.id: c.recomputed for c in result.reproduced} == recorded
    assert recorded["CSW-ADD-1"] == "PASS" and recorded["CSW-PAY-1"] == "PASS"
    assert result.ok and not result.problems
    assert cli.main(["rejudge", str(run["signed"])]) == 0
    assert f"all {len(recorded)} clause verdicts equal the recorded ones" in capsys.readouterr().out


def test_rejudge_under_a_tailoring_shows_what_changes(run, tmp_path, capsys):
    tailoring = tmp_path / "lab.yaml"
    tailoring.write_text("layer: my-lab\nsource: the lab's reading\nparameters:\n  basic_functions: [call_guardian, emergency_call]\n", encoding="utf-8")
    result = rejudge(run["signed"], tailoring=[tailoring])
    what_if = {c.id: c for c in result.what_if}
    assert what_if["CSW-ADD-1"].recomputed is None and what_if["CSW-ADD-1"].changed
    assert any("basic_functions" in why and "asked again" in why for why in what_if["CSW-ADD-1"].why)
    assert what_if["CSW-PAY-1"].recomputed == "PASS" and not what_if["CSW-PAY-1"].changed
    assert cli.main(["rejudge", str(run["signed"]), "--tailoring", str(tailoring)]) == 1
    out = capsys.readouterr().out
    assert "CSW-ADD-1" in out and "cannot be recomputed from the record" in out and "CSW-PAY-1" not in out


def test_rejudge_catches_a_verdict_edited_in_the_record(run, tmp_path):
    """A PASS rewritten as FAIL in results.json (the clause and its scenarios), with the manifest remade to match, still shows."""
    def edit(name, data):
        if name != "results.json":
            return data
        results = json.loads(data)
        clause = next(c for c in results["clauses"] if c["id"] == "CSW-PAY-1")
        clause["verdict"] = "FAIL"
        for scenario in clause["scenarios"]:
            scenario["verdict"] = "FAIL"
        return json.dumps(results).encode()

    edited = _rewrite(run["unsigned"], tmp_path / "edited.zip", edit)
    with zipfile.ZipFile(edited) as archive:
        members = {n: archive.read(n) for n in archive.namelist() if n != MANIFEST}
    remade = _rewrite(edited, tmp_path / "remade.zip", lambda name, data: manifest_of(members) if name == MANIFEST else data)
    assert verify_bundle(remade).ok  # the bundle verifies: only rejudging shows the edit
    result = rejudge(remade)
    differ = [c for c in result.reproduced if c.changed]
    assert [(c.id, c.recorded, c.recomputed) for c in differ] == [("CSW-PAY-1", "FAIL", "PASS")]
    assert result.problems and all("is FAIL in results.json under CSW-PAY-1 but PASS in scenarios.jsonl" in p for p in result.problems)


def test_a_secret_spelled_with_escapes_is_masked_too(tmp_path):
    from conformance.bundle import _masked_declaration

    path = tmp_path / "device.yaml"
    path.write_text(DEFAULT_DECLARATION.read_text(encoding="utf-8").replace("agent_token: emulator-test-agent-token", 'agent_token: "tok\\x65n-42"'), encoding="utf-8")
    assert load_declaration(path).ixit["agent_token"] == "token-42"
    masked = _masked_declaration(str(path)).decode("utf-8")
    assert "token-42" not in masked and "tok\\x65n-42" not in masked and "agent_token: '***'" in masked


def test_the_bundled_declaration_keeps_its_lines_and_loads(run, tmp_path):
    with zipfile.ZipFile(run["unsigned"]) as archive:
        text = archive.read("declaration/emulator.yaml").decode("utf-8")
    original = DEFAULT_DECLARATION.read_text(encoding="utf-8")
    assert len(text.splitlines()) == len(original.splitlines()) and text.startswith(original.splitlines()[0])
    (tmp_path / "emulator.yaml").write_text(text, encoding="utf-8")
    ixit = load_declaration(tmp_path / "emulator.yaml").ixit
    assert ixit["agent_token"] == ixit["payment_password"] == "***"


def test_rejudge_under_another_catalogue_says_what_needs_the_device(run):
    """Applicability that changes needs the device's probe; a clause judged as evidence changes its verdict from the record alone."""
    import dataclasses

    from conformance.catalogue import load_profile
    from conformance.rejudge import _RecordedFeatures, _scenario, _what_if

    old = load_profile()
    new = load_profile()
    new.clauses["CSW-PAY-1"] = dataclasses.replace(new.clauses["CSW-PAY-1"], requires=("ble",))  # the reference watch has no BLE
    new.clauses["CSW-ADD-1"] = dataclasses.replace(new.clauses["CSW-ADD-1"], kind="evidence", level="recommended")
    scenarios = [_scenario(json.loads(line)) for line in (run["dir"] / "scenarios.jsonl").read_text(encoding="utf-8").splitlines()]
    recorded = {c["id"]: c["verdict"] for c in run["results"]["clauses"]}
    rows = {c.id: c for c in _what_if(old, new, scenarios, recorded, _RecordedFeatures(run["results"]["declaration"]))}
    assert rows["CSW-PAY-1"].recomputed is None and any("feature probe" in why for why in rows["CSW-PAY-1"].why)
    assert rows["CSW-ADD-1"].recomputed == "EVIDENCE_SUPPLIED" and rows["CSW-ADD-1"].why == ["its level changes from mandatory to recommended"]
    assert not rows["CSW-SOC-2"].changed


def test_a_run_with_a_key_that_cannot_sign_does_not_start(keys, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(pytest, "main", lambda *args, **kwargs: pytest.fail("the run started despite the bad key"))
    assert cli.main(["run", "--in-process", "--sign-key", str(keys["public"]), "--output", str(tmp_path / "run")]) == 4
    err = capsys.readouterr().err
    assert err == f"conformance: {keys['public']}: field '--sign-key': is not an unencrypted Ed25519 private key in PEM form (`conformance keygen` makes one)\n"


def test_rejudge_of_a_bundle_that_does_not_verify_says_so(run, tmp_path, capsys):
    broken = _rewrite(run["signed"], tmp_path / "b.zip", drop="profile/clauses.yaml")
    assert cli.main(["rejudge", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM: the bundle does not verify: missing: profile/clauses.yaml" in out and "cannot be rejudged" in out and "Traceback" not in out


def test_the_waiver_file_a_run_had_goes_into_its_bundle(tmp_path):
    import subprocess
    import sys

    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - clause: CSW-PHY-1\n    justification: The lab retests the battery in May (ticket LAB-7).\n"
                       "    approved_by: Li Wei, compliance lead\n    expires: 2099-12-31\n", encoding="utf-8")
    output = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "conformance", "run", "--in-process", "--select", "CSW-PHY-1", "--waivers", str(waivers),
                           "--allow-mandatory-waivers", "--output", str(output)], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert verify_bundle(output / "bundle.zip").ok
    with zipfile.ZipFile(output / "bundle.zip") as archive:
        assert archive.read("waivers/waivers.yaml") == waivers.read_bytes()
        assert json.loads(archive.read("provenance.json"))["waivers"] == "waivers/waivers.yaml"


def test_a_run_with_clauses_not_applicable_is_bundled_and_rejudged(tmp_path):
    """Scenarios settled before their steps (NOT_APPLICABLE from the declaration) are recorded, bundled and re-judged alike."""
    from conformance.declaration import FIXTURES_DIR

    output = tmp_path / "run"
    results = run_suite(output, device=str(FIXTURES_DIR / "devices" / "basic.yaml"), select="CSW-PAY-1", in_process=True)
    assert next(c for c in results["clauses"] if c["id"] == "CSW-PAY-1")["verdict"] == "NOT_APPLICABLE"
    assert verify_bundle(output / "bundle.zip").ok
    result = rejudge(output / "bundle.zip")
    assert result.ok and {c.id: c.recomputed for c in result.reproduced}["CSW-PAY-1"] == "NOT_APPLICABLE"


def test_rejudge_with_waivers_shows_the_exit_status_they_would_give(tmp_path, capsys):
    """A waived FAIL stays FAIL: rejudge names what the file would waive and the exit status with and without it."""
    output = tmp_path / "broken"
    results = run_suite(output, defects=("daily_limit_ignored",), select="CSW-ADD-1 or CSW-ADD-7", in_process=True)
    assert results["exit_status"] == 1
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        "  - clause: CSW-ADD-1\n    justification: The limit ships in firmware 2.4 (ticket FW-1182).\n    approved_by: Li Wei\n    expires: 2999-12-31\n"
        "  - clause: CSW-ADD-7\n    justification: Not failing, so unused.\n    approved_by: Li Wei\n    expires: 2999-12-31\n"
        "  - clause: CSW-ADD-2\n    justification: Long gone.\n    approved_by: Li Wei\n    expires: 2020-01-01\n", encoding="utf-8")
    bundle = output / "bundle.zip"
    outcome = rejudge(bundle, waivers=waivers, allow_mandatory=True).waived
    assert (outcome.exit_status, outcome.exit_status_without, outcome.recorded_exit_status) == (0, 1, 1)
    assert any(line.startswith("waived ON A MANDATORY CLAUSE, CSW-ADD-1 FAIL stays FAIL, counted PASS: ") for line in outcome.lines), outcome.lines
    assert any(line.startswith("unused: CSW-ADD-7") for line in outcome.lines) and any(line.startswith("expired on 2020-01-01, ignored: CSW-ADD-2") for line in outcome.lines)
    assert cli.main(["rejudge", str(bundle), "--waivers", str(waivers), "--allow-mandatory-waivers"]) == 1  # the exit status would change
    assert "exit status 0 with them, 1 without; the run recorded 1 without waivers" in capsys.readouterr().out
    assert cli.main(["rejudge", str(bundle), "--waivers", str(waivers)]) == 4  # a mandatory clause needs the flag, as in a run
    assert "needs --allow-mandatory-waivers" in capsys.readouterr().err
