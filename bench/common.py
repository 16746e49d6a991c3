"""What the benchmarks share: the local stack's tokens and database, and percentiles."""

from __future__ import annotations

import os
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
