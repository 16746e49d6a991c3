"""Every route of the notifications service: the delivery log."""

from __future__ import annotations

from services.notifications.deliveries import handlers
from shared.revocations import REVOKE_ON_PORT
from shared.routes import OPERATIONAL, Route, Who

# One route per line, a table to read down: not formatted, not wrapped.
# fmt: off
ROUTES = (
    Route("GET", "/api/v1/deliveries", handlers.list_deliveries, Who.ORGANIZER),
    Route("POST", "/api/v1/deliveries/{delivery_id}/resend", handlers.resend_delivery, Who.ORGANIZER),
    REVOKE_ON_PORT,
    *OPERATIONAL,
)
# fmt: on
