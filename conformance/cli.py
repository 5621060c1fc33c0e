"""The `conformance` command: run the suite, list the catalogue, serve the emulator."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from conformance.catalogue import load_profile
from conformance.datafile import ConfigError
from conformance.declaration import FIXTURES_DIR, check_switches, load_declaration
from conformance.reach import reach_device
from conformance.waivers import load_waivers

SUITE = Path(__file__).resolve().parent / "suite.py"


BLE_TRANSPORTS = {"ble": "a Bluetooth address or advertised name", "ble-virtual": "the HCI spec of a virtual radio, e.g. tcp-client:127.0.0.1:PORT"}


def resolve_device(value: str) -> str:
    """A declaration path, the name of one shipped in fixtures/devices/ (e.g. 'emulator', 'basic'; 'ble-virtual' is
    emulator-ble), or 'ble:<address-or-name>' / 'ble-virtual:<hci-spec>': the reference declaration over that link."""
    transport, colon, address = value.partition(":")
    if colon and transport in BLE_TRANSPORTS:
        if not address:
            raise ConfigError(value, "--device", f"{transport}: needs {BLE_TRANSPORTS[transport]}")
        return _derived_declaration(transport, address)
    if value == "ble-virtual":
        value = "emulator-ble"
    path = Path(value)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return str(path)
    named = FIXTURES_DIR / "devices" / f"{value}.yaml"
    if named.exists():
        return str(named)
    known = ", ".join(sorted(p.stem for p in (FIXTURES_DIR / "devices").glob("*.yaml")))
    raise ConfigError(value, "--device", f"neither a declaration file nor a shipped device (known: {known}, ble-virtual, ble:<address-or-name>)")


def _derived_declaration(transport: str, address: str) -> str:
    """A temporary declaration: the reference watch's (fixtures/devices/emulator.yaml) with this transport and address.

    For a watch whose test agent takes the reference IXIT (token, accounts); a
    certification run wants the device's own declaration (docs/ble.md).
    """
    import atexit
    import os
    import tempfile

    import yaml

    data = yaml.safe_load((FIXTURES_DIR / "devices" / "emulator.yaml").read_text(encoding="utf-8"))
    data.update(transport=transport, address=address)
    data["features"]["ble"] = True  # it is reached over BLE
    handle, name = tempfile.mkstemp(prefix=f"device-{transport}-", suffix=".yaml")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(f"# derived by `--device {transport}:{address}` from fixtures/devices/emulator.yaml\n")
        yaml.safe_dump(data, out, allow_unicode=True, sort_keys=False)
    atexit.register(lambda: os.path.exists(name) and os.unlink(name))
    return name


def pytest_args(args: argparse.Namespace, output: Path, run_id: str) -> list[str]:
    command = [
        # no:locust: installing Locust registers a pytest plugin whose --host and gevent fixtures must stay out of the run.
        # -W: the anyio plugin is registered after the harness imported anyio (through httpx): a warning about
        # pytest's own assertion rewriting, of no use to the person running the suite. --tb=no: the console gets one line
        # per scenario that did not pass; pytest's account of each goes to pytest.log in the run folder.
        str(SUITE), "-p", "conformance.plugin", "-p", "no:cacheprovider", "-p", "no:locust", "-W", "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning", "-q", "--no-header", "-rN", "--tb=no",
        "--device", resolve_device(args.device), "--profile", args.profile, "--output", str(output), "--run-id", run_id,
        "--alluredir", str(output / "allure-results"), "-o", "console_output_style=classic",
    ]
    for tailoring in args.tailoring:
        command += ["--tailoring", tailoring]
    for name in args.defect:
        command += ["--defect", name]
    for name in args.variant:
        command += ["--variant", name]
    command += ["--retries", str(args.retries)]
    if args.in_process:
        command.append("--in-process")
    if args.waivers:
        command += ["--waivers", args.waivers]
    command += [option for option, given in (("--audit", args.audit), ("--allow-mandatory-waivers", args.allow_mandatory_waivers)) if given]
    if args.select:
        command += ["-m", args.select]
    if args.keyword:
        command += ["-k", args.keyword]
    if args.no_bundle:
        command.append("--no-bundle")
    if args.sign_key:
        command += ["--sign-key", args.sign_key]
    return command


# A run id names a folder under reports/: no path separators, no '..'.
PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
KERNEL_FILE_SYSTEMS = (Path("/proc"), Path("/sys"))  # views of the kernel, where no report can be written


def check_run_options(args: argparse.Namespace) -> None:
    """Refuse bad options and data files before the run starts, so a run that cannot happen writes no report."""
    if args.run_id is not None and not PLAIN_NAME.fullmatch(args.run_id):
        raise ConfigError(args.run_id, "--run-id", "is not a plain name: letters, digits, '.', '_' and '-', starting with a letter or digit (it names a folder in reports/)")
    declaration = load_declaration(resolve_device(args.device))
    profile = load_profile(args.profile, [Path(p) for p in args.tailoring])
    load_waivers(args.waivers, profile, audit=args.audit, allow_mandatory=args.allow_mandatory_waivers)
    for option, kind, names in (("--defect", "defects", args.defect), ("--variant", "variants", args.variant)):
        for name in names:
            check_switches([name], kind, name, option)
    embedded_only = [option for option, given in (("--defect", args.defect), ("--variant", args.variant), ("--in-process", args.in_process)) if given]
    if embedded_only and not declaration.embedded:
        raise ConfigError(declaration.path, embedded_only[0], f"switches the embedded emulator, and this declaration's address is {declaration.address}, a device of its own (address 'embedded' starts the emulator)")
    if args.sign_key:
        from conformance.signing import load_private_key

        load_private_key(args.sign_key)
    check_output_folder(Path(args.output) if args.output else Path("reports") / (args.run_id or ""))  # reports/ when the id is a timestamp yet to come
    if not declaration.embedded:
        reach_device(declaration)


def check_output_folder(output: Path) -> None:
    """The run writes its reports here: it must be a folder, or one the harness can make, and writable."""
    if output.exists() and not output.is_dir():
        raise ConfigError(output, "--output", "is a file, not a folder")
    existing = next(p for p in [output, *output.absolute().parents] if p.exists())
    if not existing.is_dir():
        raise ConfigError(output, "--output", f"lies under {existing}, which is a file, not a folder")
    resolved = existing.resolve()
    kernel = next((k for k in KERNEL_FILE_SYSTEMS if resolved == k or k in resolved.parents), None)
    if kernel is not None:
        raise ConfigError(output, "--output", f"lies in {kernel}, the kernel's own file system, where no report can be written")
    try:
        tempfile.TemporaryFile(dir=existing).close()  # a probe: writes nothing that stays
    except OSError as exc:
        raise ConfigError(output, "--output", f"cannot be written: {existing} refuses new files ({exc.strerror or exc})") from None


def cmd_run(args: argparse.Namespace) -> int:
    import pytest

    from conformance import carry_over

    if args.farm:  # every device of a farm, each in a run of its own (conformance/farm_run.py)
        from conformance.farm_run import run_farm

        return run_farm(args, build_parser().parse_args(["run"]))
    if args.jobs is not None:
        raise ConfigError(str(args.jobs), "--jobs", "goes with --farm FARM.yaml: it is the number of devices run at once")
    if args.resume or args.rerun:  # the earlier run's options, and the results it keeps
        args = carry_over.from_run_folder(args, build_parser().parse_args(["run"]))
    elif args.only:
        raise ConfigError(args.only, "--only", "goes with --rerun RUN_DIR: it names the verdicts whose scenarios run again")
    if args.retries < 0:
        raise ConfigError(str(args.retries), "--retries", "is a count of further attempts: 0 or more")
    check_run_options(args)
    run_id = args.run_id or datetime.now().strftime("%Y%m%d-%H%M%S")
    output = Path(args.output) if args.output else Path("reports") / run_id
    try:
        command = pytest_args(args, output, run_id) + carry_over.options_for_pytest(args, run_id)
    except ConfigError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 4
    code = pytest.main(command)
    results_path = output / "results.json"
    if code == pytest.ExitCode.NO_TESTS_COLLECTED and not (args.resume and results_path.exists()):  # a resume may find nothing missing
        chosen = " and ".join(f"{option} {value!r}" for option, value in (("--select", args.select), ("--keyword", args.keyword)) if value)
        print(f"conformance: {chosen or 'the suite'} selects no scenario; no report was written", file=sys.stderr)
        return 4
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR) or not results_path.exists():
        print(f"conformance: the run could not start (pytest exit {int(code)}); no report was written", file=sys.stderr)
        return 4
    return int(json.loads(results_path.read_text(encoding="utf-8"))["exit_status"])


TEMPLATE = Path(__file__).resolve().parent / "data" / "declaration-template.yaml"


def cmd_init(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    target = folder / args.name
    if target.exists():
        raise ConfigError(target, "init", "already exists; the harness does not overwrite a declaration (name another folder or --name)")
    if folder.exists() and not folder.is_dir():
        raise ConfigError(folder, "DIR", "is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"wrote {target}: fill in every value, then `conformance check --device {target}`")
    print(f"已写入 {target}：请填写每一项，然后运行 `conformance check --device {target}`")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from conformance.agent_check import check_agent, print_findings

    return print_findings(check_agent(load_declaration(resolve_device(args.device))))


def cmd_list(args: argparse.Namespace) -> int:
    from conformance.listing import print_listing

    return print_listing(resolve_device(args.device), args.profile, as_json=args.json)


def cmd_validate(args: argparse.Namespace) -> int:
    from conformance.selfcheck import passed, print_summary, validate

    output = Path(args.output) if args.output else Path("reports") / f"validate-{datetime.now():%Y%m%d-%H%M%S}"
    try:
        matrix = validate(output, names=args.defect, use_sample=args.sample, jobs=args.jobs, in_process=not args.http)
    except ValueError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 4
    print_summary(matrix)
    print(f"matrix written to {output / 'detection.json'} and {output / 'detection.html'}")
    return 0 if passed(matrix) else 1


def cmd_emulator(args: argparse.Namespace) -> int:
    from emulator.__main__ import argument_problem, run

    problem = None if args.list_defects else argument_problem(args)
    if problem:
        option, value, message = problem
        raise ConfigError(value, option, message)
    return run(args)


def cmd_load(args: argparse.Namespace) -> int:
    from conformance.load.command import run_command

    return run_command(args, resolve_device)


def cmd_gate(args: argparse.Namespace) -> int:
    from conformance.gate import run_gate

    return run_gate(args.baseline, args.new)


def cmd_report(args: argparse.Namespace) -> int:
    from conformance.reporting.allure_report import AllureUnavailable, build_allure_report

    if not args.allure:
        raise ConfigError(args.run_dir, "--allure", "names the report to build; give --allure for the Allure 3 single-file HTML")
    try:
        path = build_allure_report(Path(args.run_dir), Path(args.output) if args.output else None)
    except AllureUnavailable as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 4
    print(f"Allure report written to {path} (one file, opens offline)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="conformance", description="Conformance harness for GB 46859-2025 children's smartwatches.")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the conformance suite against a device (default: the embedded emulator)")
    run.add_argument("--device", default="emulator", help="declaration YAML, or a shipped device name (default: emulator)")
    run.add_argument("--profile", default="gb-2027", help="profile name or YAML (default: gb-2027)")
    run.add_argument("--tailoring", action="append", default=[], help="a tailoring layer applied last (repeatable)")
    run.add_argument("--output", help="output directory (default: reports/<run-id>)")
    run.add_argument("--run-id", help="name of the run (default: a timestamp)")
    run.add_argument("--defect", action="append", default=[], help="embedded emulator only: switch on a defect (repeatable)")
    run.add_argument("--variant", action="append", default=[], help="embedded emulator only: switch on a conformant variant (repeatable; must change no verdict)")
    run.add_argument("--in-process", action="store_true", help="embedded emulator only: run it inside the harness process, without HTTP")
    run.add_argument("--select", "-m", help="pytest marker expression over clause ids, e.g. 'CSW-ADD-1 or CSW-PAY-2'")
    run.add_argument("--keyword", "-k", help="pytest keyword expression over scenario names")
    run.add_argument("--no-bundle", action="store_true", help="write no evidence bundle (bundle.zip) at the end")
    run.add_argument("--sign-key", help="sign the evidence bundle with this Ed25519 private key (conformance keygen)")
    run.add_argument("--waivers", metavar="FILE", help="waiver file (YAML): a waived FAIL stays FAIL in every report but does not set the exit status")
    run.add_argument("--audit", action="store_true", help="an audit run, as a regulator runs it: refuses every waiver")
    run.add_argument("--allow-mandatory-waivers", action="store_true", help="accept waivers on mandatory clauses (marked loudly in every report)")
    run.add_argument("--retries", type=int, default=1, help="run a scenario again, up to N times, when a transport fault made it INCONCLUSIVE (default 1)")
    run.add_argument("--resume", metavar="RUN_DIR", help="finish a killed run: run only the scenarios missing from RUN_DIR/scenarios.jsonl, with its options")
    run.add_argument("--rerun", metavar="RUN_DIR", help="run again the scenarios of RUN_DIR with the verdicts --only names, into a new folder")
    run.add_argument("--only", help="with --rerun: comma-separated verdicts to run again (default FAIL,ERROR,INCONCLUSIVE)")
    run.add_argument("--farm", metavar="FARM.yaml", help="run every device a farm file lists, each in a process of its own, and write the matrix (docs/farm.md; 'example' is shipped)")
    run.add_argument("--jobs", type=int, help="with --farm: devices run at once (default: the number of cores)")
    run.set_defaults(func=cmd_run)

    init = commands.add_parser("init", help="write a declaration for a real watch to fill in, each field explained in Chinese and English")
    init.add_argument("dir", nargs="?", default=".", help="folder to write it in (default: the current folder)")
    init.add_argument("--name", default="watch.yaml", help="file name (default: watch.yaml)")
    init.set_defaults(func=cmd_init)

    check = commands.add_parser("check", help="bring up a test agent before a run: reach, token, protocol, features, every operation the suite sends")
    check.add_argument("--device", default="emulator", help="declaration YAML, or a shipped device name (default: emulator)")
    check.set_defaults(func=cmd_check)

    listing = commands.add_parser("list", help="the catalogue, with each clause's scenarios and applicability")
    listing.add_argument("--device", default="emulator", help="declaration deciding applicability (default: emulator)")
    listing.add_argument("--profile", default="gb-2027")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=cmd_list)

    report = commands.add_parser("report", help="build a report of a finished run: --allure, the Allure 3 single-file HTML (needs Node)")
    report.add_argument("run_dir", metavar="RUN_DIR", help="the folder a run wrote (reports/<run-id>)")
    report.add_argument("--allure", action="store_true", help="the Allure 3 report as one HTML file (npm allure, installed on first use)")
    report.add_argument("--output", help="the HTML file to write (default: RUN_DIR/allure-report.html)")
    report.set_defaults(func=cmd_report)

    validate = commands.add_parser("validate", help="self-validation: the suite against every emulator defect (detection matrix)")
    validate.add_argument("--output", help="output directory (default: reports/validate-<time>)")
    validate.add_argument("--defect", action="append", help="only these violations (repeatable)")
    validate.add_argument("--sample", action="store_true", help="a representative sample: one violation per area")
    validate.add_argument("--jobs", type=int, help="parallel runs (default: the number of cores)")
    validate.add_argument("--http", action="store_true", help="talk to the emulator over HTTP instead of in-process")
    validate.set_defaults(func=cmd_validate)

    gate = commands.add_parser("gate", help="compare a run with a baseline run: exit 1 if a clause got worse or vanished")
    gate.add_argument("--baseline", required=True, metavar="OLD", help="the baseline: results.json, a run folder or a bundle.zip (e.g. the last release's)")
    gate.add_argument("new", metavar="NEW", help="the run to judge: results.json, a run folder or a bundle.zip")
    gate.set_defaults(func=cmd_gate)

    from emulator.__main__ import build_parser as emulator_parser

    emulator = commands.add_parser("emulator", help="serve the reference watch on its own")
    emulator_parser(emulator)
    emulator.set_defaults(func=cmd_emulator)

    from conformance.load.command import add_arguments as load_arguments

    load = commands.add_parser("load", help="the like-load suite: stress the social core on Locust, then audit it (docs/load.md)")
    load_arguments(load)
    load.set_defaults(func=cmd_load)

    from conformance.evidence_cli import add_commands as evidence_commands

    evidence_commands(commands)  # bundle, keygen, verify, rejudge
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"conformance: {exc}", file=sys.stderr)
        return 4
    except BrokenPipeError:
        # The reader went away (`conformance list | head`): stop quietly, as other command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
