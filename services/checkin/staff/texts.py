"""Door devices: their refusal, and the back office's devices page, Polish and English."""

from __future__ import annotations

from shared.refusals import Refusal

DEVICE_NOT_FOUND = Refusal(
    "device_not_found",
    404,
    "No device of this event uses this token.",
    "Żadne urządzenie tego wydarzenia nie używa tego tokenu.",
)

DEVICE_ALREADY_ISSUED = Refusal(
    "device_already_issued",
    409,
    "This form was sent already: the device is issued, and its QR was shown once. If it was"
    " lost, revoke the device below and issue a new one.",
    "Ten formularz został już wysłany: urządzenie jest wydane, a jego kod QR był pokazany"
    " raz. Jeśli zginął, unieważnij urządzenie poniżej i wydaj nowe.",
)

TEXTS: dict[str, dict[str, str]] = {
    "pl": {
        "devices_title": "Urządzenia wejściowe",
        "devices_intro": "Telefon przy wejściu loguje się tokenem bramki: wydaj go tutaj i"
        " zeskanuj QR parowania telefonem (otworzy stronę /door z tokenem). Zgubiony"
        " telefon unieważnisz przyciskiem; każda usługa odrzuci jego token w ciągu sekundy.",
        "issue_title": "Wydaj token urządzenia",
        "f_name": "Nazwa urządzenia",
        "h_name": "Np. Telefon 1 – hala główna.",
        "f_gate": "Bramka",
        "h_gate": "Nazwa wejścia, przy którym pracuje urządzenie.",
        "h_gate_known": "Bramki list wejść: {gates}.",
        "f_days": "Ważność (dni)",
        "h_days": "Od 1 do {max} dni.",
        "issue": "Wydaj token",
        "issued_title": "Token wydany: {name}",
        "issued_once": "Ten kod pokazujemy tylko teraz. Zeskanuj go telefonem przy wejściu;"
        " po odświeżeniu strony już go nie będzie.",
        "qr_alt": "Kod QR parowania urządzenia {name}",
        "token_label": "Token (do wklejenia na stronie /door)",
        "expires": "Ważny do",
        "col_device": "Urządzenie",
        "col_gate": "Bramka",
        "col_issued": "Wydany",
        "col_expires": "Ważny do",
        "col_sync": "Ostatnia synchronizacja",
        "col_scan": "Ostatni skan",
        "col_state": "Stan",
        "col_actions": "Działania",
        "state_active": "aktywny",
        "state_revoked": "unieważniony",
        "state_expired": "wygasł",
        "never": "jeszcze nie",
        "by": "przez",
        "revoke": "Unieważnij",
        "revoke_named": "Unieważnij token urządzenia {name}",
        "revoked_notice": "Token unieważniony.",
        "no_devices": "Nie wydano jeszcze żadnego tokenu.",
        "other_title": "Inne tokeny używane na tym wydarzeniu",
        "other_intro": "Urządzenia zalogowane tokenem wydanym poza biurem (np. cnk token).",
        "col_token": "Token",
        "col_device_id": "Identyfikator urządzenia",
        "col_seen": "Pierwszy raz",
        "err_invalid": "Nieprawidłowa wartość.",
        "err_name": "Podaj nazwę urządzenia (do 64 znaków).",
        "err_gate": "Podaj bramkę (do 64 znaków).",
        "err_days": "Podaj liczbę dni od 1 do {max}.",
    },
    "en": {
        "devices_title": "Door devices",
        "devices_intro": "A phone at the door signs in with a door token: issue one here and"
        " scan the pairing QR with the phone (it opens the /door page with the token). Revoke"
        " a lost phone with its button; every service refuses its token within a second.",
        "issue_title": "Issue a device token",
        "f_name": "Device name",
        "h_name": "For example Phone 1 - main hall.",
        "f_gate": "Gate",
        "h_gate": "The entrance the device works at.",
        "h_gate_known": "Gates of the check-in lists: {gates}.",
        "f_days": "Valid for (days)",
        "h_days": "From 1 to {max} days.",
        "issue": "Issue the token",
        "issued_title": "Token issued: {name}",
        "issued_once": "This code is shown only now. Scan it with the phone at the door; it"
        " is gone once the page is reloaded.",
        "qr_alt": "Pairing QR code of the device {name}",
        "token_label": "Token (to paste on the /door page)",
        "expires": "Valid until",
        "col_device": "Device",
        "col_gate": "Gate",
        "col_issued": "Issued",
        "col_expires": "Valid until",
        "col_sync": "Last sync",
        "col_scan": "Last scan",
        "col_state": "State",
        "col_actions": "Actions",
        "state_active": "active",
        "state_revoked": "revoked",
        "state_expired": "expired",
        "never": "not yet",
        "by": "by",
        "revoke": "Revoke",
        "revoke_named": "Revoke the token of the device {name}",
        "revoked_notice": "The token was revoked.",
        "no_devices": "No token has been issued yet.",
        "other_title": "Other tokens used at this event",
        "other_intro": "Devices signed in with a token issued outside the office (cnk token).",
        "col_token": "Token",
        "col_device_id": "Device id",
        "col_seen": "First seen",
        "err_invalid": "This value is not valid.",
        "err_name": "Enter the device's name (up to 64 characters).",
        "err_gate": "Enter the gate (up to 64 characters).",
        "err_days": "Enter a number of days from 1 to {max}.",
    },
}
