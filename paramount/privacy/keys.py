"""The shared secret: made once, held by the local authority and the force, never logged.

A key file holds 32 random bytes (`secrets.token_bytes`) as hex, readable only by its owner
(mode 0600): a key others can read is refused, as ssh refuses such a private key. Every
hash the encodings use has a key of its own derived from the secret (HKDF, RFC 5869, with
SHA-256, written with `hmac`), so no two fields' encodings can be compared with each other.
The key's fingerprint (an HMAC of a fixed label) goes into the encoded files' manifest, so
Paramount can tell a wrong key before it links anything; it says nothing of the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

KEY_BYTES = 32
_SALT = b"paramount partner encoding v1"
_FINGERPRINT_LABEL = b"paramount partner key fingerprint v1"


class PartnerKeyError(ValueError):
    """A key file missing, malformed, readable by others, or not the one the data was encoded
    with. Messages name the file, never the key."""


@dataclass(frozen=True)
class PartnerKey:
    """The shared secret. Its `repr` hides it, so a traceback or a log line cannot show it."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < KEY_BYTES:
            raise PartnerKeyError(f"a partner key must hold at least {KEY_BYTES} bytes")

    def derive(self, label: str) -> bytes:
        """A 32-byte key for one purpose (HKDF-SHA256: extract with a fixed salt, expand
        with the label), independent of every other label's."""
        prk = hmac.new(_SALT, self.secret, hashlib.sha256).digest()
        return hmac.new(prk, label.encode() + b"\x01", hashlib.sha256).digest()

    @property
    def fingerprint(self) -> str:
        """Which key this is, in 16 hex digits, for the manifest: an HMAC of a fixed label."""
        return hmac.new(self.derive("fingerprint"), _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[
            :16
        ]


def make_key_file(path: Path) -> PartnerKey:
    """Write a new random key to `path` (mode 0600, created, never overwritten)."""
    path = Path(path)
    key = PartnerKey(secrets.token_bytes(KEY_BYTES))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as error:
        raise PartnerKeyError(f"{path} exists: a key is never overwritten") from error
    with os.fdopen(fd, "w") as f:
        f.write(key.secret.hex() + "\n")
    return key


def read_key_file(path: Path) -> PartnerKey:
    """The key in `path`; refused when others may read the file or it is not a key."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise PartnerKeyError(f"cannot read the partner key file {path}") from error
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise PartnerKeyError(
            f"the partner key file {path} can be read by others: make it readable by its "
            f"owner only (chmod 600 {path})"
        )
    try:
        secret = bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError) as error:
        raise PartnerKeyError(
            f"{path} is not a partner key (64 hex digits, made by paramount partner keygen)"
        ) from error
    if len(secret) < KEY_BYTES:
        raise PartnerKeyError(
            f"{path} is not a partner key (64 hex digits, made by paramount partner keygen)"
        )
    return PartnerKey(secret)
