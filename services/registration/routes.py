"""Every route of the registration service: the public pages, the events and registrations
API."""

from __future__ import annotations

from pathlib import Path

from services.registration.audit import handlers as audit
from services.registration.event_pages import handlers as event_pages
from services.registration.event_pages import part_edit_handlers as part_edits
from services.registration.event_pages import parts_handlers as event_parts
from services.registration.events import handlers as events
from services.registration.events.cache import changes_events
from services.registration.mailings import handlers as mailings
from services.registration.pages import handlers as pages
from services.registration.pages import manage_handlers as manage_pages
from services.registration.privacy import handlers as privacy
from services.registration.questions import handlers as questions
from services.registration.registrations import handlers as registrations
from services.registration.roster import handlers as roster
from services.registration.roster import import_handlers as office_import
from services.registration.roster import office_handlers as office_roster
from services.registration.roster import registration_handlers as office_registration
from services.registration.sessions import handlers as sessions
from services.registration.staff import account_handlers as account
from services.registration.staff import handlers as sign_in
from services.registration.staff import people_handlers as people
from services.registration.ticket_types import handlers as ticket_types
from shared import static
from shared.office import pages as office_pages
from shared.revocations import REVOKE_ON_PORT
from shared.routes import OPERATIONAL, Route, Serves, Who

STYLE = static.file(Path(__file__).with_name("static") / "site.css")
OFFICE_STYLE = static.file(office_pages.STYLE)
PUBLIC, ATTENDEE, ORGANIZER = Who.PUBLIC, Who.ATTENDEE, Who.ORGANIZER
PAGE, FILE = Serves.PAGE, Serves.FILE
EVENT = "/api/v1/events/{slug}"
REGISTRATION = "/api/v1/registrations/{registration_id}"
OFFICE_EVENT = "/office/events/{slug}"
OFFICE_REGISTRATION = "/office/registrations/{registration_id}"
OFFICE, OFFICE_VIEWER, OFFICE_ORGANIZER = Who.OFFICE, Who.OFFICE_VIEWER, Who.OFFICE_ORGANIZER
OFFICE_ADMIN = Who.OFFICE_ADMIN
PERSON = "/office/staff/{staff_id}"

