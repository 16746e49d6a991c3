"""What identifiers and typed text may contain: slugs in URLs, printable text."""

from __future__ import annotations

import re

# Text people type: no control characters (PostgreSQL cannot even store NUL in text).
PRINTABLE = r"^[^\x00-\x1f\x7f]*\Z"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}\Z"
_SLUG = re.compile(SLUG_PATTERN)


def is_slug(value: str) -> bool:
    return _SLUG.fullmatch(value) is not None
