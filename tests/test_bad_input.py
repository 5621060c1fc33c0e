"""Bad input stops a run before it starts: one line naming file, line and field, exit status 4, and no report.

Data files (any declaration, profile or tailoring) are read as UTF-8 YAML within a size, with no duplicate keys and
no alias bomb; the options of `conformance run` and `conformance emulator` are checked before anything runs.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conformance import cli, datafile
from conformance.datafile import ConfigError, load_yaml
from conformance.declaration import DEFAULT_DECLARATION, load_declaration
from emulator.__main__ import build_parser as emulator_parser

ROOT = Path(__file__).resolve().parent.parent
DECLARATION = DEFAULT_DECLARATION.read_text(encoding="utf-8")
REPORTS = ("results.json", "junit.xml", "report.html")


def _declaration(tmp_path: Path, text: str = DECLARATION, *, name: str = "watch.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load_declaration(path)
    return caught.value


# -- reading a data file -----------------------------------------------------------


@pytest.mark.parametrize(("content", "line", "words"), [
    (DECLARATION.replace("RW-1 reference watch", "RW-1 r\xe9f\xe9rence watch").encode("latin-1"), 4, "not UTF-8 (byte 0xe9"),
    (b"declaration: 1\nmodel: \xff\xff\n", 2, "not UTF-8 (byte 0xff"),
    (DECLARATION.encode("utf-16"), None, "UTF-16"),
    (bytes(range(256)) * 4, 1, "binary"),
], ids=["latin-1", "0xff", "utf-16-bom", "binary"])
def test_a_declaration_not_in_utf8_is_named_with_its_line(tmp_path, content, line, words):
    path = tmp_path / "watch.yaml"
    path.write_bytes(content)
    refusal = _refusal(path)
    assert (refusal.field, refusal.line) == ("(encoding)", line) and words in refusal.message and str(path) in str(refusal)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "watch.yaml"
    path.write_bytes(DECLARATION.encode("utf-8-sig"))
    assert load_declaration(path).model == "RW-1 reference watch"


def billion_laughs() -> str:
    """The classic alias bomb: half a kilobyte that expands to 10^9 strings."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_is_built(tmp_path):
    path = _declaration(tmp_path, billion_laughs())
    assert path.stat().st_size < 2000
    refusal = _refusal(path)
    assert refusal.field == "(size)" and "100,000 values" in refusal.message and refusal.line == 5


def test_an_alias_inside_the_node_it_names_is_refused(tmp_path):
    refusal = _refusal(_declaration(tmp_path, "features: &loop [1, *loop]\n"))
    assert refusal.field == "features" and "*loop" in refusal.message


def test_nesting_without_end_is_refused(tmp_path):
    refusal = _refusal(_declaration(tmp_path, "[" * 5000 + "]" * 5000 + "\n"))
    assert refusal.field == "(nesting)" and "50 levels" in refusal.message