# One route per line, a table to read down: not formatted, not wrapped.
# fmt: off
ROUTES = (
    Route("GET", "/", pages.catalogue, PUBLIC, PAGE),
    Route("GET", "/assets/site.css", static.serve(STYLE), PUBLIC, Serves.ASSET),
    Route("GET", "/office/assets/office.css", static.serve(OFFICE_STYLE), PUBLIC, Serves.ASSET),
    Route("GET", "/events/{slug}", pages.event_page, PUBLIC, PAGE),
    Route("POST", "/events/{slug}", pages.submit_registration, PUBLIC, PAGE),
    Route("POST", "/events/{slug}/resend-link", pages.resend_from_page, PUBLIC, PAGE),
    Route("GET", "/registrations/{registration_id}", manage_pages.manage_page, Who.MANAGE, PAGE),
    Route("POST", "/registrations/{registration_id}/cancel", manage_pages.cancel_from_page, Who.MANAGE, PAGE),
    Route("POST", "/registrations/{registration_id}/accept", manage_pages.accept_from_page, Who.MANAGE, PAGE),
    Route("POST", "/registrations/{registration_id}/sessions", manage_pages.change_sessions_from_page, Who.MANAGE, PAGE),
    Route("GET", "/registrations/{registration_id}/event.ics", manage_pages.calendar_file, Who.MANAGE, FILE),
    Route("GET", "/office/events/{slug}/messages", mailings.messages_page, Who.OFFICE_ORGANIZER, PAGE),
    Route("POST", "/office/events/{slug}/messages", mailings.write_message, Who.OFFICE_ORGANIZER, PAGE),
    Route("GET", "/office/sign-in", sign_in.sign_in_page, PUBLIC, PAGE),
    Route("POST", "/office/sign-in", sign_in.request_sign_in, PUBLIC, PAGE),
    Route("GET", "/office/sign-in/link", sign_in.link_page, PUBLIC, PAGE),
    Route("POST", "/office/sign-in/link", sign_in.redeem_link, PUBLIC, PAGE),
    Route("GET", "/office/sign-in/code", sign_in.code_page, PUBLIC, PAGE),
    Route("POST", "/office/sign-in/code", sign_in.submit_code, PUBLIC, PAGE),
    Route("POST", "/office/sign-out", sign_in.sign_out, OFFICE, PAGE),
    Route("POST", "/office/language", sign_in.switch_language, OFFICE, PAGE),
    Route("GET", "/office/account", account.account_page, OFFICE, PAGE),
    Route("POST", "/office/account", account.save_account, OFFICE, PAGE),
    Route("POST", "/office/account/two-factor", account.begin_two_factor, OFFICE, PAGE),
    Route("GET", "/office/account/two-factor", account.two_factor_page, OFFICE, PAGE),
    Route("POST", "/office/account/two-factor/confirm", account.confirm_two_factor, OFFICE, PAGE),
    Route("POST", "/office/account/two-factor/off", account.turn_off_two_factor, OFFICE, PAGE),
    Route("POST", "/office/account/recovery-codes", account.renew_recovery_codes, OFFICE, PAGE),
    Route("POST", "/office/account/sign-out-everywhere", account.sign_out_everywhere, OFFICE, PAGE),
    Route("GET", "/office/staff", people.staff_page, OFFICE_ADMIN, PAGE),
    Route("GET", "/office/staff/new", people.new_person_page, OFFICE_ADMIN, PAGE),
    Route("POST", "/office/staff/new", people.add_person, OFFICE_ADMIN, PAGE),
    Route("GET", PERSON, people.person_page, OFFICE_ADMIN, PAGE),
    Route("POST", PERSON, people.save_person, OFFICE_ADMIN, PAGE),
    Route("POST", f"{PERSON}/roles", people.add_role, OFFICE_ADMIN, PAGE),
    Route("POST", f"{PERSON}/roles/{{role_id}}/remove", people.remove_role, OFFICE_ADMIN, PAGE),
    Route("POST", f"{PERSON}/remove", people.remove_person, OFFICE_ADMIN, PAGE),
    Route("GET", "/office/events/{slug}/audit", audit.event_audit_page, Who.OFFICE_VIEWER, PAGE),
    Route("POST", "/api/v1/events", events.create_event, ORGANIZER),
    Route("GET", "/api/v1/events", events.list_events, PUBLIC),
    Route("GET", EVENT, events.get_event, PUBLIC),
    Route("PATCH", EVENT, changes_events(events.update_event), ORGANIZER),
    Route("POST", f"{EVENT}/publish", changes_events(events.publish_event), ORGANIZER),
    Route("POST", f"{EVENT}/cancel", changes_events(events.cancel_event), ORGANIZER),
    Route("GET", f"{EVENT}/stats", events.get_event_stats, ORGANIZER),
    Route("POST", f"{EVENT}/sessions", changes_events(sessions.create_session), ORGANIZER),
    Route("GET", f"{EVENT}/sessions", sessions.list_sessions, PUBLIC),
    Route("PATCH", f"{EVENT}/sessions/{{session}}", changes_events(sessions.update_session), ORGANIZER),
    Route("POST", f"{EVENT}/ticket-types", changes_events(ticket_types.create_ticket_type), ORGANIZER),
    Route("GET", f"{EVENT}/ticket-types", ticket_types.list_ticket_types, PUBLIC),
    Route("PATCH", f"{EVENT}/ticket-types/{{ticket_type}}", changes_events(ticket_types.update_ticket_type), ORGANIZER),
    Route("DELETE", f"{EVENT}/ticket-types/{{ticket_type}}", changes_events(ticket_types.delete_ticket_type), ORGANIZER),
    Route("POST", f"{EVENT}/questions", changes_events(questions.create_question), ORGANIZER),
    Route("GET", f"{EVENT}/questions", questions.list_questions, PUBLIC),
    Route("PATCH", f"{EVENT}/questions/{{question}}", changes_events(questions.update_question), ORGANIZER),
    Route("DELETE", f"{EVENT}/questions/{{question}}", changes_events(questions.delete_question), ORGANIZER),
    Route("POST", f"{EVENT}/registrations", registrations.create_registration, PUBLIC),
    Route("POST", f"{EVENT}/resend-link", registrations.resend_link, PUBLIC),
    Route("GET", f"{EVENT}/registrations", roster.list_registrations, ORGANIZER),
    Route("POST", f"{EVENT}/registrations/import", roster.import_registrations, ORGANIZER),
    Route("GET", f"{EVENT}/registrations.csv", roster.export_registrations_csv, ORGANIZER, FILE),
    Route("GET", REGISTRATION, registrations.get_registration, ATTENDEE),
    Route("DELETE", REGISTRATION, registrations.delete_registration, ATTENDEE),
    Route("POST", f"{REGISTRATION}/accept-offer", registrations.accept_offer, ATTENDEE),
    Route("PUT", f"{REGISTRATION}/sessions", sessions.change_sessions, ATTENDEE),
    Route("GET", f"{REGISTRATION}/data", privacy.download_data, ATTENDEE, FILE),
    Route("POST", f"{REGISTRATION}/erase", privacy.erase_registration, ATTENDEE),
    Route("GET", "/office/", event_pages.office_home, OFFICE, PAGE),
    Route("GET", "/office/events/new", event_pages.new_event_page, OFFICE, PAGE),
    Route("POST", "/office/events/new", changes_events(event_pages.create_event_from_page), OFFICE, PAGE),
    Route("GET", OFFICE_EVENT, event_pages.event_overview, OFFICE_VIEWER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/edit", event_pages.edit_event_page, OFFICE_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/edit", changes_events(event_pages.update_event_from_page), OFFICE_ORGANIZER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/sessions", event_parts.sessions_page, OFFICE_VIEWER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/sessions", changes_events(event_parts.sessions_from_page), OFFICE_ORGANIZER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/ticket-types", event_parts.ticket_types_page, OFFICE_VIEWER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/ticket-types", changes_events(event_parts.ticket_types_from_page), OFFICE_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/ticket-types/{{ticket_type}}", changes_events(part_edits.save_ticket_type), OFFICE_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/ticket-types/{{ticket_type}}/remove", changes_events(part_edits.remove_ticket_type_from_page), OFFICE_ORGANIZER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/questions", event_parts.questions_page, OFFICE_VIEWER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/questions", changes_events(event_parts.questions_from_page), OFFICE_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/questions/{{question}}", changes_events(part_edits.save_question), OFFICE_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/questions/{{question}}/remove", changes_events(part_edits.remove_question_from_page), OFFICE_ORGANIZER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/publish", event_pages.publish_page, OFFICE_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/publish", changes_events(event_pages.publish_from_page), OFFICE_ORGANIZER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/cancel", event_pages.cancel_page, OFFICE_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/cancel", changes_events(event_pages.cancel_from_page), OFFICE_ORGANIZER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/registrations", office_roster.registrations_page, OFFICE_VIEWER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/registrations.csv", office_roster.registrations_csv_file, OFFICE_VIEWER, FILE),
    Route("GET", f"{OFFICE_EVENT}/waitlist", office_roster.waitlist_page, OFFICE_VIEWER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/exports", office_roster.exports_page, OFFICE_VIEWER, PAGE),
    Route("GET", f"{OFFICE_EVENT}/import", office_import.import_page, OFFICE_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/import", office_import.preview_import, OFFICE_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE_EVENT}/import/confirm", office_import.confirm_import, OFFICE_ORGANIZER, PAGE),
    Route("GET", OFFICE_REGISTRATION, office_registration.registration_page, OFFICE, PAGE),
    Route("POST", f"{OFFICE_REGISTRATION}/cancel", office_registration.cancel_from_office, OFFICE, PAGE),
    Route("POST", f"{OFFICE_REGISTRATION}/offer", changes_events(office_registration.offer_from_office), OFFICE, PAGE),
    Route("POST", f"{OFFICE_REGISTRATION}/sessions", office_registration.sessions_from_office, OFFICE, PAGE),
    Route("POST", f"{OFFICE_REGISTRATION}/erase", office_registration.erase_from_office, OFFICE, PAGE),
    REVOKE_ON_PORT,
    *OPERATIONAL,
)
# fmt: on
