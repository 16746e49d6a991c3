"""Typed application keys of the registration service."""

from typing import Literal

from aiohttp import web
from prometheus_client import Counter

from services.registration.batcher import RegistrationBatcher
from shared.ratelimit import RateLimiter

REGISTRATIONS_TOTAL = web.AppKey("registrations_total", Counter)

# Who acts on a registration in this request: "attendee" (manage token) or "organizer".
Actor = Literal["attendee", "organizer"]
ACTOR: web.RequestKey[Actor] = web.RequestKey("actor")
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
REGISTRATION_BATCHER = web.AppKey("registration_batcher", RegistrationBatcher)
