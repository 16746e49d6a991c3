"""HTTP of an event's questions: organizers add, change and remove them, anyone lists
them."""

from __future__ import annotations

import msgspec
from aiohttp import web

from services.registration.events.setup import find_event
from services.registration.questions import db
from services.registration.questions.changing import change_question, remove_question
from services.registration.questions.setup import add_questions
from services.registration.schemas import QuestionRequest, UpdateQuestionRequest
from shared.db import DB_POOL
from shared.http import decode_body, json_response
from shared.routes import staff_claims


async def create_question(request: web.Request) -> web.Response:
    body = await decode_body(request, QuestionRequest)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    await add_questions(pool, event, [body], staff_claims(request))
    return json_response(msgspec.to_builtins(body), status=201)


async def list_questions(request: web.Request) -> web.Response:
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"])
    return json_response({"questions": await db.select_questions(pool, event.id)})


async def update_question(request: web.Request) -> web.Response:
    body = await decode_body(request, UpdateQuestionRequest)
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    key = request.match_info["question"]
    changed = await change_question(pool, event, key, body, staff_claims(request))
    return json_response(changed)


async def delete_question(request: web.Request) -> web.Response:
    pool = request.app[DB_POOL]
    event = await find_event(pool, request.match_info["slug"], include_drafts=True)
    await remove_question(pool, event, request.match_info["question"], staff_claims(request))
    return web.Response(status=204)
