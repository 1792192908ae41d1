"""Street addresses offered as a place to meet or to pick an order up.

    "ул. Витоша 15", "бул. България 102, вх. Б", "жк Младост 1, бл. 23", "ul. Vitosha 15",
    "meet me at 12 Oak Street", "вземи го от офиса на Шипка 7"

A street (a marker such as "ул.", "бул.", "Street", and a house number), a block of flats ("бл. 23"
with an entrance, floor or flat, or after "жк"/"кв.") and, when the message speaks of meeting or
picking up, a bare "на Шипка 7" are addresses. An English one ("12 Oak Street") needs a word such
as "at" before it, or a line of its own: "Adidas 3 Stripes Street Jacket" is a product. Addresses
are left alone when they are delivery talk: an address next to a courier's name ("офис на Еконт
на ул. Шипка 5") unless a word speaking only of meeting is nearer, or given for delivery ("адрес
за доставка:", "гр. София, ул. …") when no such word is around it. City names, courier offices,
order numbers, sizes and prices are never addresses.
"""

from __future__ import annotations

import re

from bot.domain.masking.normalise import Normalised

_WORD = r"[^\W\d_][\w'’-]*"
_NAME = rf"(?:[\"„“«]?(?:{_WORD}|\d{{1,2}}-?(?:ти|ви|ри|ми|th|st|nd|rd)\.?)[\"“”»]?)"
_STREET_NAME = rf"{_NAME}(?:\s+{_NAME}){{0,3}}"
_HOUSE = r"(?:№\s?|no\.?\s?|номер\s+)?\d{1,4}(?:-?[а-яa-z](?!\w)|/\d{1,3})?(?![\w.,]\d)"
_SUBPART = (
    r"(?:\s*,?\s*(?:(?:бл|вх|ет|ап|bl|vh|et|ap|apt|fl)(?:\.\s*|\s+)|(?:блок|вход|етаж|"
    r"апартамент|entrance|floor|flat|unit)\s+)[0-9a-zа-я]{1,4}(?!\w))"
)
_BLOCK = r"(?:(?:бл|bl)(?:\.\s*|\s+)|блок\s+)\d{1,4}[а-яa-z]?(?!\w)"
_STREET_MARKER = (
    r"ул\.|ул(?=\s)|улица|бул\.|бул(?=\s)|булевард|пл\.|площад|пр\.|проспект|"
    r"ul\.|ul(?=\s)|ulitsa|ulica|bul\.|blvd\.?|bulevard|pl\.|ploshtad"
)
_DISTRICT_MARKER = r"ж\.\s?к\.|жк|ж\.к|жилищен\s+комплекс|кв\.|квартал|zh\.?\s?k\.?|jk|kv\."
_STREET_TYPE = (
    r"street|st\.?|road|rd\.?|avenue|ave\.?|lane|ln\.?|boulevard|drive|dr\.?|square|sq\.?|"
    r"way|place|court|close|terrace|crescent|str\.?"
)
_MARKED = re.compile(
    rf"(?<!\w)(?:(?:{_STREET_MARKER})\s*{_STREET_NAME}\s*,?\s*{_HOUSE}{_SUBPART}*"
    rf"|(?:{_DISTRICT_MARKER})\s*{_STREET_NAME}(?:\s+\d{{1,2}})?\s*,?\s*{_BLOCK}{_SUBPART}*"
    rf"|{_BLOCK}{_SUBPART}+)"
)
_ENGLISH = re.compile(
    rf"(?<![\w.,])(?P<number>\d{{1,5}}[a-z]?)\s+(?P<name>{_WORD}(?:\s+{_WORD}){{0,2}})\s+"
    rf"(?:{_STREET_TYPE})(?!\w){_SUBPART}*"
    rf"|(?<!\w)(?P<name2>{_WORD}(?:\s+{_WORD}){{0,2}})\s+(?:street|road|avenue|str\.?)\s+"
    rf"\d{{1,4}}[a-z]?(?!\w)"
)
#: "at 12 Oak Street": an English address needs a word saying it is a place, or a line of its own
#: ("Adidas 3 Stripes Street Jacket" is a product).
_PLACE_WORD = re.compile(
    r"(?:(?<!\w)(?:at|on|from|to|in|address\w*|адрес\w*|на|от)\s+|(?:^|\n)[ \t]*)$"
)
#: "на Шипка 7": a capitalised name and a house number, only believed beside meeting talk.
_BARE = re.compile(
    r"(?<!\w)(?:на|до|от|at|on)\s+(?P<name>[а-я][а-я-]+(?:\s+[а-я][а-я-]+)?)\s+"
    r"(?P<number>\d{1,3}[а-я]?)(?!\w|[.,:]\d|\s*(?:бр|лв|лева|евро|см|кг|ч|часа|дни|мин|%|€))"
)
#: Words that only ever speak of meeting: near an address they outweigh a city or "адрес:" before
#: it, and a courier named further off.
_STRONG_MEETING = (
    r"ела|елате|минете|минеш|да\s+се\s+видим|ще\s+се\s+видим|видим\s+се|срещ\w+|"
    r"лично|на\s+ръка|в\s+брой|ela|elate|minete|sreshta|lichno|pick\s?up|picked\s+up|"
    r"pick\s+(?:it|them|this)\s+up|collect\w*|meet\w*|drop\s+by|in\s+person"
)
_MEETING_WORDS = re.compile(rf"(?<!\w)(?:{_STRONG_MEETING})(?!\w)")
_MEETING = re.compile(
    rf"(?<!\w)(?:{_STRONG_MEETING}|ела\w+|мини|mini|вземи|вземете|взем\w+|взим\w+|на\s+място|предам|"
    r"предаване|чака\w*|come|visit|cash|вкъщи|у\s+дома|магазин\w*|склад\w*|офиса\s+(?:ми|ни)|"
    r"ателие\w*|шоурум\w*|showroom|my\s+(?:shop|store|office|place)|"
    r"our\s+(?:shop|store|office))(?!\w)"
)
_COURIER = re.compile(
    r"(?<!\w)(?:еконт\w*|econt|спиди|speedy|box\s?now|бокс\s?нау|европът|evropat|dhl|ups|"
    r"fedex|сити\s?експрес|city\s?express|пощ\w+|bg\s?post|автомат\w*|locker|куриер\w*|"
    r"courier)(?!\w)"
)
_DELIVERY = re.compile(
    r"(?<!\w)(?:(?:адрес\w*\s+за\s+доставка|доставк\w+|достав[ия]\w*|изпрат\w*|пратете|прати|"
    r"адрес\s*:|град|пратк\w*|shipping|deliver\w*|ship\s+to|send\s+(?:it\s+)?to|parcel|"
    r"package|address\s*:)(?!\w)|гр\.)"
)
#: Names after "на"/"до"/"от" that are a city, a courier, a month or a day, never a street.
_NOT_STREETS_SPELLED = """
    софия пловдив варна бургас русе стара загора плевен сливен добрич шумен перник хасково
    ямбол пазарджик благоевград велико търново враца габрово асеновград видин казанлък кюстендил
    кърджали монтана димитровград ловеч търговище силистра разград дупница горна оряховица
    еконт спиди поръчка размер номер
    януари февруари март април май юни юли август септември октомври ноември декември
    понеделник вторник сряда четвъртък петък събота неделя черен коледа великден
    """
