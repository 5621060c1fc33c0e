"""A lab's Ed25519 key pair, and the signature over an evidence bundle's manifest (the `cryptography` package)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from conformance.datafile import ConfigError

PRIVATE_NAME = "conformance-signing.key"
PUBLIC_NAME = "conformance-signing.pub"
ALGORITHM = "Ed25519"


def key_id(public_key: Ed25519PublicKey) -> str:
    """The SHA-256 of the raw public key: names the key a bundle was signed with."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def generate_key_pair(out_dir: Path) -> tuple[Path, Path]:
    """Write a new key pair into `out_dir`: the private key readable by its owner only (mode 0600). Never overwrites a key."""
    private_path, public_path = out_dir / PRIVATE_NAME, out_dir / PUBLIC_NAME
    for path in (private_path, public_path):
        if path.exists():
            raise ConfigError(path, "--out", "already exists: a key pair is never overwritten (move it away or choose another folder)")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        public_pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        # Created with mode 0600 at once, so the private key is never readable by others, not even for a moment.
        handle = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(private_pem)
        public_path.write_bytes(public_pem)
    except OSError as exc:
        raise ConfigError(out_dir, "--out", f"cannot hold the key pair: {exc.strerror or exc}") from None
    return private_path, public_path


def _read(path: Path, option: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(path, option, f"cannot be read: {exc.strerror or exc}") from None


def load_private_key(path: Path | str, option: str = "--sign-key") -> Ed25519PrivateKey:
    path = Path(path)
    try:
        key = serialization.load_pem_private_key(_read(path, option), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(path, option, "is not an unencrypted Ed25519 private key in PEM form (`conformance keygen` makes one)")
    return key


def load_public_key(path: Path | str, option: str = "--key") -> Ed25519PublicKey:
    path = Path(path)
    try:
        key = serialization.load_pem_public_key(_read(path, option))
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(path, option, "is not an Ed25519 public key in PEM form (the .pub file `conformance keygen` writes)")
    return key


def sign(private_key: Ed25519PrivateKey, data: bytes) -> bytes:
    """manifest.sig: the signature over `data`, with the algorithm and the signing key's id, as JSON."""
    document = {"algorithm": ALGORITHM, "key_sha256": key_id(private_key.public_key()), "signature": base64.b64encode(private_key.sign(data)).decode("ascii")}
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def signature_problem(public_key: Ed25519PublicKey, data: bytes, signature_file: bytes) -> str | None:
    """Why manifest.sig does not prove that the holder of `public_key` signed `data`, or None when it does."""
    try:
        document = json.loads(signature_file)
        signature = base64.b64decode(document["signature"], validate=True)
    except (ValueError, KeyError, TypeError, binascii.Error):
        return "manifest.sig is not a signature file this harness writes (JSON with a base64 'signature')"
    if document.get("algorithm") != ALGORITHM:
        return f"manifest.sig uses {document.get('algorithm')!s}, not {ALGORITHM}"
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        if document.get("key_sha256") not in (None, key_id(public_key)):
            return f"the signature was made with another key (key {str(document['key_sha256'])[:16]}..., not the given key {key_id(public_key)[:16]}...)"
        return "the signature does not match manifest.json: the manifest was changed after it was signed"
    return None
