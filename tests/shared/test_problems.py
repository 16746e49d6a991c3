"""Every problem code the services can answer has its Polish text."""

from __future__ import annotations

import re
from pathlib import Path

from shared.problems import POLISH

ROOT = Path(__file__).resolve().parents[2]


def test_every_problem_code_has_a_polish_detail() -> None:
    codes: set[str] = set()
    for folder in ("services", "shared"):
        for source in (ROOT / folder).rglob("*.py"):
            codes |= set(re.findall(r'ProblemError\(\s*\d{3},\s*"([a-z_]+)"', source.read_text()))
    assert len(codes) > 30
    assert sorted(codes - set(POLISH)) == []
