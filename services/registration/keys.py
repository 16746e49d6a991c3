"""Typed application keys of the registration service."""

from typing import Literal

from aiohttp import web
from prometheus_client import Counter

from services.registration.batcher import RegistrationBatcher

REGISTRATIONS_TOTAL = web.AppKey("registrations_total", Counter)

# Who acts on a registration in this request: "attendee" (manage token) or "organizer".
Actor = Literal["attendee", "organizer"]
ACTOR: web.RequestKey[Actor] = web.RequestKey("actor")
REGISTRATION_BATCHER = web.AppKey("registration_batcher", RegistrationBatcher)
