"""What the benchmarks share: the local stack's tokens and database, and percentiles."""

from __future__ import annotations

import os
import time
from pathlib import Path

DATA = Path(os.environ.get("CNK_DATA_DIR", ".data"))


def _stack_value(file: str, name: str) -> str | None:
    path = DATA / file
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1]
    return None


def organizer_token() -> str:
    token = os.environ.get("ORGANIZER_TOKEN") or _stack_value("tokens.env", "ORGANIZER_TOKEN")
    if not token:
        raise SystemExit("no organizer token: set ORGANIZER_TOKEN or start `make run`")
    return token


def door_token() -> str:
    token = os.environ.get("DOOR_TOKEN") or _stack_value("tokens.env", "DOOR_TOKEN")
    if not token:
        raise SystemExit("no door token: set DOOR_TOKEN or start `make run`")
    return token


def database_url() -> str:
    url = os.environ.get("DATABASE_URL") or _stack_value("stack.env", "DATABASE_URL")
    if not url:
        raise SystemExit("no database: set DATABASE_URL or start `make run`")
    return url


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def machine_speed(seconds: float = 1.0) -> str:
    """How fast this machine is just now, as PyNaCl Ed25519 verifications per second on one
    core: a shared machine's speed varies by a quarter from hour to hour, so every figure
    is printed beside it (the issues were measured at about 16,000/s)."""
    from nacl.signing import SigningKey

    key = SigningKey(b"\x01" * 32)
    signed = key.sign(b"cnk-events machine speed")
    verify = key.verify_key.verify
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _ in range(100):
            verify(signed)
        count += 100
    rate = count / (time.perf_counter() - started)
    return f"PyNaCl {rate:,.0f} Ed25519 verifications/s on one core (issues: about 16,000)"
