"""The optional second factor: a TOTP authenticator app (pyotp), set up by scanning a QR
code of its otpauth URI (or typing the secret), confirmed with a first code; ten recovery
codes, shown once, stored as SHA-256 hashes, each good once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid

import asyncpg
import pyotp
import qrcode
import qrcode.constants
import qrcode.image.svg

from services.registration.staff import db
from services.registration.staff.accounts import SERVICE
from services.registration.staff.texts import Invalid
from shared import audit, ratelimit
from shared.auth import StaffClaims

ISSUER = "CNK events"
RECOVERY_CODES = 10
CODE_LIMIT, CODE_WINDOW = 10, 3600  # codes one person may try an hour
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mistake


def otpauth_uri(person: db.Person) -> str:
    assert person.totp_secret is not None
    return pyotp.TOTP(person.totp_secret).provisioning_uri(name=person.email, issuer_name=ISSUER)


def qr_svg(text: str, label: str) -> str:
    """``text`` as an inline SVG QR code, named ``label`` for screen readers."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    svg: str = qr.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(
        encoding="unicode"
    )
    safe = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{safe}" class="qr" ', 1)


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _code_hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _totp_step(secret: str, code: str) -> int | None:
    """The time step ``code`` is valid for (this one or a neighbour, for clock drift)."""
    code = _normal(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time()
    for drift in (0, -1, 1):
        moment = int(now) + drift * totp.interval
        if hmac.compare_digest(totp.at(moment), code):
            return moment // totp.interval
    return None


async def check_code(conn: asyncpg.Connection, person: db.Person, code: str) -> bool:
    """A current TOTP code not used before, or an unused recovery code (used up now)."""
    assert person.totp_secret is not None
    step = _totp_step(person.totp_secret, code)
    if step is not None:
        return await db.update_totp_step(conn, person.id, step)
    if len(_normal(code)) != 10:
        return False
    return await db.update_recovery_code_used(conn, person.id, _code_hash(code))


def new_recovery_codes() -> list[str]:
    codes = [
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)
    ]
    return [f"{c[:5]}-{c[5:]}" for c in codes]


async def count_attempt(pool: asyncpg.Pool, staff_id: uuid.UUID) -> None:
    """Every code a person tries (signing in, turning the second factor on or off, new
    recovery codes), right or wrong, counts: at most ``CODE_LIMIT`` an hour, so guessing
    six digits stays hopeless however many links or sessions someone holds."""
    key = f"staff-code:{staff_id}"
    if await ratelimit.take(pool, [ratelimit.Limit(key, 1, CODE_LIMIT, CODE_WINDOW)]):
        raise Invalid({"code": "code_attempts"})


async def begin_setup(pool: asyncpg.Pool, staff_id: uuid.UUID) -> None:
    """A new secret for the person to scan; the second factor is off until confirmed.
    Nothing changes while it is on: turning it off takes a code (``turn_off``)."""
    await db.update_pending_totp_secret(pool, staff_id, pyotp.random_base32())


async def confirm_setup(pool: asyncpg.Pool, claims: StaffClaims, code: str) -> list[str] | None:
    """Turn the second factor on with a first code from the app; returns the recovery
    codes to show once. None: no setup under way."""
    staff_id = uuid.UUID(claims.sub)
    async with pool.acquire() as conn, conn.transaction():
        person = await db.select_person(conn, staff_id)
        if person is None or person.totp_secret is None or person.totp_enabled_at is not None:
            return None
        await count_attempt(pool, staff_id)
        step = _totp_step(person.totp_secret, code)
        if step is None:
            raise Invalid({"code": "code_wrong"})
        await db.update_totp_enabled(conn, staff_id, step)
        codes = new_recovery_codes()
        await db.replace_recovery_codes(conn, staff_id, [_code_hash(c) for c in codes])
        await audit.record(
            conn,
            SERVICE,
            claims,
            "staff.two_factor_on",
            before={"two_factor": False},
            after={"two_factor": True},
        )
    return codes


async def turn_off(pool: asyncpg.Pool, claims: StaffClaims, code: str) -> bool:
    """Turn the second factor off, proven with a current code (or a recovery code)."""
    staff_id = uuid.UUID(claims.sub)
    async with pool.acquire() as conn, conn.transaction():
        person = await db.select_person(conn, staff_id)
        if person is None or person.totp_enabled_at is None:
            return False
        await count_attempt(pool, staff_id)
        if not await check_code(conn, person, code):
            raise Invalid({"code": "code_wrong"})
        await db.update_totp_secret(conn, staff_id, None)
        await db.delete_recovery_codes(conn, staff_id)
        await audit.record(
            conn,
            SERVICE,
            claims,
            "staff.two_factor_off",
            before={"two_factor": True},
            after={"two_factor": False},
        )
    return True


async def regenerate_recovery_codes(
    pool: asyncpg.Pool, claims: StaffClaims, code: str
) -> list[str] | None:
    """New recovery codes (the old ones stop working), proven with a current code: a
    session alone does not get them. None without the second factor."""
    staff_id = uuid.UUID(claims.sub)
    async with pool.acquire() as conn, conn.transaction():
        person = await db.select_person(conn, staff_id)
        if person is None or person.totp_enabled_at is None:
            return None
        await count_attempt(pool, staff_id)
        if not await check_code(conn, person, code):
            raise Invalid({"code": "code_wrong"})
        codes = new_recovery_codes()
        await db.replace_recovery_codes(conn, staff_id, [_code_hash(c) for c in codes])
        await audit.record(conn, SERVICE, claims, "staff.recovery_codes_renewed")
    return codes
