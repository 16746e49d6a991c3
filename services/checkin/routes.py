"""Every route of the checkin service: scans, offline packs, lists, the door page, the live
dashboard, attendance and evidence, certificates and their verification."""

from __future__ import annotations

from pathlib import Path

from services.checkin.dashboard import handlers as dashboard
from services.checkin.evidence import handlers as evidence
from services.checkin.evidence import pages as evidence_pages
from services.checkin.lists import handlers as lists
from services.checkin.lists import pages as list_pages
from services.checkin.offline import door
from services.checkin.offline import handlers as offline
from services.checkin.scans import handlers as scans
from services.checkin.scans import pages as scan_pages
from services.checkin.staff import handlers as staff
from services.checkin.staff import pages as device_pages
from shared import static
from shared.routes import OPERATIONAL, Route, Serves, Who

STYLE = static.file(Path(__file__).parent / "evidence" / "static" / "verify.css")
PUBLIC, SCANNER, ORGANIZER = Who.PUBLIC, Who.SCANNER, Who.ORGANIZER
PAGE, ASSET, FILE = Serves.PAGE, Serves.ASSET, Serves.FILE
EVENT = "/api/v1/events/{slug}"
OFFICE = "/office/events/{slug}"
O_VIEWER, O_ORGANIZER = Who.OFFICE_VIEWER, Who.OFFICE_ORGANIZER

# One route per line, a table to read down: not formatted, not wrapped.
# fmt: off
ROUTES = (
    # The door
    Route("POST", "/api/v1/scans", scans.redeem_scan, SCANNER),
    Route("POST", "/api/v1/scans/batch", offline.upload_scans, SCANNER),
    Route("GET", f"{EVENT}/offline-pack", offline.get_offline_pack, SCANNER),
    Route("GET", f"{EVENT}/lists", lists.get_lists, SCANNER),
    Route("GET", "/door", static.serve(door.ASSETS[door.PAGE]), PUBLIC, PAGE),
    Route("GET", "/door/", offline.redirect_to_page, PUBLIC, PAGE),
    Route("GET", door.PAIRING, offline.get_pairing_qr, SCANNER, FILE),
    Route("GET", "/door/{asset}", static.serve_from(door.ASSETS), PUBLIC, ASSET),
    # Lists, devices, tokens
    Route("POST", f"{EVENT}/lists", lists.create_list, ORGANIZER),
    Route("PATCH", f"{EVENT}/lists/{{list}}", lists.update_list, ORGANIZER),
    Route("DELETE", f"{EVENT}/lists/{{list}}", lists.delete_list, ORGANIZER),
    Route("GET", f"{EVENT}/inside", lists.get_inside, ORGANIZER),
    Route("GET", f"{EVENT}/conflicts", offline.get_conflicts, ORGANIZER),
    Route("GET", f"{EVENT}/devices", staff.get_devices, ORGANIZER),
    Route("DELETE", "/api/v1/door-tokens/{token_id}", staff.revoke_token, ORGANIZER),
    Route("DELETE", "/api/v1/tokens/{token_id}", staff.revoke_token, ORGANIZER),
    Route("GET", "/api/v1/door-tokens/revoked", staff.get_revoked_tokens, ORGANIZER),
    # Attendance and evidence
    Route("GET", f"{EVENT}/attendance", scans.get_attendance, ORGANIZER),
    Route("GET", f"{EVENT}/attendance.csv", evidence.get_attendance_csv, ORGANIZER, FILE),
    Route("GET", f"{EVENT}/attendance.pdf", evidence.get_attendance_pdf, ORGANIZER, FILE),
    Route("GET", f"{EVENT}/statistics", evidence.get_statistics, ORGANIZER),
    Route("GET", f"{EVENT}/statistics.csv", evidence.get_statistics_csv, ORGANIZER, FILE),
    Route("GET", f"{EVENT}/inside.pdf", evidence.get_inside_pdf, ORGANIZER, FILE),
    # The live dashboard
    Route("GET", "/dashboard/{slug}", dashboard.dashboard_page, Who.DASHBOARD, PAGE),
    Route("GET", "/dashboard/{slug}/sign-in", dashboard.sign_in_page, PUBLIC, PAGE),
    Route("POST", "/dashboard/sign-in", dashboard.sign_in, PUBLIC, PAGE),
    Route("POST", "/dashboard/sign-out", dashboard.sign_out, PUBLIC, PAGE),
    Route("GET", "/dashboard/{slug}/statistics.csv", dashboard.get_statistics_csv, Who.DASHBOARD, FILE),
    Route("GET", "/dashboard/assets/{asset}", static.serve_from(dashboard.ASSET_FILES), PUBLIC, ASSET),
    Route("GET", f"{EVENT}/attendance/stream", dashboard.stream_attendance, Who.DASHBOARD, Serves.STREAM),
    # Certificates
    Route("GET", "/api/v1/registrations/{registration_id}/certificate.pdf", evidence.get_certificate_pdf, Who.ATTENDEE, FILE),
    Route("POST", f"{EVENT}/certificates/send", evidence.send_certificates, ORGANIZER),
    Route("GET", "/api/v1/certificates/keys", evidence.get_certificate_keys, PUBLIC),
    Route("GET", "/verify", evidence.verify_form, PUBLIC, PAGE),
    Route("POST", "/verify", evidence.verify_upload, PUBLIC, PAGE),
    Route("GET", "/verify/{certificate_id}", evidence.verify_page, PUBLIC, PAGE),
    Route("GET", "/assets/verify.css", static.serve(STYLE), PUBLIC, ASSET),
    Route("POST", "/api/v1/certificates/verify", evidence.verify_api, PUBLIC),
    # The back office
    Route("GET", f"{OFFICE}/lists", list_pages.lists_page, O_VIEWER, PAGE),
    Route("POST", f"{OFFICE}/lists", list_pages.create_list, O_ORGANIZER, PAGE),
    Route("GET", f"{OFFICE}/lists/{{list}}", list_pages.edit_list_page, O_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE}/lists/{{list}}", list_pages.update_list, O_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE}/lists/{{list}}/delete", list_pages.delete_list, O_ORGANIZER, PAGE),
    Route("GET", f"{OFFICE}/devices", device_pages.devices_page, O_VIEWER, PAGE),
    Route("POST", f"{OFFICE}/devices", device_pages.issue_device, O_ORGANIZER, PAGE),
    Route("POST", f"{OFFICE}/devices/{{token_id}}/revoke", device_pages.revoke_device, O_ORGANIZER, PAGE),
    Route("POST", "/office/registrations/{registration_id}/check-in", scan_pages.check_in_registration, Who.OFFICE, PAGE),
    Route("GET", f"{OFFICE}/certificates", evidence_pages.certificates_page, O_VIEWER, PAGE),
    Route("POST", f"{OFFICE}/certificates", evidence_pages.send_certificates, O_ORGANIZER, PAGE),
    Route("GET", f"{OFFICE}/attendance.csv", evidence.get_attendance_csv, O_VIEWER, FILE),
    Route("GET", f"{OFFICE}/attendance.pdf", evidence.get_attendance_pdf, O_VIEWER, FILE),
    Route("GET", f"{OFFICE}/statistics.csv", evidence.get_statistics_csv, O_VIEWER, FILE),
    Route("GET", f"{OFFICE}/inside.pdf", evidence.get_inside_pdf, O_VIEWER, FILE),
    *OPERATIONAL,
)
# fmt: on
