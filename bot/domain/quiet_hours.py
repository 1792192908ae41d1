"""Quiet hours: the part of a seller's night in which the bot does not ring their phone.

Notifications inside the window still arrive at once, but silently (Telegram's
``disable_notification``); the daily digest waits until the window is over. The window is given
in whole local hours and may cross midnight (22–08 is 22:00 to 07:59:59 the next morning); the
local hour is read on the seller's wall clock, so a daylight-saving change moves it with the
clock::

    is_quiet(now, "Europe/Sofia", QuietHours(22, 8))

``start == end`` would be a window of no length or of a whole day; neither is offered, and it is
read as no quiet hours at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

DEFAULT_START = 22
DEFAULT_END = 8


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From ``start``:00 up to ``end``:00 local time; ``enabled`` False means never quiet."""

    start: int = DEFAULT_START
    end: int = DEFAULT_END
    enabled: bool = True

    def __post_init__(self) -> None:
        if not (0 <= self.start <= 23 and 0 <= self.end <= 23):
            raise ValueError(f"quiet hours out of range: {self.start}-{self.end}")

    @classmethod
    def of(cls, start: int | None, end: int | None, enabled: bool | None) -> QuietHours:
        """A seller's stored choice, with the defaults for what they never chose."""
        return cls(
            DEFAULT_START if start is None else start,
            DEFAULT_END if end is None else end,
            True if enabled is None else enabled,
        )

    def covers(self, hour: int) -> bool:
        """Whether the local hour ``hour`` lies inside the window."""
        if not self.enabled or self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


def is_quiet(moment: datetime, timezone: str, hours: QuietHours) -> bool:
    """Whether ``moment`` (aware) falls inside the quiet hours on the wall clock of ``timezone``."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return hours.covers(moment.astimezone(ZoneInfo(timezone)).hour)