_NOT_STREETS = frozenset(_NOT_STREETS_SPELLED.split())
_BEFORE = 50
_AFTER = 40


def find_addresses(norm: Normalised) -> list[tuple[int, int]]:
    """Spans of the normalised text holding a street address given to meet or to pick up."""
    text = norm.text
    if not any(char.isdigit() for char in text):
        return []
    meeting = speaks_of_meeting(text)
    spans = [match.span() for match in _MARKED.finditer(text)]
    spans += [
        match.span()
        for match in _named(norm, _ENGLISH)
        if _PLACE_WORD.search(text[max(0, match.start() - 12) : match.start()])
    ]
    if meeting:
        spans += [(match.start("name"), match.end()) for match in _named(norm, _BARE)]
    return [
        (start, _trim(text, start, end))
        for start, end in spans
        if not _delivery_talk(text, start, end)
    ]


def _named(norm: Normalised, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """Matches of `pattern` whose street name is written with capitals, as names are.

    A match whose name is not ("is at Vitosha str. 15") is tried again one word later.
    """
    found: list[re.Match[str]] = []
    position = 0
    while (match := pattern.search(norm.text, position)) is not None:
        group = "name" if match["name"] is not None else "name2"
        name = match[group]
        first, last = norm.span(match.start(group), match.end(group))
        words = norm.original[first:last].split()
        if _NOT_STREETS.isdisjoint(name.split()) and all(word[0].isupper() for word in words):
            found.append(match)
            position = match.end()
        else:
            position = match.start() + 1
    return found


def _delivery_talk(text: str, start: int, end: int) -> bool:
    """Whether the address is a courier's office or given for delivery ("гр. Бургас, ул. …").

    Of a courier's name and a word that only speaks of meeting, the one nearer the address wins:
    "Pick it up from the Econt office at 12 Oak Street" is delivery talk, "Не ползвам Спиди, да
    се срещнем на бул. Витоша 4" is not.
    """
    before = text[max(0, start - _BEFORE) : start]
    after = text[end : end + _AFTER]
    courier = _last_end(_COURIER, before)
    meeting = _last_end(_MEETING_WORDS, before)
    if courier != meeting:
        return courier > meeting
    courier_after = _COURIER.search(after)
    meeting_after = _MEETING_WORDS.search(after)
    if courier_after or meeting_after:
        return meeting_after is None or (
            courier_after is not None and courier_after.start() < meeting_after.start()
        )
    return _DELIVERY.search(before) is not None


def _last_end(pattern: re.Pattern[str], text: str) -> int:
    """Where the last match of `pattern` in `text` ends, or -1."""
    ends = [match.end() for match in pattern.finditer(text)]
    return ends[-1] if ends else -1


def speaks_of_meeting(text: str) -> bool:
    """Whether the normalised text speaks of meeting or picking up in person."""
    return _MEETING.search(text) is not None


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " ,.":
        end -= 1
    return end
