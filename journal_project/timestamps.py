"""How every answer of the API and the export writes a moment: one fixed shape.

`2024-05-01T18:03:11.000000Z`: UTC, always six fractional digits, always `Z`.
Python's `isoformat()` (and so DRF's `DateTimeField`) drops the fraction when the
microseconds are zero, so one field came in two shapes: `…:11.204512Z` from most writes,
`…:11Z` from an imported timestamp (or one write in a million). A parser fixed to one
shape (Swift's `ISO8601DateFormatter` with `.withFractionalSeconds`, a Java or Kotlin
pattern with `.SSSSSS`) failed on the other and dropped the record.
"""

from __future__ import annotations

import datetime


def iso_timestamp(value: datetime.datetime | None) -> str | None:
    """`value` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    # isoformat, not strftime: strftime's %Y does not pad years before 1000 on every platform.
    return value.isoformat(timespec="microseconds") + "Z"
