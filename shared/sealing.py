"""Manage tokens sealed for the notifications service.

An attendee's manage token is shown once (the confirmation page) and must reach the
emails too, while only its hash is stored anywhere. So registration seals each token
with the notifications service's public key (a libsodium sealed box: anonymous sender,
only the private key opens it) and the sealed token travels in ``registration.*``
events and rests in registration's table; notifications opens it when it writes an email.

The public keys meet registration in the NATS KV bucket ``mail-keys`` (entry ``k<id>``);
registration seals with the newest. A sealed token reads ``<key id>.<base64url box>``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime

import msgspec
import nacl.exceptions
import structlog
from aiohttp import web
from nacl.public import PrivateKey, PublicKey, SealedBox

from shared import kv
from shared.bus import JETSTREAM
from shared.config import SETTINGS
from shared.tasks import stop_task, supervise

log = structlog.get_logger()
MAIL_KEYS_BUCKET = "mail-keys"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SealingKey(msgspec.Struct, frozen=True):
    """One public key as published in the bucket."""

    id: int
    public_key: str  # base64url, 32 bytes (X25519)
    created_at: datetime

    def box(self) -> SealedBox[PublicKey]:
        return SealedBox(PublicKey(_unb64(self.public_key)))


def public_entry(key_id: int, private: PrivateKey, created_at: datetime) -> SealingKey:
    return SealingKey(id=key_id, public_key=_b64(bytes(private.public_key)), created_at=created_at)


async def publish(js: object, keys: list[SealingKey], replicas: int) -> None:
    bucket = await kv.open_bucket(js, MAIL_KEYS_BUCKET, replicas)
    for key in keys:
        await bucket.put(f"k{key.id}", msgspec.json.encode(key))


def unseal(sealed: str | None, private_keys: dict[int, PrivateKey]) -> str | None:
    """The token, or None when there is none or it cannot be opened (unknown key, damage)."""
    if not sealed:
        return None
    key_id, _, box = sealed.partition(".")
    try:
        private = private_keys[int(key_id)]
        return SealedBox(private).decrypt(_unb64(box)).decode()
    except (KeyError, ValueError, nacl.exceptions.CryptoError):
        return None


class Sealer:
    """Registration's side: follows the bucket and seals with the newest key."""

    def __init__(self) -> None:
        self._keys: dict[int, SealingKey] = {}
        self._current: tuple[int, SealedBox[PublicKey]] | None = None

    def apply(self, name: str, value: bytes | None) -> None:
        if value is None:
            self._keys.pop(int(name.removeprefix("k")), None)
        else:
            key = msgspec.json.decode(value, type=SealingKey)
            self._keys[key.id] = key
            log.info("mail_key_loaded", key_id=key.id)
        newest = max(self._keys.values(), key=lambda k: k.id, default=None)
        self._current = (newest.id, newest.box()) if newest else None

    @property
    def ready(self) -> bool:
        return self._current is not None

    def seal(self, token: str) -> str | None:
        """The sealed token, or None while no mail key is known (notifications has never
        started): the emails then go without a manage link, which the page still shows."""
        if self._current is None:
            log.warning("manage_token_not_sealed", reason="no mail key published yet")
            return None
        key_id, box = self._current
        return f"{key_id}.{_b64(box.encrypt(token.encode()))}"


SEALER = web.AppKey("sealer", Sealer)


async def sealer_context(app: web.Application) -> AsyncIterator[None]:
    sealer = Sealer()
    app[SEALER] = sealer
    loaded = asyncio.Event()
    task = asyncio.create_task(
        supervise(
            lambda: kv.follow(
                app[JETSTREAM],
                MAIL_KEYS_BUCKET,
                app[SETTINGS].stream_replicas,
                sealer.apply,
                loaded,
            ),
            "mail-keys",
        )
    )
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(loaded.wait(), timeout=5)
    yield
    await stop_task(task)
