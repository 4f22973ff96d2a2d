"""Historical dates: EDTF strings (Library of Congress Extended Date/Time Format)."""

import datetime as dt

from edtf import parse_edtf


def edtf_span(value: str) -> tuple[dt.date, dt.date]:
    """The earliest and latest day an EDTF string allows; ValueError if it is not EDTF.

    "1939-08-23" is one day, "1985-03" a month, "1930/1939" an interval of years;
    uncertain ("1939?") and approximate ("1939~") forms keep their plain bounds.
    """
    try:
        parsed = parse_edtf(value)
        low, high = parsed.lower_strict(), parsed.upper_strict()
        start, end = dt.date(*low[:3]), dt.date(*high[:3])
    except Exception as exc:
        raise ValueError(f"{value!r} is not an EDTF date this corpus can hold") from exc
    if start > end:
        raise ValueError(f"{value!r} ends before it starts")
    return start, end
