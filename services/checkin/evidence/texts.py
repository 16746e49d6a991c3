"""Evidence's refusals, and what the certificate verification page says, in Polish and
English; the verdicts are keyed by their reason code."""

from __future__ import annotations

from shared.refusals import Refusal

CERTIFICATE_WITHDRAWN = Refusal(
    "certificate_withdrawn",
    410,
    "This certificate has been withdrawn.",
    "To zaświadczenie zostało wycofane.",
)
INVALID_UPLOAD = Refusal(
    "invalid_upload",
    400,
    "Send the file as multipart/form-data field `certificate`.",
    "Prześlij plik jako pole `certificate` formularza multipart/form-data.",
)
NOT_ATTENDED = Refusal(
    "not_attended",
    404,
    "This registration has no recorded check-in {where}",
    "Ta osoba nie ma zarejestrowanego wejścia na to wydarzenie lub tę sesję.",
)
EVENT_NOT_STARTED = Refusal(
    "event_not_started",
    409,
    "Certificates are sent once the event has started (it starts at {starts_at}).",
    "Zaświadczenia można wysłać dopiero po rozpoczęciu wydarzenia.",
    members=("starts_at",),
)
REGISTRATION_ERASED = Refusal(
    "registration_erased",
    410,
    "This registration's personal data has been erased.",
    "Dane osobowe tej rejestracji zostały usunięte.",
)
VERIFY_BUSY = Refusal(
    "verify_busy",
    503,
    "Many files are being checked just now; try again in a few seconds.",
    "Właśnie sprawdzamy wiele plików. Spróbuj ponownie za kilka sekund.",
)
VERIFY_RATE_LIMITED = Refusal(
    "verify_rate_limited",
    429,
    "Too many files checked from this address; try again in {retry} s.",
    "Z tego adresu sprawdzono w ostatniej minucie zbyt wiele plików. Spróbuj ponownie za minutę.",
)

TEXTS: dict[str, dict[str, str]] = {
    "pl": {
        "title": "Weryfikacja zaświadczenia",
        "site": "CNK · zaświadczenia",
        "holder": "Uczestnik",
        "event": "Wydarzenie",
        "session": "Sesja",
        "when": "Termin",
        "attended": "Obecność",
        "issued": "Wystawiono",
        "number": "Nr zaświadczenia",
        "issuer": "Wystawca",
        "upload": "Sprawdź plik PDF zaświadczenia",
        "upload_hint": "Plik zostaje sprawdzony i nie jest zapisywany.",
        "check": "Sprawdź",
        "language": "Język",
        "genuine": "Zaświadczenie autentyczne",
        "not_found": "Nie ma takiego zaświadczenia — to zaświadczenie nie jest autentyczne.",
        "withdrawn": "To zaświadczenie zostało wycofane (dane uczestnika usunięto na jego prośbę).",
        "malformed": "Podpis zaświadczenia jest uszkodzony — nie jest ono autentyczne.",
        "no_token": "Ten plik PDF nie zawiera podpisu zaświadczenia CNK — nie jest autentyczny.",
        "not_a_pdf": "Tego pliku nie da się odczytać jako PDF.",
        "no_file": "Wybierz plik PDF do sprawdzenia.",
        "too_large": "Plik jest zbyt duży; zaświadczenie ma kilkadziesiąt kilobajtów.",
        "unknown_key": "Zaświadczenie podpisano nieznanym kluczem — nie jest autentyczne.",
        "bad_signature": "Podpis się nie zgadza: treść zaświadczenia zmieniono — nie jest"
        " autentyczne.",
        "mismatch": "Pod tym numerem wystawiliśmy inne zaświadczenie — to nie jest autentyczne.",
        "text_altered": "Podpis jest nasz, ale tekst dokumentu zmieniono (imię, nazwisko lub"
        " wydarzenie) — nie jest autentyczne.",
        "too_complex": "Tego pliku nie da się sprawdzić: jest zbyt złożony jak na zaświadczenie"
        " CNK — nie jest autentyczny.",
        "busy": "Właśnie sprawdzamy wiele plików. Spróbuj ponownie za kilka sekund.",
        "rate_limited": "Z tego adresu sprawdzono w ostatniej minucie zbyt wiele plików. Spróbuj"
        " ponownie za minutę.",
    },
    "en": {
        "title": "Certificate verification",
        "site": "CNK · certificates",
        "holder": "Attendee",
        "event": "Event",
        "session": "Session",
        "when": "When",
        "attended": "Attendance",
        "issued": "Issued",
        "number": "Certificate no.",
        "issuer": "Issued by",
        "upload": "Check a certificate's PDF file",
        "upload_hint": "The file is checked and not kept.",
        "check": "Check",
        "language": "Language",
        "genuine": "Genuine certificate",
        "not_found": "No such certificate — this one is not genuine.",
        "withdrawn": "This certificate has been withdrawn (the attendee's data was erased at"
        " their request).",
        "malformed": "The certificate's signature is damaged — it is not genuine.",
        "no_token": "This PDF carries no CNK certificate signature — it is not genuine.",
        "not_a_pdf": "This file cannot be read as a PDF.",
        "no_file": "Choose a PDF file to check.",
        "too_large": "The file is too large; a certificate is a few dozen kilobytes.",
        "unknown_key": "Signed with a key we never used — it is not genuine.",
        "bad_signature": "The signature does not match: the certificate was altered — it is"
        " not genuine.",
        "mismatch": "We issued a different certificate under this number — this one is not"
        " genuine.",
        "text_altered": "The signature is ours, but the document's text was changed (name or"
        " event) — it is not genuine.",
        "too_complex": "This file is too complex to check; a CNK certificate is a simple PDF —"
        " this one is not genuine.",
        "busy": "We are checking many files just now. Try again in a few seconds.",
        "rate_limited": "Too many files were checked from this address in the last minute. Try"
        " again in a minute.",
    },
}

