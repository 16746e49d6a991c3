"""Keys that open the sealed manage tokens, and the manage links made from them.

The private keys never leave this service's schema; the public halves go to the
``mail-keys`` bucket, where registration picks the newest to seal with (shared/sealing.py).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import asyncpg
from aiohttp import web
from nacl.public import PrivateKey

from services.notifications import sealing_db
from shared import sealing
from shared.bus import JETSTREAM
from shared.config import SETTINGS
from shared.db import DB_POOL, first_or_create


class Links:
    """Links into registration's public pages; opens sealed tokens for the manage page."""

    def __init__(
        self,
        base_url: str,
        private_keys: dict[int, PrivateKey],
        tickets_url: str | None = None,
        checkin_url: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.private_keys = private_keys
        self.tickets_url = tickets_url
        self.checkin_url = checkin_url

    def event(self, slug: str, lang: str) -> str:
        return f"{self.base_url}/events/{slug}?{urlencode({'lang': lang})}"

    def manage(self, registration_id: uuid.UUID, sealed: str | None, lang: str) -> str | None:
        """The manage page's address, or None when the token is missing or will not open."""
        token = sealing.unseal(sealed, self.private_keys)
        if token is None:
            return None
        # lang makes the page answer in the email's language.
        query = urlencode({"token": token, "lang": lang})
        return f"{self.base_url}/registrations/{registration_id}?{query}"

    def ticket(self, registration_id: uuid.UUID, sealed: str | None, lang: str) -> str | None:
        """The printable ticket page (tickets service), opened by the same token."""
        token = sealing.unseal(sealed, self.private_keys)
        if token is None or self.tickets_url is None:
            return None
        query = urlencode({"token": token, "lang": lang})
        return f"{self.tickets_url}/registrations/{registration_id}/ticket.html?{query}"

    def certificate(self, path: str, sealed: str | None) -> str | None:
        """A certificate's PDF (checkin service, ``path`` as the event gives it), opened by
        the manage token."""
        token = sealing.unseal(sealed, self.private_keys)
        if token is None or self.checkin_url is None:
            return None
        return f"{self.checkin_url}{path}{'&' if '?' in path else '?'}{urlencode({'token': token})}"

    def sign_in(self, sealed: str, lang: str) -> str | None:
        """A staff member's one-time sign-in link into the back office."""
        token = sealing.unseal(sealed, self.private_keys)
        if token is None:
            return None
        return f"{self.base_url}/office/sign-in/link?{urlencode({'token': token, 'lang': lang})}"


LINKS = web.AppKey("links", Links)


async def _keys_if_any(conn: asyncpg.Connection) -> list[sealing_db.SealingKeyRow] | None:
    return await sealing_db.select_sealing_keys(conn) or None


async def _first_key(conn: asyncpg.Connection) -> list[sealing_db.SealingKeyRow]:
    private = PrivateKey.generate()
    return [await sealing_db.insert_sealing_key(conn, bytes(private), bytes(private.public_key))]


async def ensure_sealing_key(app: web.Application) -> AsyncIterator[None]:
    """The keys (the first one made now if there is none), then their public halves out."""
    keys = await first_or_create(app[DB_POOL], b"cnk-mail-keys", _keys_if_any, _first_key)
    settings = app[SETTINGS]
    app[LINKS] = Links(
        settings.registration_url,
        {k.id: PrivateKey(k.private_key) for k in keys},
        settings.tickets_url,
        settings.checkin_url,
    )
    await sealing.publish(
        app[JETSTREAM],
        [sealing.public_entry(k.id, PrivateKey(k.private_key), k.created_at) for k in keys],
        settings.stream_replicas,
    )
    yield
