"""HTTP handlers of the signing keys: list them, add one, retire one."""

from __future__ import annotations

from aiohttp import web

from services.tickets.signing import db, keys
from services.tickets.signing.signer import public_key
from services.tickets.texts import KEY_NOT_FOUND
from shared.db import DB_POOL
from shared.http import json_response


async def list_keys(request: web.Request) -> web.Response:
    found = await db.select_keys(request.app[DB_POOL])
    return json_response({"keys": [public_key(k) for k in found]})


async def rotate_key(request: web.Request) -> web.Response:
    return json_response(await keys.rotate(request.app), status=201)


async def retire_key(request: web.Request) -> web.Response:
    raw = request.match_info["key_id"]
    try:
        key_id = int(raw)
    except ValueError:
        raise KEY_NOT_FOUND(key_id=raw) from None
    return json_response(await keys.retire(request.app, key_id))
