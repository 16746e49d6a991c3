"""The key this instance signs new tickets with, and its typed application key."""

from __future__ import annotations

import base64

import msgspec
import structlog
from aiohttp import web
from nacl.signing import SigningKey

from services.tickets.signing.db import SigningKeyRow
from shared.codes import PublicKey

log = structlog.get_logger()


class Signer(msgspec.Struct, frozen=True):
    key_id: int
    key: SigningKey


class CurrentSigner:
    """The key that signs new tickets in this instance; replaced when the keys change."""

    def __init__(self, row: SigningKeyRow) -> None:
        self.signer = self._of(row)

    def use(self, row: SigningKeyRow) -> None:
        if row.id != self.signer.key_id:
            self.signer = self._of(row)
            log.info("ticket_signing_key_changed", key_id=row.id)

    @staticmethod
    def _of(row: SigningKeyRow) -> Signer:
        return Signer(key_id=row.id, key=SigningKey(row.private_key))


SIGNER = web.AppKey("signer", CurrentSigner)


def public_key(row: SigningKeyRow) -> PublicKey:
    return PublicKey(
        id=row.id,
        algorithm="Ed25519",
        public_key=base64.urlsafe_b64encode(row.public_key).rstrip(b"=").decode(),
        created_at=row.created_at,
        retired_at=row.retired_at,
    )
