"""The ticket type a registration asks for, checked against the event and access code."""

from __future__ import annotations

import hmac

from services.registration.records import TicketType
from services.registration.refusals import ACCESS_CODE_INVALID, UNKNOWN_TICKET_TYPE
from services.registration.schemas import RegisterRequest
from shared.auth import hash_manage_token
from shared.refusals import VALIDATION_FAILED, FieldError


def resolve(types: list[TicketType], body: RegisterRequest) -> TicketType | None:
    if not types:
        if body.ticket_type is not None:
            raise UNKNOWN_TICKET_TYPE(errors=_at("ticket_type", "This event has no ticket types."))
        return None
    if body.ticket_type is None:
        public = [t for t in types if not t.restricted]
        if len(public) == 1:
            return public[0]
        choices = ", ".join(t.slug for t in public)
        raise VALIDATION_FAILED(errors=_at("ticket_type", f"Choose a ticket type: {choices}."))
    chosen = next((t for t in types if t.slug == body.ticket_type), None)
    if chosen is None:
        raise UNKNOWN_TICKET_TYPE(errors=_at("ticket_type", "There is no such ticket type."))
    if chosen.access_code_hash is not None and not (
        body.access_code
        and hmac.compare_digest(hash_manage_token(body.access_code), chosen.access_code_hash)
    ):
        raise ACCESS_CODE_INVALID(
            errors=_at("access_code", "This ticket type needs a valid access code.")
        )
    return chosen


def _at(field: str, message: str) -> list[FieldError]:
    return [FieldError(field=field, message=message)]
