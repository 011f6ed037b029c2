"""The ways records go wrong: typos, other spellings, nicknames, wrong dates of birth, PNC
ids in either form or with a failing check letter. Each has its own small probability so
that matching methods meet every kind of error, none so often that linking is hopeless."""

from __future__ import annotations

import numpy as np

from paramount.contract.identifiers import CHECK_ALPHABET, format_pnc
from paramount.synth.names import POOLS
from paramount.synth.params import SynthParams
from paramount.synth.timeutil import ymd

_KEYS = "qwertyuiopasdfghjklzxcvbnm"


def typo(rng: np.random.Generator, s: str) -> str:
    """One keyboard slip: a dropped, doubled, swapped or replaced letter."""
    if len(s) < 3:
        return s
    i = int(rng.integers(1, len(s) - 1))
    k = int(rng.integers(4))
    if k == 0:
        return s[:i] + s[i + 1 :]
    if k == 1:
        return s[:i] + s[i] + s[i:]
    if k == 2:
        return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
    c = _KEYS[int(rng.integers(len(_KEYS)))]
    return s[:i] + (c.upper() if s[i].isupper() else c) + s[i + 1 :]


def typos(rng: np.random.Generator, values: list, p: float) -> list:
    """Typos in a share `p` of the (non-null) strings; only those few are touched."""
    hit = np.flatnonzero(rng.random(len(values)) < p)
    for i in hit:
        if values[i]:
            values[i] = typo(rng, values[i])
    return values


def vary_names(
    rng: np.random.Generator, idx: np.ndarray, p_variant: float, nick: float = 0.0
) -> np.ndarray:
    """Another spelling for a share of names, a nickname for another share."""
    out = np.asarray(idx).copy()
    u = rng.random(len(out))
    ok = out >= 0
    v = ok & (u < p_variant)
    out[v] = POOLS.variant[out[v]]
    k = ok & (u >= p_variant) & (u < p_variant + nick)
    out[k] = POOLS.nickname[out[k]]
    return out


def dob_errors(rng: np.random.Generator, dob: np.ndarray, p: float) -> np.ndarray:
    """Wrong dates for a share `p`: day and month swapped, a day out, a year out."""
    out = np.asarray(dob).astype(np.int64).copy()
    hit = np.flatnonzero(rng.random(len(out)) < p)
    if not len(hit):
        return out
    y, m, d = ymd(out[hit])
    kind = rng.integers(0, 3, len(hit))
    swap = (kind == 0) & (d <= 12) & (d != m)
    new = out[hit].copy()
    if swap.any():
        s = np.array(
            [
                f"{yy:04d}-{dd:02d}-{mm:02d}"
                for yy, mm, dd in zip(y[swap], m[swap], d[swap], strict=True)
            ],
            dtype="datetime64[D]",
        )
        new[swap] = s.astype(np.int64)
    dayoff = (kind == 1) | ((kind == 0) & ~swap)
    new[dayoff] += rng.choice([-1, 1, 10, -10], size=int(dayoff.sum()))
    yearoff = kind == 2
    new[yearoff] += np.round(rng.choice([-1, 1], size=int(yearoff.sum())) * 365.25).astype(np.int64)
    out[hit] = new
    return out


def pnc_text(rng: np.random.Generator, year: int, serial: int, params: SynthParams) -> str:
    """A PNC id as one record wrote it: short or long form, rarely a failing check letter."""
    text = format_pnc(year, serial, long_form=bool(rng.random() < params.p_pnc_long_form))
    if rng.random() < params.p_pnc_bad_check:
        good = text[-1]
        bad = good
        while bad == good:
            bad = CHECK_ALPHABET[int(rng.integers(len(CHECK_ALPHABET)))]
        text = text[:-1] + bad
    return text
