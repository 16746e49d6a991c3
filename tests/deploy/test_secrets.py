"""`cnk secrets`: a deployment's env file and staff key, written once and never overwritten
by accident."""

from __future__ import annotations

import stat
from pathlib import Path

from shared.auth import public_key_of
from tests.deploy.tools import cnk


def _env(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_secrets_for_compose_are_fresh_and_readable_by_their_owner_alone(tmp_path: Path) -> None:
    done = cnk(
        "secrets",
        "--domain", "Events.Example.org",
        "--email", "it@example.org",
        "--smtp-url", "smtp://mailer:s3cret@smtp.example.org:587?starttls=true",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    env, key = _env(tmp_path / ".env"), (tmp_path / "staff-token.key").read_text().strip()
    assert set(env) == {
        "CNK_DOMAIN",
        "PUBLIC_URL",
        "ACME_EMAIL",
        "STAFF_TOKEN_PUBLIC_KEY",
        "POSTGRES_PASSWORD",
        "SMTP_URL",
    }
    assert env["CNK_DOMAIN"] == "events.example.org"
    assert env["PUBLIC_URL"] == "https://events.example.org"
    assert env["ACME_EMAIL"] == "it@example.org"
    # Quoted, so that compose takes a `$` or `#` in a password literally.
    assert env["SMTP_URL"] == "'smtp://mailer:s3cret@smtp.example.org:587?starttls=true'"
    assert env["STAFF_TOKEN_PUBLIC_KEY"] == public_key_of(key)
    assert len(env["POSTGRES_PASSWORD"]) >= 32
    for name in (".env", "staff-token.key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert key not in (tmp_path / ".env").read_text()

    again = cnk("secrets", "--domain", "events.example.org", "--email", "a@b.org", cwd=tmp_path)
    assert again.returncode == 1 and "--force" in again.stderr
    assert _env(tmp_path / ".env") == env

    forced = cnk(
        "secrets", "--domain", "events.example.org", "--email", "a@b.org", "--force", cwd=tmp_path
    )
    assert forced.returncode == 0, forced.stderr
    renewed = _env(tmp_path / ".env")
    assert renewed["POSTGRES_PASSWORD"] != env["POSTGRES_PASSWORD"]
    assert renewed["STAFF_TOKEN_PUBLIC_KEY"] != env["STAFF_TOKEN_PUBLIC_KEY"]
    assert renewed["SMTP_URL"] == ""  # to fill in; compose refuses to start without it
    assert "SMTP_URL is still to fill in" in forced.stdout


def test_secrets_for_kubernetes_share_one_password(tmp_path: Path) -> None:
    done = cnk(
        "secrets",
        "--kubernetes",
        "--env-file", "secrets.env",
        "--key-file", "staff.key",
        "--smtp-url", "smtps://relay.example.org",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    env = _env(tmp_path / "secrets.env")
    password = env["POSTGRES_PASSWORD"]
    assert env == {
        "POSTGRES_PASSWORD": password,
        "DATABASE_URL": f"postgresql://cnk:{password}@postgres:5432/cnk",
        "SMTP_URL": "smtps://relay.example.org",
        "STAFF_TOKEN_PUBLIC_KEY": public_key_of((tmp_path / "staff.key").read_text().strip()),
    }


def test_secrets_refuse_what_would_not_work(tmp_path: Path) -> None:
    for args, complaint in [
        (["--email", "it@example.org"], "--domain"),
        (["--domain", "https://events.example.org/", "--email", "a@b.org"], "host name"),
        (["--domain", "events.example.org", "--email", "it"], "--email"),
        (["--domain", "events.example.org", "--email", "a@b.org", "--smtp-url", "x"], "smtp://"),
    ]:
        done = cnk("secrets", *args, cwd=tmp_path)
        assert done.returncode == 2 and complaint in done.stderr, (args, done.stderr)
    assert list(tmp_path.iterdir()) == []
