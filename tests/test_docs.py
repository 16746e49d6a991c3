"""The guides name files that exist: a path in backticks in README.md or docs/ is a file
or folder of this repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDES = [ROOT / "README.md", ROOT / "deploy" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# A repository path: starts at a top-level folder, no placeholders or wildcards.
PATH = re.compile(r"`((?:services|shared|cnk|tests|bench|deploy|docs)/[\w./-]+)`")
# Files the guides tell an admin to create.
CREATED = {"deploy/k8s/secrets.env"}


def _exists(named: str) -> bool:
    # `shared/tasks.Pacer` names a module's member.
    module = re.sub(r"\.[A-Z_a-z]\w*$", ".py", named)
    return named in CREATED or any((ROOT / p.rstrip("/")).exists() for p in (named, module))


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: str(p.relative_to(ROOT)))
def test_paths_named_in_the_guides_exist(guide: Path) -> None:
    named = set(PATH.findall(guide.read_text()))
    missing = sorted(p for p in named if not _exists(p))
    assert missing == []


def test_the_readme_is_a_short_guide() -> None:
    assert len((ROOT / "README.md").read_bytes()) < 15_000
