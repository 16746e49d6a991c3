"""Signed ticket codes: round trip, alphabet, and refusal of every altered code."""

from __future__ import annotations

import base64
import string
import uuid

import pytest
import qrcode.util
from nacl.signing import SigningKey, VerifyKey

from shared.codes import (
    _HEAD,
    CODE_LENGTH,
    PREFIX,
    VERSION,
    InvalidCode,
    parse_code,
    sign_code,
    verify_code,
)

KEY_ID = 7
SIGNING_KEY = SigningKey(bytes(range(32)))
KEYS: dict[int, VerifyKey] = {KEY_ID: SIGNING_KEY.verify_key}
TICKET_ID = uuid.UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
EVENT_ID = uuid.UUID("11111111-2222-4333-8444-555555555555")
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
CORRUPTIONS = BASE32 + "0189a $"


def _code(key: SigningKey = SIGNING_KEY, key_id: int = KEY_ID) -> str:
    return sign_code(key, key_id, TICKET_ID, EVENT_ID)


def _reencode(code: str, raw: bytes) -> str:
    """``code`` rebuilt around ``raw`` (head + signature), spelled canonically."""
    assert code.startswith(PREFIX)
    return PREFIX + base64.b32encode(raw).decode().rstrip("=")


def _raw(code: str) -> bytes:
    body = code[len(PREFIX) :]
    return base64.b32decode(body + "=" * (-len(body) % 8))


def _reason(code: str, keys: dict[int, VerifyKey] = KEYS) -> str:
    with pytest.raises(InvalidCode) as e:
        verify_code(code, keys)
    return e.value.reason


def test_round_trip_gives_back_key_ticket_and_event() -> None:
    parsed = verify_code(_code(), KEYS)
    assert (parsed.key_id, parsed.ticket_id, parsed.event_id) == (KEY_ID, TICKET_ID, EVENT_ID)


def test_round_trip_with_random_ids_and_a_fresh_key() -> None:
    key = SigningKey.generate()
    for key_id in (0, 1, 65535):
        ticket_id, event_id = uuid.uuid4(), uuid.uuid4()
        parsed = verify_code(sign_code(key, key_id, ticket_id, event_id), {key_id: key.verify_key})
        assert (parsed.key_id, parsed.ticket_id, parsed.event_id) == (key_id, ticket_id, event_id)


def test_signing_is_deterministic() -> None:
    assert _code() == _code()


def test_code_is_upper_case_letters_and_digits_of_fixed_length() -> None:
    code = _code()
    assert len(code) == CODE_LENGTH == 163
    assert code.startswith(PREFIX)
    assert set(code) <= set(string.ascii_uppercase + string.digits)


def test_code_fits_qr_alphanumeric_mode() -> None:
    code = _code()
    assert set(code.encode()) <= set(qrcode.util.ALPHA_NUM)
    assert qrcode.util.optimal_mode(code.encode()) == qrcode.util.MODE_ALPHA_NUM


def test_every_single_character_corruption_is_refused() -> None:
    code = _code()
    accepted: list[tuple[int, str]] = []
    tried = 0
    for position, original in enumerate(code):
        for replacement in CORRUPTIONS:
            if replacement == original:
                continue
            tried += 1
            altered = code[:position] + replacement + code[position + 1 :]
            try:
                verify_code(altered, KEYS)
            except InvalidCode:
                continue
            accepted.append((position, replacement))
    assert tried == CODE_LENGTH * (len(CORRUPTIONS) - 1)
    assert accepted == []


def test_last_character_padding_bits_are_not_ignored() -> None:
    code = _code()
    # Only the canonical spelling of the final 5-bit group is accepted, even when another
    # letter decodes to the very same bytes.
    same_bytes = [c for c in BASE32 if c != code[-1] and _raw(code[:-1] + c) == _raw(code)]
    assert same_bytes, "the last character should carry padding bits"
    for c in same_bytes:
        assert _reason(code[:-1] + c) == "format"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c[:-1],
        lambda c: c[:-8],
        lambda c: c[: len(PREFIX)],
        lambda c: c + "A",
        lambda c: c + "AAAAAAAA",
        lambda c: c + c,
        lambda c: " " + c,
        lambda c: c + " ",
        lambda c: c.lower(),
        lambda c: "",
        lambda c: "CNK2" + c[len(PREFIX) :],
        lambda c: c[len(PREFIX) :],
    ],
    ids=[
        "drop-last",
        "drop-8",
        "prefix-only",
        "add-one",
        "add-8",
        "doubled",
        "leading-space",
        "trailing-space",
        "lower-case",
        "empty",
        "other-prefix",
        "no-prefix",
    ],
)
def test_truncated_extended_or_respelled_code_is_a_format_error(mangle: object) -> None:
    assert _reason(mangle(_code())) == "format"  # type: ignore[operator]


def test_code_signed_by_another_key_under_the_same_key_id_is_refused() -> None:
    other = SigningKey(bytes(range(1, 33)))
    forged = _code(key=other)
    assert parse_code(forged)[0].key_id == KEY_ID
    assert _reason(forged) == "signature"


def test_valid_code_with_a_key_id_not_in_the_key_map_is_refused() -> None:
    code = _code()
    assert _reason(code, {KEY_ID + 1: SIGNING_KEY.verify_key}) == "unknown_key"
    assert _reason(code, {}) == "unknown_key"


def test_altered_key_id_is_refused() -> None:
    code = _code()
    raw = _raw(code)
    version, key_id, ticket, event = _HEAD.unpack(raw[: _HEAD.size])
    assert (version, key_id) == (VERSION, KEY_ID)
    altered = _reencode(code, _HEAD.pack(version, KEY_ID + 1, ticket, event) + raw[_HEAD.size :])
    assert parse_code(altered)[0].key_id == KEY_ID + 1
    # The new key id is unknown...
    assert _reason(altered) == "unknown_key"
    # ...and even when it names the very same verifying key, the key id is signed.
    same_key_twice = {KEY_ID: SIGNING_KEY.verify_key, KEY_ID + 1: SIGNING_KEY.verify_key}
    assert _reason(altered, same_key_twice) == "signature"


def test_altered_ticket_or_event_id_is_refused() -> None:
    code = _code()
    raw = _raw(code)
    version, key_id, ticket, event = _HEAD.unpack(raw[: _HEAD.size])
    other = uuid.uuid4().bytes
    for head in (
        _HEAD.pack(version, key_id, other, event),
        _HEAD.pack(version, key_id, ticket, other),
        _HEAD.pack(version, key_id, event, ticket),
    ):
        assert _reason(_reencode(code, head + raw[_HEAD.size :])) == "signature"


def test_other_version_byte_is_a_format_error() -> None:
    code = _code()
    raw = _raw(code)
    _, key_id, ticket, event = _HEAD.unpack(raw[: _HEAD.size])
    altered = _reencode(code, _HEAD.pack(VERSION + 1, key_id, ticket, event) + raw[_HEAD.size :])
    assert _reason(altered) == "format"


def test_zeroed_signature_is_refused() -> None:
    code = _code()
    raw = _raw(code)
    assert _reason(_reencode(code, raw[: _HEAD.size] + bytes(64))) == "signature"
