"""Signed ticket codes: ``CNK1`` + base32(version, key id, ticket id, event id, Ed25519 signature).

Upper-case letters and digits only, so the QR code can use alphanumeric mode. Both the
tickets service (which signs) and door devices (which verify, online or offline) use this
format, so it lives with the wire contract.
"""

from __future__ import annotations

import base64
import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import msgspec
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

PREFIX = "CNK1"
VERSION = 1
_HEAD = struct.Struct(">BH16s16s")  # version, key id, ticket id, event id
SIGNATURE_BYTES = 64
RAW_BYTES = _HEAD.size + SIGNATURE_BYTES
CODE_LENGTH = len(PREFIX) + -(-RAW_BYTES * 8 // 5)
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
# Base32 (RFC 4648) read as one number: each letter becomes its digit in Python's own
# base 32 ("0"-"9", "a"-"v"), which int() parses in C; base64.b32decode is pure Python
# here and was a tenth of a door scan's CPU.
_AS_DIGITS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789abcdefghijklmnopqrstuv")
# The bits past the last byte in the last character: zero in the canonical spelling.
_PAD_BITS = (CODE_LENGTH - len(PREFIX)) * 5 - RAW_BYTES * 8


KEYS_BUCKET = "ticket-keys"  # NATS KV bucket with one PublicKey per key id ("k<id>")


class PublicKey(msgspec.Struct, frozen=True):
    """A verifying key as published in the KV bucket, at /api/v1/keys and in offline packs."""

    id: int
    algorithm: str
    public_key: str  # base64url of the raw 32 bytes, no padding
    created_at: datetime
    retired_at: datetime | None

    def verify_key(self) -> VerifyKey:
        return VerifyKey(
            base64.urlsafe_b64decode(self.public_key + "=" * (-len(self.public_key) % 4))
        )


class InvalidCode(Exception):
    """Why a code is refused: ``format``, ``unknown_key`` or ``signature``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TicketCode:
    key_id: int
    ticket_id: uuid.UUID
    event_id: uuid.UUID


def sign_code(key: SigningKey, key_id: int, ticket_id: uuid.UUID, event_id: uuid.UUID) -> str:
    head = _HEAD.pack(VERSION, key_id, ticket_id.bytes, event_id.bytes)
    signature = key.sign(PREFIX.encode() + head).signature
    return PREFIX + base64.b32encode(head + signature).decode().rstrip("=")


def parse_code(code: str) -> tuple[TicketCode, bytes, bytes]:
    """Split a code into its fields, the signed message and the signature (no crypto)."""
    if len(code) != CODE_LENGTH or not code.startswith(PREFIX):
        raise InvalidCode("format")
    body = code[len(PREFIX) :]
    if not _ALPHABET.issuperset(body):
        raise InvalidCode("format")
    number = int(body.translate(_AS_DIGITS), 32)
    # The last character carries padding bits that decoding ignores; insisting on the
    # canonical spelling (those bits zero) makes every single-character change a
    # different, refused code.
    if number & ((1 << _PAD_BITS) - 1):
        raise InvalidCode("format")
    raw = (number >> _PAD_BITS).to_bytes(RAW_BYTES, "big")
    head, signature = raw[: _HEAD.size], raw[_HEAD.size :]
    version, key_id, ticket_id, event_id = _HEAD.unpack(head)
    if version != VERSION:
        raise InvalidCode("format")
    parsed = TicketCode(key_id, uuid.UUID(bytes=ticket_id), uuid.UUID(bytes=event_id))
    return parsed, PREFIX.encode() + head, signature


def verify_code(code: str, keys: Mapping[int, VerifyKey]) -> TicketCode:
    parsed, message, signature = parse_code(code)
    key = keys.get(parsed.key_id)
    if key is None:
        raise InvalidCode("unknown_key")
    try:
        key.verify(message, signature)
    except BadSignatureError:
        raise InvalidCode("signature") from None
    return parsed
