"""Country names for the forms and pages, in Polish and English (CLDR's, through Babel),
sorted as each language sorts them, Poland first."""

from __future__ import annotations

import unicodedata

import iso3166
from babel import Locale

# The Polish alphabet's order (ą after a, ł after l, ź and ż after z ...); letters of
# other alphabets sort as their base letter.
_POLISH = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_RANK = {letter: i + 1 for i, letter in enumerate(_POLISH)}


def _sort_key(name: str, lang: str) -> tuple[int, ...]:
    key = []
    for char in name.casefold():
        if lang != "pl" or char not in _RANK:
            char = unicodedata.normalize("NFKD", char)[0]
        if char.isalpha():
            key.append(_RANK.get(char, len(_POLISH) + ord(char)))
        elif not char.isspace():
            key.append(len(_POLISH) + ord(char))
        else:
            key.append(0)  # "Korea Południowa" before "Koreańska ..."
    return tuple(key)


def _names(lang: str) -> dict[str, str]:
    territories = Locale(lang).territories
    return {c.alpha2: territories.get(c.alpha2, c.apolitical_name) for c in iso3166.countries}


def _options(lang: str, names: dict[str, str]) -> list[tuple[str, str]]:
    # Poland first: most attendees come from it.
    others = sorted(
        ((code, name) for code, name in names.items() if code != "PL"),
        key=lambda pair: _sort_key(pair[1], lang),
    )
    return [("PL", names["PL"]), *others]


NAMES = {lang: _names(lang) for lang in ("pl", "en")}
OPTIONS = {lang: _options(lang, names) for lang, names in NAMES.items()}


def country_name(code: str | None, lang: str) -> str | None:
    """The country's name in ``lang``; the code itself when unknown."""
    if not code:
        return None
    return NAMES.get(lang, NAMES["en"]).get(code, code)
