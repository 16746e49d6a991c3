"""Signing in to the back office: a one-time email link (15 minutes, single use), then the
second factor where the person turned it on, then a session; signing out, here or
everywhere; the session's language.

The link's secret is only ever stored as its SHA-256 and travels to notifications sealed
(shared/sealing.py) in ``staff.sign_in_requested``, which notifications emails.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import msgspec
import nats.errors
import structlog
from aiohttp import web

from services.registration.staff import accounts, db, two_factor
from services.registration.staff.texts import Invalid
from shared import audit, outbox, ratelimit
from shared.auth import STAFF_AUTH, StaffClaims
from shared.db import DB_POOL
from shared.events import StaffSignInRequested
from shared.office import sessions
from shared.revocations import revoke
from shared.sealing import Sealer
from shared.staff_keys import Signer
from shared.tasks import periodic

log = structlog.get_logger()
# Sign-in requests: per address (whether or not it has an account, so the limit tells
# nothing) and per client address.
ADDRESS_LIMIT, ADDRESS_WINDOW = 5, 15 * 60
CLIENT_LIMIT, CLIENT_WINDOW = 60, 10 * 60
CODE_ATTEMPTS = 5  # wrong codes before the half-signed-in state is void


class RateLimited(Exception):
    def __init__(self, minutes: int) -> None:
        super().__init__(minutes)
        self.minutes = minutes


class Started(msgspec.Struct, frozen=True):
    """What the sign-in did: a session (its signed token and claims) or, for a person
    with a second factor, a challenge (its secret goes in a short-lived cookie)."""

    next_path: str
    token: str | None = None
    claims: StaffClaims | None = None
    challenge: str | None = None


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def request_link(
    pool: asyncpg.Pool, sealer: Sealer, *, email: str, client: str, next_path: str
) -> None:
    """Email a sign-in link if the address belongs to a person (the caller's answer is the
    same either way). Raises Invalid for a malformed address, RateLimited past a limit."""
    email = accounts.check_email(email)
    over = await ratelimit.take(
        pool,
        [
            ratelimit.Limit(ratelimit.address_key(client), 1, CLIENT_LIMIT, CLIENT_WINDOW),
            ratelimit.Limit(
                ratelimit.email_key("staff-sign-in", email), 1, ADDRESS_LIMIT, ADDRESS_WINDOW
            ),
        ],
    )
    if over is not None:
        raise RateLimited(max(1, -(-over[1] // 60)))
    async with pool.acquire() as conn, conn.transaction():
        person = await db.select_person_by_email(conn, email)
        if person is None or person.removed_at is not None:
            return
        secret = secrets.token_urlsafe(32)
        sealed = sealer.seal(secret)
        if sealed is None:  # notifications never started: nobody could open the link
            return
        link_id = uuid.uuid4()
        expires_at = await db.insert_link(
            conn, link_id, person.id, secret_hash(secret), sessions.safe_next(next_path)
        )
        lang = person.language if person.language in ("pl", "en") else "pl"
        await outbox.enqueue(
            conn,
            StaffSignInRequested(
                link_id=link_id,
                email=person.email,
                name=person.name,
                lang=lang,  # type: ignore[arg-type]
                secret_sealed=sealed,
                expires_at=expires_at,
            ),
            link_id,
            1,
        )


async def link_usable(pool: asyncpg.Pool, secret: str) -> bool:
    return bool(secret) and await db.select_link_usable(pool, secret_hash(secret))


async def redeem_link(
    pool: asyncpg.Pool, signer: Signer, secret: str, user_agent: str
) -> Started | None:
    """Use the link (once, unexpired): a session, or the challenge of the second factor.
    None: the link is unknown, used or expired."""
    if not secret:
        return None
    async with pool.acquire() as conn, conn.transaction():
        redeemed = await db.update_link_used(conn, secret_hash(secret))
        if redeemed is None:
            return None
        person = await db.select_person(conn, redeemed.staff_id)
        assert person is not None
        if person.totp_enabled_at is not None:
            challenge = secrets.token_urlsafe(32)
            await db.update_link_challenge(conn, redeemed.link_id, secret_hash(challenge))
            return Started(redeemed.next_path, challenge=challenge)
        return await _start(conn, signer, person, redeemed.next_path, user_agent)


async def challenge_open(pool: asyncpg.Pool, challenge: str | None) -> bool:
    if not challenge:
        return False
    return await db.select_challenge(pool, secret_hash(challenge), CODE_ATTEMPTS) is not None


async def meet_challenge(
    pool: asyncpg.Pool, signer: Signer, challenge: str | None, code: str, user_agent: str
) -> Started | None:
    """The second factor: a TOTP code or a recovery code. Raises Invalid for a wrong code
    (counted); None when the challenge is gone (expired, used, too many tries)."""
    if not challenge:
        return None
    async with pool.acquire() as conn, conn.transaction():
        found = await db.select_challenge(conn, secret_hash(challenge), CODE_ATTEMPTS)
        if found is None:
            return None
        person = await db.select_person(conn, found.staff_id)
        if person is None or person.removed_at is not None or person.totp_secret is None:
            return None
        await two_factor.count_attempt(pool, person.id)
        if not await two_factor.check_code(conn, person, code):
            await db.update_challenge_attempt(conn, found.link_id)
            wrong = True
        else:
            wrong = False
            if not await db.update_challenge_used(conn, found.link_id):
                return None
            started = await _start(conn, signer, person, found.next_path, user_agent)
    if wrong:  # the attempt is counted (committed) before the refusal
        raise Invalid({"code": "code_wrong"})
    return started


async def _start(
    conn: asyncpg.Connection, signer: Signer, person: db.Person, next_path: str, user_agent: str
) -> Started:
    grants = accounts.grants_of(await db.select_roles(conn, person.id))
    claims = sessions.new_session(
        staff_id=person.id, name=person.name, lang=person.language, grants=grants
    )
    expires = datetime.fromtimestamp(claims.auth_time + sessions.ABSOLUTE_SECONDS, UTC)
    await db.insert_session(conn, uuid.UUID(claims.jti), person.id, expires, user_agent)
    await audit.record(conn, accounts.SERVICE, claims, "staff.signed_in")
    return Started(sessions.safe_next(next_path), signer.sign(claims), claims)


async def sign_out(app: web.Application, pool: asyncpg.Pool, claims: StaffClaims) -> None:
    await db.update_session_signed_out(pool, uuid.UUID(claims.jti))
    await revoke_sessions(app, [uuid.UUID(claims.jti)], claims.sub)


async def sign_out_everywhere(app: web.Application, pool: asyncpg.Pool, claims: StaffClaims) -> int:
    """End every open session of the person (this one too); returns how many."""
    async with pool.acquire() as conn, conn.transaction():
        ended = await db.update_sessions_signed_out(conn, uuid.UUID(claims.sub))
        await audit.record(
            conn,
            accounts.SERVICE,
            claims,
            "staff.signed_out_everywhere",
            after={"sessions": len(ended)},
        )
    await revoke_sessions(app, [*ended, uuid.UUID(claims.jti)], claims.sub)
    return len(ended)


async def revoke_sessions(app: web.Application, ids: list[uuid.UUID], by: str) -> None:
    """Every service refuses the sessions, which the database already says are over. If
    NATS cannot take it now, ``republish_revocations`` tells the others within a minute
    (this process refuses them at once either way)."""
    for session_id in dict.fromkeys(ids):
        try:
            await revoke(app, str(session_id), by)
        except (OSError, TimeoutError, nats.errors.Error) as e:
            log.warning("session_revocation_deferred", session=str(session_id), error=str(e))


async def republish_revocations(app: web.Application) -> None:
    """Sessions the database says are over but this process has not seen revoked (a
    revocation NATS did not take): revoked now, for every service."""
    known = app[STAFF_AUTH].revoked
    for session_id in await db.select_signed_out_sessions(app[DB_POOL]):
        if str(session_id) not in known:
            await revoke(app, str(session_id), "sign-out")


async def revocations_republisher(app: web.Application) -> AsyncIterator[None]:
    async with periodic("session-revocations", lambda: republish_revocations(app), 30.0, 1.0):
        yield


async def change_language(
    pool: asyncpg.Pool, signer: Signer, claims: StaffClaims, lang: str
) -> str:
    """The person's language from now on; returns the session re-signed with it."""
    if lang not in accounts.LANGUAGES:
        raise Invalid({"lang": "language_invalid"})
    await db.update_language(pool, uuid.UUID(claims.sub), lang)
    now = int(time.time())
    renewed = msgspec.structs.replace(
        claims,
        lang=lang,
        iat=now,
        exp=min(now + sessions.IDLE_SECONDS, claims.auth_time + sessions.ABSOLUTE_SECONDS),
    )
    return signer.sign(renewed)
