"""The board report's charts: matplotlib figures as SVG, readable in black and white.

Every chart has a title, labelled axes and its numbers written on it, and tells its series
apart by hatching and shades of grey rather than colour alone, since a board pack is often
printed on a black-and-white printer. A hidden (suppressed) count is drawn as no bar with
"<5" where the bar would be, never as a zero.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

DARK, MID, LIGHT = "#222222", "#777777", "#cccccc"
HIDDEN = "<5"
_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",  # the same glyphs in any viewer and in the PDF
    "svg.hashsalt": "paramount",  # the same ids, so the same figures give the same file
    "hatch.linewidth": 0.6,
}


def _svg(figure: Figure) -> str:
    """The chart as a `data:` URI of its SVG, for an `<img>`: each chart stays a document of
    its own (its element ids cannot clash with another chart's), which browsers and
    WeasyPrint both draw as vectors."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _label_bars(axes: Axes, positions: Sequence[float], values: Sequence[int | None],
                horizontal: bool = False) -> None:
    """Write each bar's count at its end (or "<5" where the count is hidden)."""
    for position, value in zip(positions, values, strict=True):
        text = HIDDEN if value is None else f"{value:,}"
        end = 0 if value is None else value
        if horizontal:
            axes.annotate(text, (end, position), xytext=(3, 0), textcoords="offset points",
                          va="center", fontsize=8)
        else:
            axes.annotate(text, (position, end), xytext=(0, 2), textcoords="offset points",
                          ha="center", fontsize=8)


def _heights(values: Sequence[int | None]) -> list[int]:
    return [0 if v is None else v for v in values]


def _count_axis(axes: Axes, values: Sequence[int | None], *, horizontal: bool) -> None:
    """A count axis from 0, in whole numbers, long enough for its labels even when every
    count is hidden (then there is nothing to scale it by but the threshold)."""
    top = max([*_heights(values), 5]) * 1.15
    axis = axes.xaxis if horizontal else axes.yaxis
    axis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    if horizontal:
        axes.set_xlim(0, top)
    else:
        axes.set_ylim(0, top)


def monthly_chart(
    months: Sequence[str], found: Sequence[int | None], baseline: Sequence[int | None]
) -> str:
    """Children identified each month beside what the original process would have found."""
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(7.2, 3.0))
        x = list(range(len(months)))
        width = 0.4
        left = [i - width / 2 for i in x]
        right = [i + width / 2 for i in x]
        axes.bar(left, _heights(found), width, color=DARK, edgecolor=DARK,
                 label="Paramount (children identified)")
        axes.bar(right, _heights(baseline), width, color="white", edgecolor=DARK, hatch="///",
                 label="Original process (same receptions)")
        _label_bars(axes, left, found)
        _label_bars(axes, right, baseline)
        _count_axis(axes, [*found, *baseline], horizontal=False)
        axes.set_xticks(x, [m[2:] if len(months) > 6 else m for m in months], rotation=0)
        axes.set_xlabel("Month the parent or carer was received (YY-MM)")
        axes.set_ylabel("Children")
        axes.set_title("Children identified by month")
        axes.legend(frameon=False, loc="upper left", fontsize=8)
        return _svg(figure)


def horizontal_chart(title: str, labels: Sequence[str], values: Sequence[int | None],
                     xlabel: str) -> str:
    """One horizontal bar per label (routes, funnel stages, outcomes), top to bottom."""
    with plt.rc_context(_STYLE):
        height = 0.9 + 0.32 * max(len(labels), 1)
        figure, axes = plt.subplots(figsize=(7.2, height))
        y = list(range(len(labels)))[::-1]
        axes.barh(y, _heights(values), 0.6, color=MID, edgecolor=DARK)
        _label_bars(axes, y, values, horizontal=True)
        axes.set_yticks(y, labels)
        _count_axis(axes, values, horizontal=True)
        axes.set_xlabel(xlabel)
        axes.set_title(title)
        return _svg(figure)


def days_chart(labels: Sequence[str], medians: Sequence[float | None],
               counts: Sequence[int | None], title: str = "Time to first contact") -> str:
    """Median days from reception to first contact, one bar per area or delivery model,
    each labelled with its median and the number of families behind it; no median is drawn
    for fewer than 5 families (`counts` None)."""
    with plt.rc_context(_STYLE):
        height = 0.9 + 0.32 * max(len(labels), 1)
        figure, axes = plt.subplots(figsize=(7.2, height))
        y = list(range(len(labels)))[::-1]
        axes.barh(y, [m or 0 for m in medians], 0.6, color=LIGHT, edgecolor=DARK, hatch="..")
        for position, value, n in zip(y, medians, counts, strict=True):
            text = (
                "fewer than 5 families" if n is None
                else "none contacted" if value is None
                else f"{value:g} days ({n:,} families)"
            )
            axes.annotate(text, (value or 0, position), xytext=(3, 0),
                          textcoords="offset points", va="center", fontsize=8)
        axes.set_yticks(y, labels)
        axes.set_xlabel("Median days from reception to first contact")
        axes.set_title(title)
        axes.margins(x=0.35)
        return _svg(figure)


def precision_chart(labels: Sequence[str], stated: Sequence[float],
                    measured: Sequence[float], intervals: Sequence[tuple[float, float]]) -> str:
    """The share of judged children the checkers confirmed in each band of stated confidence,
    with its 95 % interval, beside what the list stated."""
    with plt.rc_context(_STYLE):
        figure, axes = plt.subplots(figsize=(7.2, 3.0))
        x = list(range(len(labels)))
        errors = [
            [m - lo for m, (lo, _) in zip(measured, intervals, strict=True)],
            [hi - m for m, (_, hi) in zip(measured, intervals, strict=True)],
        ]
        axes.bar(x, measured, 0.5, color=MID, edgecolor=DARK, yerr=errors, capsize=4,
                 ecolor=DARK, label="Confirmed by checkers (95 % interval)")
        axes.plot(x, stated, linestyle="none", marker="D", color=DARK, markerfacecolor="white",
                  label="Confidence the list stated")
        for i, value in zip(x, measured, strict=True):
            axes.annotate(f"{value:.0%}", (i, value), xytext=(10, -12),
                          textcoords="offset points", fontsize=8)
        axes.set_xticks(x, labels)
        axes.set_ylim(0, 1.08)
        axes.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        axes.set_xlabel("Confidence the list stated (band)")
        axes.set_ylabel("Share right")
        axes.set_title("How often the list was right, by the force's own checks")
        axes.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2,
                    fontsize=8)
        return _svg(figure)
