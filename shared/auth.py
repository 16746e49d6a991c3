"""Staff tokens (EdDSA-signed JWTs) and attendee manage tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
import uuid
from typing import Literal

import jwt
import msgspec
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from shared.proxies import TRUSTED_PROXIES
from shared.refusals import (
    ALL_EVENTS_NEEDED,
    EVENT_NOT_COVERED,
    FORBIDDEN,
    INVALID_TOKEN,
    TOKEN_EXPIRED,
    TOKEN_LIFETIME_TOO_LONG,
    TOKEN_REVOKED,
    UNAUTHORIZED,
)

ISSUER = "cnk-events"
# How long a browser keeps a registration's manage cookie after its link was opened.
MANAGE_COOKIE_SECONDS = 30 * 86400
Role = Literal["admin", "organizer", "door", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "organizer", "door", "viewer")
ALL_EVENTS = "*"
# What each role may also do: an admin everything, an organizer the door's scans and the
# viewer's reports of their events.
IMPLIES: dict[Role, frozenset[Role]] = {
    "admin": frozenset(ROLES),
    "organizer": frozenset({"organizer", "door", "viewer"}),
    "door": frozenset({"door"}),
    "viewer": frozenset({"viewer"}),
}


class StaffClaims(msgspec.Struct, frozen=True, omit_defaults=True):
    jti: str
    sub: str
    role: Role
    events: list[str]
    exp: int
    iat: int
    iss: str = ISSUER
    gate: str | None = None
    # A back-office session (shared/office.py) rather than a device's or a script's token:
    # the person's roles event by event ("*": all events), their name, language and when
    # they signed in (the session ends a fixed time after, however active).
    kind: Literal["token", "session"] = "token"
    grants: dict[str, Role] = {}
    name: str = ""
    lang: str = "en"
    auth_time: int = 0

    def covers(self, event_slug: str) -> bool:
        return ALL_EVENTS in self.events or event_slug in self.events

    def role_for(self, event_slug: str | None) -> Role | None:
        """The strongest role the claims give at the event (``None``: for all events)."""
        if not self.grants:
            if event_slug is None:
                return self.role if ALL_EVENTS in self.events else None
            return self.role if self.covers(event_slug) else None
        found = [self.grants.get(ALL_EVENTS)]
        if event_slug is not None:
            found.append(self.grants.get(event_slug))
        roles = [r for r in found if r is not None]
        return min(roles, key=ROLES.index) if roles else None

    def may(self, role: Role, event_slug: str | None = None) -> bool:
        """Whether the claims give ``role`` (or one that implies it) at the event."""
        held = self.role_for(event_slug)
        return held is not None and role in IMPLIES[held]

    @property
    def is_admin(self) -> bool:
        return self.role_for(None) == "admin"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_keypair() -> tuple[str, str]:
    """A new (private, public) pair, each the base64url of the raw 32-byte key."""
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    return _b64(seed), _b64(private.public_key().public_bytes_raw())


def key_id(public_b64: str) -> str:
    """The id a token names its signing key by (its ``kid`` header): the start of the
    public key's SHA-256, so a public key alone tells which tokens it verifies."""
    return _b64(hashlib.sha256(_unb64(public_b64)).digest())[:16]


