"""Certificates of attendance: the signed claims and their compact token.

A token is ``CNKC1.<base64url claims>.<base64url signature>``: the claims are msgspec's
JSON of ``Claims`` (fields in declaration order, so one certificate has one spelling), and
the Ed25519 signature covers ``CNKC1.<base64url claims>``, as a JWS does. The token is
embedded in the certificate's PDF (its Keywords), so a file can be checked offline with
the public keys (``GET /api/v1/certificates/keys``).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import date, datetime

import msgspec
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from shared.events import LocalizedText

PREFIX = "CNKC1"
MAX_TOKEN = 8192  # characters; a real one is well under 2,000
ISSUER = LocalizedText(
    pl="Centrum Nowoczesnego Kształcenia, Politechnika Białostocka",
    en="Centre for Modern Education (CNK), Białystok University of Technology",
)
EVENT_SCOPE = "event"


class ClaimedEvent(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: str
    name: LocalizedText
    starts_at: datetime
    ends_at: datetime
    venue: str


class ClaimedSession(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slug: str
    name: LocalizedText
    starts_at: datetime
    ends_at: datetime
    room: str | None = None


class Claims(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What a certificate says, all of it signed."""

    id: uuid.UUID
    key_id: int
    holder: str
    lang: str
    event: ClaimedEvent
    scope: str  # "event", or "session:<slug>"
    attended: list[date]  # the days (Warsaw) with an accepted entry, first one first
    issued_at: datetime
    session: ClaimedSession | None = None


class InvalidCertificate(Exception):
    """A token that is not well formed, or whose signature does not verify; ``reason`` is
    a stable code: ``malformed``, ``unknown_key`` or ``bad_signature``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Claims)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    # Canonical spelling only: re-encoding must give back the same text.
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:
        raise ValueError("not canonical base64url")
    return raw


def encode_claims(claims: Claims) -> bytes:
    return _encoder.encode(claims)


def sign(claims: Claims, key: SigningKey) -> str:
    """The token of ``claims`` signed with ``key`` (whose id must be ``claims.key_id``)."""
    signed = f"{PREFIX}.{_b64(encode_claims(claims))}"
    return f"{signed}.{_b64(key.sign(signed.encode()).signature)}"


def join(claims: bytes, signature: bytes) -> str:
    """The token of claims bytes and their signature, as stored."""
    return f"{PREFIX}.{_b64(claims)}.{_b64(signature)}"


def split(token: str) -> tuple[bytes, bytes]:
    """The claims bytes and signature of a well-formed token (signature not checked)."""
    if len(token) > MAX_TOKEN or not token.isascii():
        raise InvalidCertificate("malformed")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise InvalidCertificate("malformed")
    try:
        return _unb64(parts[1]), _unb64(parts[2])
    except (ValueError, binascii.Error):
        raise InvalidCertificate("malformed") from None


def claims_of(token: str) -> Claims:
    """The claims of a well-formed token, signature not checked (for a token that came over
    our own bus, to render it)."""
    raw, _ = split(token.strip())
    try:
        return _decoder.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise InvalidCertificate("malformed") from None


def verify(token: str, keys: dict[int, VerifyKey]) -> Claims:
    """The claims of a token whose signature verifies with one of ``keys``."""
    token = token.strip()
    raw, signature = split(token)
    try:
        claims = _decoder.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        raise InvalidCertificate("malformed") from None
    if encode_claims(claims) != raw:
        raise InvalidCertificate("malformed")  # one certificate, one spelling
    key = keys.get(claims.key_id)
    if key is None:
        raise InvalidCertificate("unknown_key")
    signed = token.rsplit(".", 1)[0].encode()
    try:
        key.verify(signed, signature)
    except (BadSignatureError, ValueError):
        raise InvalidCertificate("bad_signature") from None
    return claims


def public_key_text_of(raw: bytes) -> str:
    """A raw public key as served to offline verifiers: base64url, unpadded."""
    return _b64(raw)
