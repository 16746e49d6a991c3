"""An audit entry's change as people read it: the keys whose value differs between before
and after, each with its old and new value, short."""

from __future__ import annotations

from typing import Any

import msgspec

VALUE_CHARS = 120  # a longer value is cut, with an ellipsis


class Changed(msgspec.Struct, frozen=True):
    key: str
    old: str | None  # None: the key was not there
    new: str | None


def _flat(state: dict[str, Any] | None, prefix: str = "") -> dict[str, Any]:
    """Nested objects as dotted keys (``name.pl``); lists and values as they are."""
    flat: dict[str, Any] = {}
    for key, value in (state or {}).items():
        if isinstance(value, dict) and value:
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else msgspec.json.encode(value).decode()
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Changed]:
    """The keys whose value differs (all of them for an entry that only adds or only
    removes), in the order they come."""
    old_flat, new_flat = _flat(before), _flat(after)
    found = []
    for key in [*old_flat, *(k for k in new_flat if k not in old_flat)]:
        old, new = old_flat.get(key, ...), new_flat.get(key, ...)
        if old == new:
            continue
        found.append(
            Changed(key, None if old is ... else _text(old), None if new is ... else _text(new))
        )
    return found
