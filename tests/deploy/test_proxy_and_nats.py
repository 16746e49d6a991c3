"""The configuration files the deployments run, checked by the programs that run them: the
generated Caddyfiles by `caddy validate`, the NATS configurations by `nats-server -t`."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cnk import proxy
from tests.deploy.tools import DEPLOY, K8S, run, tool

DOMAIN = "events.example.org"


def test_the_committed_caddyfiles_are_what_the_route_tables_generate() -> None:
    assert proxy.stale_files() == [], "run `cnk proxy --write`"


def _caddy_validate(caddyfile: Path, tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "CNK_DOMAIN": DOMAIN,
        "ACME_EMAIL": "it@example.org",
        # Caddy's state (locks, the instance id) in the test's folder, not in $HOME.
        "XDG_DATA_HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path),
    }
    done = run(
        tool("caddy"), "validate", "--adapter", "caddyfile", "--config", str(caddyfile), env=env
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Valid configuration" in done.stdout + done.stderr


def test_caddy_accepts_the_compose_caddyfile(tmp_path: Path) -> None:
    _caddy_validate(DEPLOY / "Caddyfile", tmp_path)


def _self_signed(folder: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, DOMAIN)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(DOMAIN)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir()
    (folder / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "tls.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def test_caddy_accepts_the_kubernetes_caddyfile_with_its_certificate(tmp_path: Path) -> None:
    # Caddy loads the certificate while validating: the Secret's files, made here, where
    # the pod mounts them (/etc/caddy/tls) in a copy of the committed file.
    _self_signed(tmp_path / "tls")
    text = (K8S / "Caddyfile").read_text()
    assert text.count("/etc/caddy/tls/") == 2
    copy = tmp_path / "Caddyfile"
    copy.write_text(text.replace("/etc/caddy/tls/", f"{tmp_path}/tls/"))
    _caddy_validate(copy, tmp_path)


def _nats_test(config: Path, **env: str) -> None:
    done = run(tool("nats-server"), "-t", "-c", str(config), env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    assert "is valid" in done.stderr


def test_nats_accepts_the_compose_config() -> None:
    _nats_test(DEPLOY / "nats.conf")


def test_nats_accepts_the_kubernetes_cluster_config(tmp_path: Path) -> None:
    docs = yaml.safe_load_all((K8S / "nats.yaml").read_text())
    config_map = next(d for d in docs if d["kind"] == "ConfigMap")
    config = tmp_path / "nats.conf"
    config.write_text(config_map["data"]["nats.conf"])
    # The pod's name, as the StatefulSet passes it.
    _nats_test(config, SERVER_NAME="nats-0")
