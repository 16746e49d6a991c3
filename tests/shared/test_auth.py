"""Staff tokens: issue, verify, expiry, foreign keys, garbage, and event coverage."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.auth import (
    ALL_EVENTS,
    ISSUER,
    StaffAuth,
    StaffClaims,
    _unb64,
    generate_keypair,
    issue_token,
    key_id,
    public_key_of,
)
from shared.refusals import Refused

PRIVATE, PUBLIC = generate_keypair()
AUTH = StaffAuth(PUBLIC)


def _refused(token: str) -> Refused:
    with pytest.raises(Refused) as e:
        AUTH.verify(token)
    assert e.value.status == 401
    return e.value


def _signed(payload: dict[str, object], private: str = PRIVATE) -> str:
    key = Ed25519PrivateKey.from_private_bytes(_unb64(private))
    return jwt.encode(payload, key, algorithm="EdDSA")


def _payload(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    payload: dict[str, object] = {
        "jti": "j-1",
        "sub": "staff",
        "role": "door",
        "events": ["*"],
        "iat": now,
        "exp": now + 60,
        "iss": ISSUER,
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def test_keypair_halves_belong_together() -> None:
    assert public_key_of(PRIVATE) == PUBLIC
    other_private, other_public = generate_keypair()
    assert other_public != PUBLIC and public_key_of(other_private) == other_public


def test_issue_then_verify_gives_back_the_claims() -> None:
    token, issued = issue_token(
        PRIVATE,
        role="door",
        events=["targi-2026"],
        subject="anna",
        ttl_seconds=600,
        gate="hall-a",
    )
    claims = AUTH.verify(token)
    assert claims == issued
    assert claims == StaffClaims(
        jti=issued.jti,
        sub="anna",
        role="door",
        events=["targi-2026"],
        exp=issued.iat + 600,
        iat=issued.iat,
        iss=ISSUER,
        gate="hall-a",
    )


def test_each_token_has_its_own_jti() -> None:
    first = issue_token(PRIVATE, role="organizer", events=["*"])[1]
    second = issue_token(PRIVATE, role="organizer", events=["*"])[1]
    assert first.jti != second.jti


def test_expired_token_is_401_token_expired() -> None:
    token, _ = issue_token(PRIVATE, role="organizer", events=["*"], ttl_seconds=-10)
    problem = _refused(token)
    assert (problem.code, problem.detail) == ("token_expired", "The staff token has expired.")


def test_token_signed_by_another_key_is_401_invalid_token() -> None:
    other_private, _ = generate_keypair()
    token, _ = issue_token(other_private, role="organizer", events=["*"])
    assert _refused(token).code == "invalid_token"


def test_expired_token_signed_by_another_key_is_invalid_not_expired() -> None:
    other_private, _ = generate_keypair()
    token, _ = issue_token(other_private, role="organizer", events=["*"], ttl_seconds=-10)
    assert _refused(token).code == "invalid_token"


@pytest.mark.parametrize(
    "token",
    ["", "garbage", "a.b.c", "...", "eyJhbGciOiJFZERTQSJ9.e30.", "Bearer x", "ą.ę.ś", "x" * 10_000],
)
def test_garbage_is_401_invalid_token(token: str) -> None:
    assert _refused(token).code == "invalid_token"


def test_tampered_payload_is_401_invalid_token() -> None:
    token, _ = issue_token(PRIVATE, role="door", events=["a-event"])
    header, _, signature = token.split(".")
    forged_payload = jwt.utils.base64url_encode(
        json.dumps(_payload(role="organizer")).encode()
    ).decode()
    assert _refused(f"{header}.{forged_payload}.{signature}").code == "invalid_token"


def test_unsigned_alg_none_token_is_401_invalid_token() -> None:
    token = jwt.encode(_payload(), key=None, algorithm="none")
    assert _refused(token).code == "invalid_token"


def test_hmac_token_keyed_with_the_public_key_is_401_invalid_token() -> None:
    token = jwt.encode(_payload(), PUBLIC, algorithm="HS256")
    assert _refused(token).code == "invalid_token"


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": "someone-else"},
        {"jti": None},
        {"iat": None},
        {"exp": None},
        {"iss": None},
        {"role": "superuser"},
        {"events": "targi-2026"},
        {"sub": None},
    ],
    ids=[
        "wrong-issuer",
        "no-jti",
        "no-iat",
        "no-exp",
        "no-iss",
        "unknown-role",
        "events-not-a-list",
        "no-sub",
    ],
)
def test_correctly_signed_token_with_bad_claims_is_401_invalid_token(
    overrides: dict[str, object],
) -> None:
    assert _refused(_signed(_payload(**overrides))).code == "invalid_token"


def test_staff_auth_refuses_a_public_key_that_is_not_ed25519() -> None:
    with pytest.raises(ValueError, match="STAFF_TOKEN_PUBLIC_KEY"):
        StaffAuth("c2hvcnQ")


def test_star_covers_every_event() -> None:
    _, claims = issue_token(PRIVATE, role="organizer", events=[ALL_EVENTS])
    assert ALL_EVENTS == "*"
    assert claims.covers("targi-2026")
    assert claims.covers("anything-at-all")


def test_specific_slug_covers_only_that_event() -> None:
    _, claims = issue_token(PRIVATE, role="door", events=["targi-2026", "innhub"])
    assert claims.covers("targi-2026")
    assert claims.covers("innhub")
    assert not claims.covers("targi-2027")
    assert not claims.covers("targi")
    assert not claims.covers("*-2026")


def test_no_events_covers_nothing() -> None:
    _, claims = issue_token(PRIVATE, role="door", events=[])
    assert not claims.covers("targi-2026")


def test_a_remembered_token_still_expires_and_changed_copies_are_refused() -> None:
    auth = StaffAuth(PUBLIC)
    token = _signed(_payload(exp=int(time.time()) + 2))
    assert auth.verify(token).role == "door"
    assert auth.verify(token) is auth.verify(token)  # remembered, not verified again
    for i in (len(token) - 5, len(token) // 2):
        changed = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        with pytest.raises(Refused):
            auth.verify(changed)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            auth.verify(token)
        except Refused as e:
            assert e.code == "token_expired"
            break
        time.sleep(0.05)
    else:
        pytest.fail("the remembered token never expired")


def test_remembered_tokens_are_bounded() -> None:
    auth = StaffAuth(PUBLIC)
    auth.CACHE_SIZE = 3
    tokens = [_signed(_payload(jti=f"t{i}")) for i in range(5)]
    for token in tokens:
        auth.verify(token)
    assert list(auth._verified) == tokens[2:]


def test_tokens_name_their_key_and_both_keys_verify_during_a_rotation() -> None:
    new_private, new_public = generate_keypair()
    rotating = StaffAuth(f"{PUBLIC}, {new_public}")
    old, _ = issue_token(PRIVATE, role="door", events=["a"])
    new, claims = issue_token(new_private, role="organizer", events=["*"])
    assert jwt.get_unverified_header(new)["kid"] == key_id(new_public) != key_id(PUBLIC)
    assert rotating.verify(new) == claims
    assert rotating.verify(old).role == "door"
    # Once the old key is taken out, its tokens are refused.
    with pytest.raises(Refused) as e:
        StaffAuth(new_public).verify(old)
    assert e.value.code == "invalid_token"


def test_a_token_naming_a_key_this_server_does_not_hold_is_invalid() -> None:
    _, other_public = generate_keypair()
    key = Ed25519PrivateKey.from_private_bytes(_unb64(PRIVATE))
    token = jwt.encode(_payload(), key, algorithm="EdDSA", headers={"kid": key_id(other_public)})
    assert _refused(token).code == "invalid_token"


def test_a_token_from_before_key_ids_verifies_with_any_key_held() -> None:
    _, new_public = generate_keypair()
    token = _signed(_payload())  # no kid header
    assert StaffAuth(f"{new_public},{PUBLIC}").verify(token).sub == "staff"
