"""Events on the wire: an event's data in its envelope, encoded as JSON, and back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec

from shared.events import EVENT_TYPES, Envelope, EventData


class UnknownEvent(Exception):
    """A message whose type this build does not know."""


_encoder = msgspec.json.Encoder()
_envelope_decoder = msgspec.json.Decoder(Envelope)


def envelope(data: EventData, aggregate_id: uuid.UUID, sequence: int) -> Envelope:
    return Envelope(
        id=uuid.uuid4(),
        type=data.TYPE,
        schema=data.SCHEMA,
        occurred_at=datetime.now(UTC),
        aggregate_id=aggregate_id,
        sequence=sequence,
        data=msgspec.Raw(_encoder.encode(data)),
    )


def encode(env: Envelope) -> bytes:
    return _encoder.encode(env)


def decode(raw: bytes) -> tuple[Envelope, EventData]:
    """Decode an envelope and its data; raises msgspec errors or UnknownEvent."""
    env = _envelope_decoder.decode(raw)
    cls = EVENT_TYPES.get(env.type)
    if cls is None:
        raise UnknownEvent(env.type)
    return env, msgspec.json.decode(env.data, type=cls)
