"""The evidence commands: bundle, keygen, verify, rejudge (the parsers and what each prints)."""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_bundle(args: argparse.Namespace) -> int:
    from conformance.bundle import make_bundle

    path = make_bundle(Path(args.run_dir), args.sign_key)
    print(f"evidence bundle written to {path}" + (" (signed)" if args.sign_key else " (not signed: --sign-key KEY signs it)"))
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from conformance.signing import generate_key_pair, key_id, load_public_key

    private_path, public_path = generate_key_pair(Path(args.out))
    print(f"private key: {private_path} (mode 0600: keep it to the lab; `--sign-key {private_path}` signs a bundle)")
    print(f"public key:  {public_path} (hand it out; `conformance verify BUNDLE --key {public_path}` checks a signature)")
    print(f"key id:      {key_id(load_public_key(public_path))}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from conformance.bundle import print_verification, verify_bundle
    from conformance.signing import load_public_key

    key = load_public_key(args.key) if args.key else None
    return print_verification(Path(args.bundle), verify_bundle(Path(args.bundle), key))


def cmd_rejudge(args: argparse.Namespace) -> int:
    from conformance.rejudge import print_rejudgement, rejudge

    return print_rejudgement(rejudge(Path(args.bundle), args.profile, [Path(t) for t in args.tailoring], Path(args.waivers) if args.waivers else None, args.allow_mandatory_waivers))


def add_commands(commands: argparse._SubParsersAction) -> None:
    bundle = commands.add_parser("bundle", help="make (or remake) the evidence bundle of a run: RUN_DIR/bundle.zip")
    bundle.add_argument("run_dir", metavar="RUN_DIR", help="the run's folder (where results.json is)")
    bundle.add_argument("--sign-key", help="sign the manifest with this Ed25519 private key (conformance keygen)")
    bundle.set_defaults(func=cmd_bundle)

    keygen = commands.add_parser("keygen", help="make an Ed25519 key pair for signing evidence bundles")
    keygen.add_argument("--out", required=True, metavar="DIR", help="folder for conformance-signing.key (mode 0600) and conformance-signing.pub")
    keygen.set_defaults(func=cmd_keygen)

    verify = commands.add_parser("verify", help="check an evidence bundle against its manifest and, with --key, its signature")
    verify.add_argument("bundle", metavar="BUNDLE", help="the bundle.zip")
    verify.add_argument("--key", metavar="PUB", help="the lab's public key: the bundle must be signed with its private key")
    verify.set_defaults(func=cmd_verify)

    rejudge = commands.add_parser("rejudge", help="recompute every clause verdict from a bundle's record, without a device, and show what another profile would change")
    rejudge.add_argument("bundle", metavar="BUNDLE", help="the bundle.zip")
    rejudge.add_argument("--profile", help="judge under this profile (name or YAML) instead of the bundle's own (its tailoring files are dropped too)")
    rejudge.add_argument("--tailoring", action="append", default=[], help="a tailoring layer applied last, over the bundle's profile or --profile (repeatable)")
    rejudge.add_argument("--waivers", metavar="FILE", help="a waiver file: which FAILs it would waive and the exit status with it (a waived FAIL stays FAIL)")
    rejudge.add_argument("--allow-mandatory-waivers", action="store_true", help="accept waivers on mandatory clauses, as `conformance run` does")
    rejudge.set_defaults(func=cmd_rejudge)
