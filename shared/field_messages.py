"""Polish wording of the per-field messages in ``errors`` (msgspec's and our own).

The English message is the source; each rule rewrites one shape of it. A message no rule
knows stays English, which a test over every bad-input case keeps from happening.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TYPES = {
    "str": "tekst",
    "int": "liczbę całkowitą",
    "float": "liczbę",
    "bool": "wartość true lub false",
    "null": "null",
    "array": "listę",
    "object": "obiekt",
    "datetime": "datę z godziną",
    "date": "datę",
    "uuid": "identyfikator UUID",
    "bytes": "dane binarne",
}
_COMPARE = {">=": "co najmniej", "<=": "najwyżej", ">": "więcej niż", "<": "mniej niż"}


def _type(name: str) -> str:
    return _TYPES.get(name, f"`{name}`")


def _length(m: re.Match[str]) -> str:
    kind, op, n = m[1], m[2], m[3]
    unit = "znaków" if kind == "str" else "elementów"
    what = "Tekst" if kind == "str" else "Lista"
    return f"{what} musi mieć {_COMPARE[op]} {n} {unit}."


Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _rule(pattern: str, polish: str | Callable[[re.Match[str]], str]) -> Rule:
    render = polish if callable(polish) else (lambda m, text=polish: text.format(*m.groups()))
    return re.compile(pattern, re.DOTALL), render


_RULES: list[Rule] = [
    # msgspec's validation messages
    _rule(r"Object missing required field `(.+)`", "Brak wymaganego pola `{0}`."),
    _rule(r"Object contains unknown field `(.+)`", "Nieznane pole `{0}`."),
    _rule(
        r"Expected `(\w+)`, got `(\w+)`",
        lambda m: f"Oczekiwano: {_type(m[1])}; otrzymano: {_type(m[2])}.",
    ),
    _rule(r"Expected `(str|array|object|bytes)` of length (>=|<=) (\d+)", _length),
    _rule(
        r"Expected `(?:int|float)` (>=|<=|>|<) (-?[\d.]+)",
        lambda m: f"Wartość musi wynosić {_COMPARE[m[1]]} {m[2]}.",
    ),
    _rule(r"Expected `str` matching regex .*", "Niedozwolony format lub niedozwolone znaki."),
    _rule(r"Invalid enum value (.*)", "Niedozwolona wartość {0}."),
    _rule(r"Invalid UUID", "Niepoprawny identyfikator UUID."),
    _rule(r"Invalid RFC3339 encoded datetime", "Niepoprawna data z godziną (RFC 3339)."),
    _rule(r"Invalid RFC3339 encoded date", "Niepoprawna data (RFC 3339)."),
    _rule(
        r"Expected `datetime` with a timezone component",
        "Data z godziną musi zawierać strefę czasową.",
    ),
    # the services' own checks
    _rule(r"`([\w.\[\]]+)` must not be blank", "Pole `{0}` nie może być puste."),
    _rule(r"`(\w+)` must be after `(\w+)`", "`{0}` musi być później niż `{1}`."),
    _rule(r"must be after (\w+)", "Musi być później niż `{0}`."),
    _rule(r"`sessions` slugs must differ", "Identyfikatory sesji muszą być różne."),
    _rule(r"`sessions` lists a session twice", "Ta sama sesja jest wybrana dwa razy."),
    _rule(r"`email` is not a valid address: .*", "To nie jest poprawny adres e-mail."),
    _rule(
        r"`options` needs at least two choices for this kind",
        "To pytanie potrzebuje co najmniej dwóch odpowiedzi do wyboru.",
    ),
    _rule(
        r"`options` only go with single and multiple choice questions",
        "Odpowiedzi do wyboru mają tylko pytania jednokrotnego i wielokrotnego wyboru.",
    ),
    _rule(r"`options` values must differ", "Wartości odpowiedzi muszą być różne."),
    _rule(r"`attendees` lists (.+) twice", "Adres {0} występuje w grupie dwa razy."),
    _rule(
        r"`country` must be an ISO 3166-1 alpha-2 code such as PL",
        "Kraj podaj dwuliterowym kodem ISO 3166-1, np. PL.",
    ),
    _rule(r"`consent` must be true to register", "Bez zgody nie możemy Cię zarejestrować."),
    _rule(r"there is no such question", "Nie ma takiego pytania."),
    _rule(r"an answer is required", "Odpowiedź jest wymagana."),
    _rule(r"must be text of at most (\d+) characters", "Odpowiedź może mieć najwyżej {0} znaków."),
    _rule(r"must not contain control characters", "Tekst nie może zawierać znaków sterujących."),
    _rule(r"must be true or false", "Wymagana wartość true lub false."),
    _rule(r"must be one of: (.*)", "Wybierz jedną z odpowiedzi: {0}."),
    _rule(r"must be a list of: (.*)", "Wybierz odpowiedzi spośród: {0}."),
    _rule(r"no such session: (.+)", "Nie ma sesji {0}."),
    _rule(r"no such session", "Nie ma takiej sesji."),
    _rule(r"(\S+) overlaps (\S+)", "Sesje {0} i {1} odbywają się w tym samym czasie."),
    _rule(r"full: (.+)", "W sesji {0} nie ma wolnych miejsc."),
    _rule(r"started: (.+)", "Sesja {0} już się rozpoczęła."),
    _rule(r"at most (\d+)", "Najwyżej {0}."),
    _rule(r"at least (\d+)", "Co najmniej {0}."),
    _rule(r"Choose a ticket type: (.*)\.", "Wybierz rodzaj biletu: {0}."),
    _rule(r"There is no such ticket type\.", "Nie ma takiego rodzaju biletu."),
    _rule(
        r"This ticket type needs a valid access code\.",
        "Ten rodzaj biletu wymaga poprawnego kodu dostępu.",
    ),
    _rule(r"must be a UUID", "Musi być identyfikatorem UUID."),
    _rule(r"Lies in the future\.", "Czas skanu leży w przyszłości."),
    _rule(r"Appears twice in this batch\.", "Występuje w tej paczce dwa razy."),
    _rule(r"The event has no check-in list (.+)\.", "Wydarzenie nie ma listy wejść {0}."),
    _rule(
        r"A token id is the token's jti, a UUID\.",
        "Identyfikator tokenu to jego jti, czyli UUID.",
    ),
    _rule(r"Cannot change on this list\.", "Na tej liście nie można tego zmienić."),
    _rule(r"(.+) belongs to (\S+)", "Bramka {0} należy już do listy {1}."),
    _rule(r"Must be earlier than (\w+)\.", "Musi być wcześniej niż `{0}`."),
    _rule(r"Must be later than (\w+)\.", "Musi być później niż `{0}`."),
    _rule(r"A limit is needed to enforce it\.", "Aby pilnować limitu, trzeba go podać."),
    _rule(r"The event has no session (.+)\.", "Wydarzenie nie ma sesji {0}."),
    _rule(r"The event has no ticket type (.+)\.", "Wydarzenie nie ma rodzaju biletu {0}."),
]
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")


def polish(message: str) -> str | None:
    """The Polish wording of ``message``, or None when no rule knows its shape."""
    if _ADDRESS.fullmatch(message):
        return message  # an address named as already registered is the same in any language
    for pattern, render in _RULES:
        m = pattern.fullmatch(message)
        if m is not None:
            return render(m)
    return None
