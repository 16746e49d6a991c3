"""The profile fields an event asks (organization, country, role): a required one must be
given, a hidden one is not stored."""

from __future__ import annotations

import msgspec

from services.registration.schemas import PROFILE_FIELDS, ProfileFields, RegisterRequest
from shared.refusals import VALIDATION_FAILED, FieldError


def apply_profile(asked: ProfileFields, body: RegisterRequest) -> RegisterRequest:
    """``body`` as the event asks it, or VALIDATION_FAILED naming each required field left
    out. A hidden field sent anyway is dropped: the organizer chose not to collect it."""
    missing = [
        FieldError(field=name, message="This event asks for it.")
        for name in PROFILE_FIELDS
        if getattr(asked, name) == "required" and getattr(body, name) is None
    ]
    if missing:
        raise VALIDATION_FAILED(errors=missing)
    hidden = {name: None for name in PROFILE_FIELDS if getattr(asked, name) == "hidden"}
    return msgspec.structs.replace(body, **hidden) if hidden else body
