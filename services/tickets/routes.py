"""Every route of the tickets service: tickets, their QR codes and PDFs, signing keys."""

from __future__ import annotations

from pathlib import Path

from services.tickets import handlers
from services.tickets.signing import handlers as keys
from shared import static
from shared.revocations import REVOKE_ON_PORT
from shared.routes import OPERATIONAL, Route, Serves, Who

STYLE = static.file(Path(__file__).with_name("static") / "ticket.css")
TICKET = "/api/v1/tickets/{ticket_id}"

# One route per line, a table to read down: not formatted, not wrapped.
# fmt: off
ROUTES = (
    Route("GET", "/registrations/{registration_id}/ticket.html", handlers.ticket_page, Who.MANAGE, Serves.PAGE),
    Route("GET", "/assets/ticket.css", static.serve(STYLE), Who.PUBLIC, Serves.ASSET),
    Route("GET", "/api/v1/registrations/{registration_id}/ticket", handlers.get_registration_ticket, Who.ATTENDEE),
    Route("GET", f"{TICKET}/qr.png", handlers.get_ticket_qr_png, Who.ATTENDEE, Serves.FILE),
    Route("GET", f"{TICKET}/qr.svg", handlers.get_ticket_qr_svg, Who.ATTENDEE, Serves.FILE),
    Route("GET", f"{TICKET}/ticket.pdf", handlers.get_ticket_pdf, Who.ATTENDEE, Serves.FILE),
    Route("GET", "/api/v1/keys", keys.list_keys, Who.PUBLIC),
    Route("POST", "/api/v1/keys", keys.rotate_key, Who.ALL_EVENTS),
    Route("POST", "/api/v1/keys/{key_id}/retire", keys.retire_key, Who.ALL_EVENTS),
    REVOKE_ON_PORT,
    *OPERATIONAL,
)
# fmt: on