def test_a_file_above_the_size_cap_is_refused(tmp_path):
    cap = datafile.MAX_FILE_BYTES
    path = _declaration(tmp_path, DECLARATION + "# padding\n" * (cap // 10))
    refusal = _refusal(path)
    assert refusal.field == "(size)" and f"{cap:,} bytes" in refusal.message


def test_a_duplicate_key_names_both_lines(tmp_path):
    path = _declaration(tmp_path, DECLARATION.replace("  payments: true\n", "  payments: true\n  payments: false\n", 1))
    lines = path.read_text(encoding="utf-8").splitlines()
    first, second = lines.index("  payments: true") + 1, lines.index("  payments: false") + 1
    refusal = _refusal(path)
    assert (refusal.field, refusal.line) == ("features.payments", second)
    assert f"lines {first} and {second}" in refusal.message


def test_equal_keys_in_different_mappings_are_no_duplicate(tmp_path):
    path = _declaration(tmp_path, "a: {name: 1}\nb: {name: 2}\nc: [{name: 3}, {name: 4}]\n")
    assert load_yaml(path) == {"a": {"name": 1}, "b": {"name": 2}, "c": [{"name": 3}, {"name": 4}]}


def test_a_control_character_gives_its_line(tmp_path):
    path = _declaration(tmp_path, DECLARATION.replace("firmware: 1.0.0", "firmware: 1.0.0\x07", 1))
    refusal = _refusal(path)
    assert refusal.field == "(syntax)" and refusal.line == DECLARATION.splitlines().index("firmware: 1.0.0") + 1


# -- the options of `conformance run`, checked before the run starts -------------------


@pytest.fixture
def no_run(monkeypatch):
    """`conformance run` in this process, which must refuse before pytest starts the suite."""
    monkeypatch.setattr(pytest, "main", lambda *args, **kwargs: pytest.fail("the run started despite the bad input"))


def _refused_run(capsys, *arguments: str) -> str:
    assert cli.main(["run", *arguments]) == 4
    err = capsys.readouterr().err
    assert err.startswith("conformance: ") and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_output_under_a_file_or_on_a_file(no_run, capsys, tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder\n", encoding="utf-8")
    assert "is a file, not a folder" in _refused_run(capsys, "--output", str(blocker))
    assert f"lies under {blocker}, which is a file" in _refused_run(capsys, "--output", str(blocker / "run"))


@pytest.mark.parametrize("output", ["/proc/conformance-run", "/sys/conformance-run", "/proc"])
def test_output_in_the_kernels_file_systems(no_run, capsys, output):
    assert "the kernel's own file system" in _refused_run(capsys, "--output", output)


@pytest.mark.parametrize("run_id", ["../../x", "a/b", "..", ".hidden", ""])
def test_a_run_id_must_be_a_plain_name(no_run, capsys, run_id):
    assert "field '--run-id': is not a plain name" in _refused_run(capsys, "--run-id", run_id)


@pytest.mark.parametrize(("option", "name", "words"), [
    ("--defect", "no_such_defect", "no defect 'no_such_defect'"),
    ("--variant", "no_such_variant", "no variant 'no_such_variant'"),
    ("--variant", "daily_limit_ignored", "one of the emulator's defects"),
])
def test_an_unknown_defect_or_variant_on_the_command_line(no_run, capsys, option, name, words):
    assert words in _refused_run(capsys, option, name)


@pytest.mark.parametrize("switch", [["--defect", "daily_limit_ignored"], ["--variant", "slow_replies"], ["--in-process"]], ids=lambda s: s[0])
def test_emulator_switches_need_the_embedded_emulator(no_run, capsys, tmp_path, switch):
    remote = _declaration(tmp_path, DECLARATION.replace("address: embedded", "address: http://192.0.2.1:8765", 1))
    err = _refused_run(capsys, "--device", str(remote), *switch)
    assert f"{remote}: field '{switch[0]}'" in err and "http://192.0.2.1:8765" in err


def test_a_bad_tailoring_is_refused_before_the_run(no_run, capsys, tmp_path):
    tailoring = tmp_path / "lab.yaml"
    tailoring.write_text("layer: lab\nsource: lab\nparameters:\n  night_end: \"22:00\"\n", encoding="utf-8")
    assert f"{tailoring}:4: field 'parameters.night_end'" in _refused_run(capsys, "--tailoring", str(tailoring))


@pytest.mark.parametrize("arguments", [["run", "--in-process"], ["list"]], ids=["run", "list"])
def test_a_binary_declaration_stops_the_command_with_one_line(tmp_path, arguments):
    """The whole command: exit 4, one line on stderr, and no report that claims a result."""
    declaration = tmp_path / "watch.yaml"
    declaration.write_bytes(b"declaration: 1\nmodel: \xff\xfe\x00\x01")
    output = tmp_path / "run"
    extra = ["--output", str(output)] if arguments[0] == "run" else []
    done = subprocess.run([sys.executable, "-m", "conformance", *arguments, "--device", str(declaration), *extra], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 4 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"conformance: {declaration}:2: field '(encoding)':")
    assert not any((output / name).exists() for name in REPORTS)


@pytest.mark.parametrize(("address", "words"), [
    ("ftp://192.0.2.1/watch", "is not an http:// or https:// URL"),
    ("192.0.2.1:8765", "is not an http:// or https:// URL"),
    ("watch in the lab", "is not an http:// or https:// URL"),
    ("http://192.0.2.1:99999", "has no valid port"),
    ("http://192.0.2.1:0", "has no valid port"),
    ("http://:8765", "names no host"),
])
def test_an_address_that_is_no_http_endpoint(no_run, capsys, tmp_path, address, words):
    remote = _declaration(tmp_path, DECLARATION.replace("address: embedded", f"address: \"{address}\"", 1))
    line = DECLARATION.splitlines().index("address: embedded") + 1
    err = _refused_run(capsys, "--device", str(remote))
    assert err.startswith(f"conformance: {remote}:{line}: field 'address': '{address}' {words}"), err


def test_a_device_nobody_answers_stops_the_run_before_it_starts(no_run, capsys, tmp_path):
    """Reached once before the suite (device.info): nothing listening is one line, not a run of INCONCLUSIVE scenarios."""
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    remote = _declaration(tmp_path, DECLARATION.replace("address: embedded", f"address: http://127.0.0.1:{port}", 1))
    output = tmp_path / "run"
    err = _refused_run(capsys, "--device", str(remote), "--output", str(output))
    assert f"field 'address': the device at http://127.0.0.1:{port} (http) cannot be reached: http://127.0.0.1:{port}/dtp/v1: Connection refused (device.info)" in err, err
    assert not output.exists()


@pytest.mark.parametrize("keyword", ["no_scenario_is_called_this", "(unbalanced"], ids=["matches-nothing", "bad-expression"])
def test_a_keyword_that_selects_no_scenario_writes_nothing(tmp_path, keyword):
    """`-k` that matches nothing, or is no expression: exit 4 and no report, not an empty passing run."""
    output = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "conformance", "run", "--in-process", "-k", keyword, "--output", str(output)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not output.exists(), sorted(p.name for p in output.iterdir())


# -- `conformance emulator` ----------------------------------------------------------


def _emulator_args(*arguments: str):
    return emulator_parser().parse_args(list(arguments))


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_an_emulator_port_out_of_range(capsys, port):
    assert cli.main(["emulator", "--port", port]) == 4
    assert capsys.readouterr().err == f"conformance: {port}: field '--port': is not a port number: 0..65535 (0 picks a free one)\n"


def test_an_emulator_database_in_a_missing_folder(capsys, tmp_path):
    db = tmp_path / "nowhere" / "watch.db"
    assert cli.main(["emulator", "--db", str(db)]) == 4
    assert capsys.readouterr().err == f"conformance: {db}: field '--db': cannot be made: the folder {db.parent} does not exist\n"


def test_an_emulator_database_that_is_not_sqlite(capsys, tmp_path):
    db = tmp_path / "watch.db"
    db.write_text("declaration: 1\n", encoding="utf-8")
    assert cli.main(["emulator", "--db", str(db)]) == 4
    assert "field '--db': is not a SQLite database" in capsys.readouterr().err


def test_an_emulator_database_may_be_new_or_sqlite(tmp_path):
    from emulator.__main__ import argument_problem

    existing = tmp_path / "old.db"
    sqlite3.connect(existing).execute("CREATE TABLE t (x)").connection.close()
    assert argument_problem(_emulator_args("--db", str(tmp_path / "new.db"))) is None
    assert argument_problem(_emulator_args("--db", str(existing), "--port", "65535")) is None
