"""The secrets of a deployment, written once by `cnk secrets`: the env file docker compose
reads (`.env`) or the one kustomize makes the cnk-secrets Secret of (deploy/k8s/secrets.env),
and the staff token private key in a file of its own, which never goes to the services."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlsplit

_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class BadValue(Exception):
    """An option that cannot go into the file; the message says which and why."""


def check_domain(domain: str) -> str:
    domain = domain.strip().lower()
    if not _HOST_NAME.match(domain):
        raise BadValue(f"--domain wants a host name such as events.example.org, got {domain!r}")
    return domain


def check_email(email: str) -> str:
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise BadValue(f"--email wants an address such as it@example.org, got {email!r}")
    return email


def check_smtp_url(url: str) -> str:
    # The rule notifications applies at start-up (services/notifications/emails/mailer.py).
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise BadValue(f"--smtp-url wants smtp://[user:password@]host:port, got {url!r}")
    if "'" in url or "\n" in url:
        raise BadValue("--smtp-url: percent-encode quotes and line breaks (%27, %0A)")
    return url


def _password() -> str:
    # URL-safe, so it goes into DATABASE_URL as it is.
    return secrets.token_urlsafe(24)


def compose_env(domain: str, email: str, smtp_url: str, public_key: str) -> str:
    """What docker-compose.yml reads: the site, the keys, the relay."""
    # Single quotes: compose takes the value literally (a `$` or `#` in an SMTP password).
    smtp = f"SMTP_URL='{smtp_url}'" if smtp_url else "SMTP_URL="
    return f"""\
# docker compose reads this file (docker-compose.yml). Keep it on the server only.

# The site: Caddy gets its certificate for this name; links in emails use PUBLIC_URL.
CNK_DOMAIN={domain}
PUBLIC_URL=https://{domain}
# The certificate authority's contact for this site's certificates.
ACME_EMAIL={email}

# Verifies staff tokens; the private half that signs them is not in this file.
STAFF_TOKEN_PUBLIC_KEY={public_key}
# PostgreSQL's password: the services and the nightly backup log in with it.
POSTGRES_PASSWORD={_password()}

# The relay every email goes through, e.g. 'smtp://user:password@smtp.example.org:587?starttls=true'
# (smtps:// for implicit TLS; percent-encode special characters in the password).
# `docker compose --profile dev up` with SMTP_URL=smtp://mailpit:1025 catches them instead.
{smtp}

# Defaults of docker-compose.yml; uncomment a line to change one.
# The sender of every email:
# MAIL_FROM='CNK Events <events@cnk.pb.edu.pl>'
# The containers' network, whose addresses alone the services trust as proxies
# (pick a range the university's network does not use):
# CNK_SUBNET=172.30.84.0/24
# The nightly pg_dump: its hour in TZ, how many days of dumps to keep, the host folder:
# BACKUP_HOUR=2
# BACKUP_KEEP_DAYS=14
# BACKUP_PATH=./backups
# TZ=Europe/Warsaw
# The longest staff token lifetime the services accept:
# STAFF_TOKEN_MAX_DAYS=30
"""


def kubernetes_env(smtp_url: str, public_key: str) -> str:
    """What deploy/k8s/kustomization.yaml makes the cnk-secrets Secret of."""
    password = _password()
    # No quotes here: kustomize would keep them as part of the value. The login is the one
    # deploy/k8s/postgres.yaml creates.
    return f"""\
# kustomize makes the cnk-secrets Secret of this file (deploy/k8s/kustomization.yaml).
# Never commit it.
POSTGRES_PASSWORD={password}
DATABASE_URL=postgresql://cnk:{password}@postgres:5432/cnk
# e.g. smtp://user:password@smtp.example.org:587?starttls=true
SMTP_URL={smtp_url}
STAFF_TOKEN_PUBLIC_KEY={public_key}
"""


def write_private(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner alone, replacing any file there."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
