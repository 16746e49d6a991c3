"""Every route of the notifications service: the delivery log, its API and its page."""

from __future__ import annotations

from services.notifications.deliveries import handlers
from services.notifications.deliveries import page_handlers as pages
from shared.revocations import REVOKE_ON_PORT
from shared.routes import OPERATIONAL, Route, Serves, Who

EMAILS = "/office/registrations/{registration_id}/emails"

# One route per line, a table to read down: not formatted, not wrapped.
# fmt: off
ROUTES = (
    Route("GET", "/api/v1/deliveries", handlers.list_deliveries, Who.ORGANIZER),
    Route("POST", "/api/v1/deliveries/{delivery_id}/resend", handlers.resend_delivery, Who.ORGANIZER),
    Route("GET", EMAILS, pages.delivery_log_page, Who.OFFICE, Serves.PAGE),
    Route("POST", f"{EMAILS}/{{delivery_id}}/resend", pages.resend_from_page, Who.OFFICE, Serves.PAGE),
    REVOKE_ON_PORT,
    *OPERATIONAL,
)
# fmt: on