def public_key(public_b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(_unb64(public_b64))


def public_key_of(private_b64: str) -> str:
    private = Ed25519PrivateKey.from_private_bytes(_unb64(private_b64))
    return _b64(private.public_key().public_bytes_raw())


def issue_token(
    private_b64: str,
    *,
    role: Role,
    events: list[str],
    subject: str = "staff",
    ttl_seconds: int = 24 * 3600,
    gate: str | None = None,
) -> tuple[str, StaffClaims]:
    now = int(time.time())
    claims = StaffClaims(
        jti=str(uuid.uuid4()),
        sub=subject,
        role=role,
        events=events,
        gate=gate,
        iat=now,
        exp=now + ttl_seconds,
    )
    return sign(private_b64, claims), claims


def sign(private_b64: str, claims: StaffClaims) -> str:
    """``claims`` as a token signed with the key, naming it by its id."""
    key = Ed25519PrivateKey.from_private_bytes(_unb64(private_b64))
    kid = key_id(public_key_of(private_b64))
    # Fields at their defaults stay out (a door token goes with every scan), but the issuer,
    # which verification requires, is always there.
    payload = {**msgspec.to_builtins(claims), "iss": claims.iss}
    return jwt.encode(payload, key, algorithm="EdDSA", headers={"kid": kid})


class StaffAuth:
    """Verifies staff tokens with the public key, against the revoked ones this process knows
    (followed live from the ``staff-revocations`` bucket, shared/revocations.py) and the
    longest lifetime the server accepts; no database or network on the way.

    A door device sends the same token with every scan, and checking its signature was a
    fifth of a scan's CPU: tokens that verified are remembered (by their exact text, so
    nothing unsigned can hit) until they expire.
    """

    CACHE_SIZE = 4096

    def __init__(self, public_b64: str, max_lifetime_seconds: int = 30 * 86400) -> None:
        # Several keys, comma-separated, while the signing key is rotated: tokens of the
        # old key and of the new one are both valid until the old one is taken out.
        self.keys: dict[str, Ed25519PublicKey] = {}
        for public in (k.strip() for k in public_b64.split(",") if k.strip()):
            try:
                self.keys[key_id(public)] = public_key(public)
            except ValueError as e:
                raise ValueError(
                    f"STAFF_TOKEN_PUBLIC_KEY is not a list of Ed25519 public keys: {e}"
                ) from e
        if not self.keys:
            raise ValueError("STAFF_TOKEN_PUBLIC_KEY names no key")
        self.max_lifetime = max_lifetime_seconds
        self.revoked: set[str] = set()
        self.revocations_known = False  # the bucket's entries were all read once
        self._verified: dict[str, StaffClaims] = {}

    def verify(self, token: str, *, session: bool = False) -> StaffClaims:
        """The claims of a valid token. A back-office session (``kind`` session) only where
        ``session`` says one is wanted: it is the cookie of CSRF-checked pages, and its
        ``role`` and ``events`` are the person's strongest role and every event they have a
        role at, not that role at each of them (``may`` tells the role at an event)."""
        claims = self._verify_cached(token)
        if (claims.kind == "session") != session:
            raise INVALID_TOKEN()
        return claims

    def _verify_cached(self, token: str) -> StaffClaims:
        claims = self._verified.get(token)
        if claims is None or claims.exp <= time.time():
            self._verified.pop(token, None)
            claims = self._verify_signed(token)
            if len(self._verified) >= self.CACHE_SIZE:
                del self._verified[next(iter(self._verified))]  # the oldest
            self._verified[token] = claims
        # Checked on every use: a lost phone's token is told it is revoked, whatever it asks.
        if claims.jti in self.revoked:
            raise TOKEN_REVOKED()
        return claims

    def _verify_signed(self, token: str) -> StaffClaims:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            # A token from before key ids names none: any of the keys may have signed it.
            keys = list(self.keys.values()) if kid is None else [self.keys[kid]]
            payload = self._decode(token, keys)
            claims = msgspec.convert(payload, StaffClaims)
        except (KeyError, TypeError):  # a key this server does not hold, or a bad header
            raise INVALID_TOKEN() from None
        except jwt.ExpiredSignatureError:
            raise TOKEN_EXPIRED() from None
        except (jwt.InvalidTokenError, msgspec.ValidationError):
            raise INVALID_TOKEN() from None
        if claims.exp - claims.iat > self.max_lifetime:
            raise TOKEN_LIFETIME_TOO_LONG(days=self.max_lifetime // 86400)
        return claims

    @staticmethod
    def _decode(token: str, keys: list[Ed25519PublicKey]) -> dict[str, object]:
        """The token's claims, checked with the first of ``keys`` whose signature it has."""
        for tried, key in enumerate(keys, start=1):
            try:
                payload: dict[str, object] = jwt.decode(
                    token,
                    key,
                    algorithms=["EdDSA"],
                    issuer=ISSUER,
                    options={"require": ["exp", "iat", "jti", "iss"]},
                )
                return payload
            except jwt.InvalidSignatureError:
                if tried == len(keys):
                    raise
        raise jwt.InvalidSignatureError("no key")

    def require(
        self,
        request: web.Request,
        roles: tuple[Role, ...] = ("organizer",),
        event_slug: str | None = None,
        *,
        all_events: bool = False,
    ) -> StaffClaims:
        token = bearer_token(request)
        if token is None:
            raise UNAUTHORIZED()
        return self.check(self.verify(token), roles, event_slug, all_events=all_events)

    @staticmethod
    def check(
        claims: StaffClaims,
        roles: tuple[Role, ...],
        event_slug: str | None = None,
        *,
        all_events: bool = False,
    ) -> StaffClaims:
        """``claims`` if they give one of ``roles`` (or a role implying it), at the event."""
        if not any(role in IMPLIES[claims.role] for role in roles):
            raise FORBIDDEN()
        if claims.grants and event_slug is None and not any(claims.may(r, None) for r in roles):
            raise FORBIDDEN()  # a session's role at no event in particular: for all events
        if all_events and not any(claims.may(role, None) for role in roles):
            raise ALL_EVENTS_NEEDED()
        if event_slug is not None:
            if not claims.covers(event_slug):
                raise EVENT_NOT_COVERED(slug=event_slug)
            if not any(claims.may(role, event_slug) for role in roles):
                raise FORBIDDEN()
        return claims


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def manage_cookie_name(registration_id: uuid.UUID) -> str:
    return f"cnk_m_{registration_id.hex}"


def presented_token(
    request: web.Request, registration_id: uuid.UUID | None, *, form: bool = False
) -> str | None:
    """The token a request shows for a registration: the Authorization header (a staff or
    manage token), else a link's ``?token=``, else the registration's cookie (set when its
    manage link was opened). A link's token comes before the cookie: it is the one the
    exchange then keeps. The cookie changes nothing outside a form whose CSRF token was
    checked (``form``): the API's changes take the header."""
    token = bearer_token(request) or request.query.get("token")
    if token is None and registration_id is not None and (form or request.method == "GET"):
        token = request.cookies.get(manage_cookie_name(registration_id))
    return token or None


def set_manage_cookie(
    response: web.StreamResponse, request: web.Request, registration_id: uuid.UUID, token: str
) -> None:
    response.set_cookie(
        manage_cookie_name(registration_id),
        token,
        max_age=MANAGE_COOKIE_SECONDS,
        path="/",
        httponly=True,
        secure=request.app[TRUSTED_PROXIES].https(request),
        samesite="Lax",
    )


def exchange_link(request: web.Request, registration_id: uuid.UUID) -> None:
    """After a link's ``?token=`` was accepted: answer with the same address without it,
    setting the registration's cookie, so the token stays out of the browser's history and
    of the proxies' logs. Does nothing when the token did not come in the address."""
    token = request.query.get("token")
    if request.method != "GET" or not token or bearer_token(request):
        return
    query = request.rel_url.query.copy()
    del query["token"]
    redirect = web.HTTPSeeOther(request.rel_url.with_query(query))
    set_manage_cookie(redirect, request, registration_id, token)
    raise redirect


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def new_manage_token() -> tuple[str, str]:
    """A fresh (token, sha256 hex) pair; only the hash is ever stored or published."""
    token = secrets.token_urlsafe(32)
    return token, hash_manage_token(token)


def hash_manage_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def manage_token_matches(token: str | None, expected_hash: str) -> bool:
    if not token:
        return False
    return hmac.compare_digest(hash_manage_token(token), expected_hash)


STAFF_AUTH = web.AppKey("staff_auth", StaffAuth)
