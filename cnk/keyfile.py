"""Where the command-line tool finds the staff token signing key."""

from __future__ import annotations

import os
from pathlib import Path

from shared.auth import generate_keypair, public_key_of

DATA_DIR = Path(os.environ.get("CNK_DATA_DIR", ".data"))
LOCAL_KEY_FILE = DATA_DIR / "staff_token.key"


class NoSigningKey(Exception):
    pass


def private_key() -> str:
    """STAFF_TOKEN_PRIVATE_KEY, else STAFF_TOKEN_PRIVATE_KEY_FILE, else the local stack's key."""
    value = os.environ.get("STAFF_TOKEN_PRIVATE_KEY", "").strip()
    if value:
        return value
    path = Path(os.environ.get("STAFF_TOKEN_PRIVATE_KEY_FILE", "") or LOCAL_KEY_FILE)
    if path.exists():
        return path.read_text().strip()
    raise NoSigningKey(
        "no signing key: set STAFF_TOKEN_PRIVATE_KEY (see `cnk keygen`), or start the local"
        f" stack with `make run`, which keeps one in {LOCAL_KEY_FILE}"
    )


def ensure_local_key() -> tuple[str, str]:
    """The local stack's (private, public) pair, created on first use."""
    if LOCAL_KEY_FILE.exists():
        private = LOCAL_KEY_FILE.read_text().strip()
        return private, public_key_of(private)
    private, public = generate_keypair()
    LOCAL_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    LOCAL_KEY_FILE.touch(mode=0o600)
    LOCAL_KEY_FILE.write_text(private + "\n")
    return private, public
