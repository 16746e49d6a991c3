"""HTTP handlers of check-in lists: defining, changing, removing, listing them, who is inside."""

from __future__ import annotations

from aiohttp import web

from services.checkin.lists import managing
from services.checkin.lists.db import MAIN_LIST
from services.checkin.lists.managing import ListChangeRequest, ListRequest, list_body
from shared.db import DB_POOL
from shared.http import decode_body, json_response
from shared.routes import staff_claims


async def create_list(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    body = await decode_body(request, ListRequest)
    row = await managing.create_list(request.app[DB_POOL], staff_claims(request), slug, body)
    return json_response(list_body(row), status=201)


async def update_list(request: web.Request) -> web.Response:
    slug, list_slug = request.match_info["slug"], request.match_info["list"]
    body = await decode_body(request, ListChangeRequest)
    claims = staff_claims(request)
    row = await managing.update_list(request.app[DB_POOL], claims, slug, list_slug, body)
    return json_response(list_body(row))


async def delete_list(request: web.Request) -> web.Response:
    slug, list_slug = request.match_info["slug"], request.match_info["list"]
    await managing.delete_list(request.app[DB_POOL], staff_claims(request), slug, list_slug)
    return web.Response(status=204)


async def get_lists(request: web.Request) -> web.Response:
    slug = request.match_info["slug"]
    return json_response(await managing.lists_of(request.app[DB_POOL], slug))


async def get_inside(request: web.Request) -> web.Response:
    slug, list_slug = request.match_info["slug"], request.query.get("list", MAIN_LIST)
    return json_response(await managing.inside(request.app[DB_POOL], slug, list_slug))
