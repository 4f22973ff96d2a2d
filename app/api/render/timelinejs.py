"""The timeline as TimelineJS3 (Knight Lab) loads it: events as slides, periods as eras.

Dates keep the precision of their EDTF source: "1939-08-23" gives year, month and day,
"1985-03" year and month, "1930-07/1939-05" a start and an end. An uncertain ("1939?") or
approximate ("1939~") date is still placed by its plain value and said as such through
`display_date`. Text is HTML-escaped, since TimelineJS renders it as HTML.
"""

import html
import re
from collections.abc import Sequence

from app.core.i18n import ENGLISH, SPANISH, localized
from app.models import Event, Period
from app.schemas.timeline import (
    TimelineGroup,
    TimelineJS,
    TimelineJSDate,
    TimelineJSEra,
    TimelineJSSlide,
    TimelineJSText,
    TimelineJSTitle,
)

_EDTF_DATE = re.compile(
    r"^(?P<year>-?\d{4})(?:-(?P<month>\d{2}))?(?:-(?P<day>\d{2}))?(?P<q>[?~%])?$"
)
QUALIFIERS = {
    "es": {"?": "{} (fecha incierta)", "~": "hacia {}", "%": "hacia {} (fecha incierta)"},
    "en": {"?": "{} (uncertain)", "~": "c. {}", "%": "c. {} (uncertain)"},
}
NO_GROUP = {
    "es": {TimelineGroup.THEME: "Sin tema", TimelineGroup.REGION: "Sin región"},
    "en": {TimelineGroup.THEME: "No theme", TimelineGroup.REGION: "No region"},
}
TITLE = {
    "es": ("Anales", "Política exterior soviética (1917–1991): acontecimientos y períodos."),
    "en": ("Anales", "Soviet foreign policy (1917–1991): events and periods."),
}


def _date(part: str) -> tuple[TimelineJSDate, str | None] | None:
    """A TimelineJS date for one side of an EDTF date, and its qualifier, if any."""
    match = _EDTF_DATE.match(part)
    if match is None:
        return None
    month, day = match["month"], match["day"]
    date = TimelineJSDate(
        year=int(match["year"]),
        month=int(month) if month else None,
        day=int(day) if day else None,
    )
    return date, match["q"]


def _shown(part: str, qualifier: str | None, language: str) -> str:
    plain = part.rstrip("?~%")
    if qualifier is None:
        return plain
    return QUALIFIERS[language][qualifier].format(plain)


def event_slide(event: Event, group: TimelineGroup | None, language: str) -> TimelineJSSlide:
    start_part, _, end_part = event.date.partition("/")
    start = _date(start_part)
    end = _date(end_part) if end_part else None
    if start is None:  # an EDTF form this feed does not spell out: fall back to the days
        start_date = TimelineJSDate(
            year=event.start_date.year, month=event.start_date.month, day=event.start_date.day
        )
        start_q = None
    else:
        start_date, start_q = start
    end_date, end_q = end if end is not None else (None, None)
    display = None
    if start_q or end_q:
        display = _shown(start_part, start_q, language)
        if end_part:
            display += " – " + _shown(end_part, end_q, language)
        start_date.display_date = _shown(start_part, start_q, language)
        if end_date is not None:
            end_date.display_date = _shown(end_part, end_q, language)
    description = localized(event, "description", language) or ""
    return TimelineJSSlide(
        start_date=start_date,
        end_date=end_date,
        text=TimelineJSText(
            headline=html.escape(localized(event, "name", language)),
            text=html.escape(description),
        ),
        group=_group(event, group, language),
        display_date=display,
        unique_id=event.slug,
    )


def _group(event: Event, group: TimelineGroup | None, language: str) -> str | None:
    if group is None:
        return None
    linked = event.themes if group is TimelineGroup.THEME else event.regions
    if not linked:
        return NO_GROUP[language][group]
    return str(localized(min(linked, key=lambda item: item.slug), "name", language))


def period_era(period: Period, language: str) -> TimelineJSEra:
    return TimelineJSEra(
        start_date=TimelineJSDate(year=period.start_year),
        end_date=TimelineJSDate(year=period.end_year),
        text=TimelineJSText(
            headline=html.escape(localized(period, "name", language)),
            text=html.escape(localized(period, "description", language) or ""),
        ),
    )


def timelinejs(
    periods: Sequence[Period],
    events: Sequence[Event],
    group: TimelineGroup | None,
    language: str,
) -> TimelineJS:
    """The TimelineJS3 document of `periods` and `events`, in `language`."""
    headline, text = TITLE[ENGLISH if language == ENGLISH else SPANISH]
    return TimelineJS(
        title=TimelineJSTitle(text=TimelineJSText(headline=headline, text=text)),
        events=[event_slide(event, group, language) for event in events],
        eras=[period_era(period, language) for period in periods],
    )
