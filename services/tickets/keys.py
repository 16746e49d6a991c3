"""Typed application keys of the tickets service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from services.tickets.signing import CurrentSigner

SIGNER: web.AppKey[CurrentSigner] = web.AppKey("signer")
