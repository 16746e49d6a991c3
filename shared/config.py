"""Service settings, read once from environment variables."""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping

from aiohttp import web

SERVICES = ("registration", "tickets", "checkin", "notifications")
DEFAULT_PORTS = {"registration": 8081, "tickets": 8082, "checkin": 8083, "notifications": 8084}
# Composing emails (QR, PDF ticket, MIME) is CPU-bound Python: one process cannot use the
# second core (docs/decisions.md, Notifications).
DEFAULT_PROCESSES = {"registration": 1, "tickets": 1, "checkin": 1, "notifications": 2}


class ConfigError(Exception):
    """A variable is missing or malformed; the message names it."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, zero_ok: bool = False) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0 or (value == 0 and not zero_ok) or value != value:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated CIDRs (a bare address is one host), each checked."""
    found = []
    for part in env.get(name, "").split(","):
        if part.strip():
            try:
                found.append(str(ipaddress.ip_network(part.strip(), strict=False)))
            except ValueError:
                raise ConfigError(f"{name}: {part.strip()!r} is not an address or CIDR") from None
    return tuple(found)


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is required")
    return value


@dataclasses.dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    nats_url: str
    staff_token_public_key: str
    host: str = "0.0.0.0"
    port: int = 8080
    smtp_url: str = "smtp://localhost:25"
    mail_from: str = "CNK Events <events@cnk.pb.edu.pl>"
    registration_url: str = "http://localhost:8081"
    tickets_url: str = "http://localhost:8082"
    checkin_url: str = "http://localhost:8083"
    stream_replicas: int = 1
    db_pool_size: int = 8
    max_deliver: int = 5
    outbox_poll_seconds: float = 1.0
    batch_interval_seconds: float = 0.2
    log_format: str = "json"
    log_level: str = "INFO"
    offer_hours: float = 24.0
    offer_sweep_seconds: float = 30.0
    registration_rate_limit: int = 30  # seats per client address per minute
    registration_email_limit: int = 10  # attempts per email address per hour
    trusted_proxies: tuple[str, ...] = ()
    staff_token_max_days: int = 30
    processes: int = 1
    mail_rate: float = 100.0
    reminder_hours: int = 24  # 0: no reminders
    reminder_sweep_seconds: float = 30.0
    mail_max_age_hours: float = 48.0
    mail_retry_seconds: float = 10.0
    # How long a request's body may take to arrive (shared/http.py, body_deadline).
    body_timeout_seconds: float = 30.0
    verify_rate_limit: int = 20  # certificate files checked per client address per minute
    # How long the worker may take over one uploaded PDF (checkin/evidence/pdf_queue.py).
    verify_timeout_seconds: float = 10.0
    # The worker's rest after each file: this many times as long as the file took, for no
    # less than verify_min_rest_seconds (checkin/evidence/pdf_queue.py).
    verify_rest_factor: float = 3.0
    verify_min_rest_seconds: float = 0.5
    # How long a JetStream request (a publish, a bucket's put) waits for the server's answer.
    nats_timeout_seconds: float = 5.0

    @classmethod
    def from_env(cls, service: str, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        if service not in SERVICES:
            raise ConfigError(f"unknown service {service!r}")
        log_format = env.get("LOG_FORMAT", "json")
        if log_format not in ("json", "console"):
            raise ConfigError(f"LOG_FORMAT must be json or console, got {log_format!r}")
        if "TRUST_FORWARDED_FOR" in env:
            raise ConfigError(
                "TRUST_FORWARDED_FOR is no longer read: list the proxies in TRUSTED_PROXIES"
            )
        port_var = f"{service.upper()}_PORT"
        # The one origin every link points at; a service's own variable overrides it.
        public_url = env.get("PUBLIC_URL", "").rstrip("/")
        return cls(
            service=service,
            database_url=_required(env, "DATABASE_URL"),
            nats_url=_required(env, "NATS_URL"),
            staff_token_public_key=_required(env, "STAFF_TOKEN_PUBLIC_KEY"),
            host=env.get("HTTP_HOST", "0.0.0.0"),
            port=_int(env, port_var, DEFAULT_PORTS[service], minimum=1),
            smtp_url=env.get("SMTP_URL", "smtp://localhost:25"),
            mail_from=env.get("MAIL_FROM", cls.mail_from),
            registration_url=env.get(
                "REGISTRATION_PUBLIC_URL", public_url or cls.registration_url
            ).rstrip("/"),
            tickets_url=env.get("TICKETS_PUBLIC_URL", public_url or cls.tickets_url).rstrip("/"),
            checkin_url=env.get("CHECKIN_PUBLIC_URL", public_url or cls.checkin_url).rstrip("/"),
            stream_replicas=_int(env, "NATS_STREAM_REPLICAS", 1, minimum=1),
            db_pool_size=_int(env, "DB_POOL_SIZE", 8, minimum=2),
            max_deliver=_int(env, "NATS_MAX_DELIVER", 5, minimum=1),
            log_format=log_format,
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            offer_hours=_float(env, "WAITLIST_OFFER_HOURS", 24.0),
            offer_sweep_seconds=_float(env, "OFFER_SWEEP_SECONDS", 30.0),
            registration_rate_limit=_int(env, "REGISTRATION_RATE_LIMIT", 30),
            registration_email_limit=_int(env, "REGISTRATION_EMAIL_LIMIT", 10),
            trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
            staff_token_max_days=_int(env, "STAFF_TOKEN_MAX_DAYS", 30, minimum=1),
            processes=_int(
                env, f"{service.upper()}_PROCESSES", DEFAULT_PROCESSES[service], minimum=1
            ),
            mail_rate=_float(env, "MAIL_RATE", 100.0, zero_ok=True),
            reminder_hours=_int(env, "REMINDER_HOURS", 24),
            reminder_sweep_seconds=_float(env, "REMINDER_SWEEP_SECONDS", 30.0),
            mail_max_age_hours=_float(env, "MAIL_MAX_AGE_HOURS", 48.0),
            mail_retry_seconds=_float(env, "MAIL_RETRY_SECONDS", 10.0),
            body_timeout_seconds=_float(env, "BODY_TIMEOUT_SECONDS", 30.0),
            verify_rate_limit=_int(env, "VERIFY_RATE_LIMIT", 20),
            verify_timeout_seconds=_float(env, "VERIFY_TIMEOUT_SECONDS", 10.0),
            verify_rest_factor=_float(env, "VERIFY_REST_FACTOR", 3.0, zero_ok=True),
            verify_min_rest_seconds=_float(env, "VERIFY_MIN_REST_SECONDS", 0.5, zero_ok=True),
            nats_timeout_seconds=_float(env, "NATS_TIMEOUT_SECONDS", 5.0),
            batch_interval_seconds=_int(env, "BATCH_INTERVAL_MS", 200) / 1000,
        )

    @property
    def schema(self) -> str:
        return self.service


SETTINGS = web.AppKey("settings", Settings)
