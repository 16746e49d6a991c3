"""What the deployment tests share: the repository's paths, and the tools that check what
cannot run here (Docker, a cluster), each from a wheel of the dev extra (pyproject.toml)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
BACKUP_SCRIPT = DEPLOY / "backup" / "backup.sh"


def tool(name: str) -> str:
    """A command installed into the virtualenv by a wheel of the dev extra."""
    path = Path(sys.executable).with_name(name)
    assert path.exists(), f"{name} is missing: `make setup` installs the dev extra"
    return str(path)


def cnk(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The cnk command of this working tree (not of whichever install is on the PATH)."""
    return subprocess.run(
        [sys.executable, "-m", "cnk.cli", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def run(*command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
