"""Dates as int32 day numbers (days since 1970-01-01) so whole populations are arrays."""

from __future__ import annotations

from datetime import date

import numpy as np

YEAR = 365.25
FAR_FUTURE = np.int32(2**31 - 1)


def day(d: date) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def years_before(d: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = np.asarray(days).astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, m, dd


def age_on(dob: np.ndarray, on: np.ndarray | int) -> np.ndarray:
    """Age in whole years on a day (birthdays counted by calendar, not by 365.25 days)."""
    by, bm, bd = ymd(dob)
    oy, om, od = ymd(np.broadcast_to(on, np.shape(dob)))
    return oy - by - ((om * 32 + od) < (bm * 32 + bd))


def to_date64(days: np.ndarray) -> np.ndarray:
    return np.asarray(days).astype(np.int64).astype("datetime64[D]")