# The back office's certificates page and exports (evidence/pages.py).
OFFICE_TEXTS: dict[str, dict[str, str]] = {
    "pl": {
        "certificates_title": "Zaświadczenia",
        "certificates_intro": "Zaświadczenie o uczestnictwie dostaje e-mailem każdy, kto"
        " wszedł na wydarzenie (ma zarejestrowane wejście), i tylko raz.",
        "not_started": "Wydarzenie zaczyna się {starts_at}. Zaświadczenia można wysłać"
        " dopiero po jego rozpoczęciu.",
        "attended": "Obecnych: {attended}. Wysłanych zaświadczeń: {sent}.",
        "send": "Wyślij zaświadczenia",
        "sent_notice": "Wysłano nowych zaświadczeń: {count}.",
        "col_holder": "Uczestnik",
        "col_scope": "Zakres",
        "col_issued": "Wystawione",
        "col_sent": "Wysłane",
        "col_state": "Stan",
        "scope_event": "całe wydarzenie",
        "scope_session": "sesja {slug}",
        "not_sent": "nie wysłano",
        "withdrawn": "wycofane (dane usunięte)",
        "valid": "ważne",
        "no_certificates": "Nie wystawiono jeszcze żadnego zaświadczenia.",
        "exports_title": "Pliki obecności",
        "export_attendance_csv": "Lista obecności (CSV)",
        "export_attendance_pdf": "Lista obecności do podpisu (PDF)",
        "export_statistics_csv": "Statystyki (CSV)",
        "export_inside_pdf": "Kto jest w środku (PDF)",
    },
    "en": {
        "certificates_title": "Certificates",
        "certificates_intro": "Everyone who attended (has a recorded entry) gets a certificate"
        " of attendance by email, once.",
        "not_started": "The event starts {starts_at}. Certificates can be sent once it has"
        " started.",
        "attended": "Attended: {attended}. Certificates sent: {sent}.",
        "send": "Send the certificates",
        "sent_notice": "New certificates sent: {count}.",
        "col_holder": "Attendee",
        "col_scope": "Scope",
        "col_issued": "Issued",
        "col_sent": "Sent",
        "col_state": "State",
        "scope_event": "whole event",
        "scope_session": "session {slug}",
        "not_sent": "not sent",
        "withdrawn": "withdrawn (data erased)",
        "valid": "valid",
        "no_certificates": "No certificate has been issued yet.",
        "exports_title": "Attendance files",
        "export_attendance_csv": "Attendance list (CSV)",
        "export_attendance_pdf": "Attendance list to sign (PDF)",
        "export_statistics_csv": "Statistics (CSV)",
        "export_inside_pdf": "Who is inside (PDF)",
    },
}
