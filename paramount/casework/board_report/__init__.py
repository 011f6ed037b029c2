"""The board report: one force's period as HTML and the same as PDF, for a lead to take to a
board (`paramount report`, and the supervisors' button in casework).

The figures come from `selectors.board`; this package only shows them: charts from
matplotlib (`charts.py`), the page from a Django template of its own, the PDF from the same
HTML by WeasyPrint. A board pack may leave the force, so every count from 1 to 4 is shown as
"<5", and a table that shows its total hides one more cell where a hidden count could be
worked out from the rest (`selectors.reports`' complementary suppression).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils import timezone

from paramount.casework.board_report import charts
from paramount.casework.codes import FUNNEL
from paramount.casework.route_words import route_label
from paramount.casework.selectors.board import BandPrecision, BoardFigures
from paramount.casework.selectors.delivery import DeliveryModelFigures, comparison_in_words
from paramount.casework.selectors.reports import protect_counts

SUPPRESS_BELOW = 5
_ENGINE = Engine(dirs=[str(Path(__file__).parent / "templates")], autoescape=True)
_STAGE_WORDS = {
    "identified": "Identified",
    "checked": "Checks completed",
    "allocated": "Allocated to a champion",
    "contacted": "Contact attempted",
    "visited": "Visited",
    "offered": "Support offered",
    "agreed": "Family agreed to referral",
    "referred": "Referred to the charity",
}


@dataclass(frozen=True)
class BoardReport:
    html: Path
    pdf: Path


def small(n: int | None) -> int | None:
    """A count as it may leave the force: None (shown "<5") from 1 to 4."""
    return None if n is not None and 0 < n < SUPPRESS_BELOW else n


def shown(n: int | None) -> str:
    return "<5" if n is None else f"{n:,}"


def share(part: int, whole: int, low: float, high: float) -> str:
    """A share as "k of n (share; interval)", or the counts alone where n is under 5 (a
    share of so few would give the count away and mean little)."""
    if not whole:
        return "none"
    if small(whole) is None:
        return f"{shown(small(part))} of <5"
    return (f"{shown(small(part))} of {whole:,} ({part / whole:.0%}; "
            f"95 % interval {low:.0%} to {high:.0%})")


def delivery_rows(figures: list[DeliveryModelFigures]) -> list[dict[str, str]]:
    """The delivery models compared, suppressed: models with no allocated case left out."""
    rows = []
    for f in figures:
        if not f.cases:
            continue
        if f.median_days is None or small(f.contacted) is None:
            days = "fewer than 5 families contacted" if f.contacted else "none contacted"
        elif f.median_low is None:
            days = f"{f.median_days:g} ({f.contacted:,} families)"
        else:
            days = (f"{f.median_days:g} ({f.contacted:,} families; 95 % interval "
                    f"{f.median_low:g} to {f.median_high:g})")
        rows.append({
            "label": f.label,
            "cases": shown(small(f.cases)),
            "reached": share(f.reached, f.cases, f.reached_low, f.reached_high),
            "accepted": share(f.accepted, f.offered, f.accepted_low, f.accepted_high),
            "days": days,
        })
    return rows


def _share_shown(band: BandPrecision) -> bool:
    """A band's measured share is shown only when neither the confirmed nor the rejected
    count is under 5: a share of 7 with 4 confirmed would give the 4 away."""
    rejected = band.judged - band.confirmed
    return small(band.confirmed) is not None and small(rejected) is not None


def _partition(counts: dict[str, int]) -> tuple[dict[str, int | None], bool]:
    return protect_counts(counts, SUPPRESS_BELOW)


def context(figures: BoardFigures) -> dict[str, Any]:
    """Everything the template shows, suppressed: text and SVG, no raw small count."""
    months, month_total_safe = _partition(figures.identified_by_month)
    baseline = {m: small(n) for m, n in figures.baseline_by_month.items()}
    receptions = {m: small(n) for m, n in figures.receptions_by_month.items()}
    outcomes, _ = _partition(figures.outcomes)  # no total of outcomes is shown
    routes = {k: small(v) for k, v in figures.routes.items()}
    funnel = {k: small(v) for k, v in figures.funnel.items()}
    identified_cases = figures.funnel.get(FUNNEL[0][0], 0)
    contact = [(a.lpa, a.median_days, small(a.cases)) for a in figures.first_contact]
    precision_rows = [
        {
            "band": b.label,
            "judged": shown(small(b.judged)),
            "confirmed": shown(small(b.confirmed)),
            "stated": f"{b.stated:.0%}",
            "measured": f"{b.measured:.0%}" if _share_shown(b) else "—",
            "interval": (
                f"{b.interval[0]:.0%} to {b.interval[1]:.0%}" if _share_shown(b) else "—"
            ),
        }
        for b in figures.precision
    ]
    plotted = [b for b in figures.precision if _share_shown(b)]
    baseline_total = figures.baseline
    return {
        "f": figures,
        "generated": timezone.localtime().strftime("%d %B %Y %H:%M"),
        "threshold": SUPPRESS_BELOW,
        "key": {
            "identified": shown(small(figures.identified)) if month_total_safe else "<5",
            "baseline": "not known" if baseline_total is None else shown(small(baseline_total)),
            "receptions": shown(small(sum(n for n in figures.receptions_by_month.values()
                                          if n is not None))),
            "cases": shown(small(identified_cases)),
            "referred": shown(funnel.get("referred")),
            "median_days": (
                "no contact yet" if figures.first_contact[-1].median_days is None
                else f"{figures.first_contact[-1].median_days:g}"
            ),
            "rejected": (
                "fewer than 5" if small(figures.rejected) is None else f"{figures.rejected:,}"
            ),
        },
        "months": [
            (
                m,
                shown(months[m]),
                "not known" if figures.baseline_by_month[m] is None else shown(baseline[m]),
                "not known" if figures.receptions_by_month[m] is None else shown(receptions[m]),
            )
            for m in figures.months
        ],
        "monthly_chart": charts.monthly_chart(
            figures.months, [months[m] for m in figures.months],
            [baseline[m] for m in figures.months],
        ),
        "routes": [(route_label(k), shown(v)) for k, v in routes.items()],
        "routes_chart": charts.horizontal_chart(
            "Children found by each route", [route_label(k) for k in routes],
            list(routes.values()), "Children (a child found by two routes counts in both)",
        ) if routes else "",
        "funnel": [
            (_STAGE_WORDS[k], shown(v),
             f"{figures.funnel[k] / identified_cases:.0%}" if identified_cases and v is not None
             else "—")
            for k, v in funnel.items()
        ],
        "funnel_chart": charts.horizontal_chart(
            "From identified to referred (families)", [_STAGE_WORDS[k] for k in funnel],
            list(funnel.values()), "Families (cases) reaching each stage",
        ),
        # a median of fewer than 5 families would say too much about each of them
        "contact": [
            (lpa, "—" if d is None or n is None else f"{d:g}", shown(n)) for lpa, d, n in contact
        ],
        "contact_chart": charts.days_chart(
            [c[0] for c in contact], [None if c[2] is None else c[1] for c in contact],
            [c[2] for c in contact],
        ),
        "outcomes": [(k, shown(v)) for k, v in outcomes.items()],
        "outcomes_chart": charts.horizontal_chart(
            "Outcomes of closed cases", list(outcomes), list(outcomes.values()), "Closed cases",
        ) if outcomes else "",
        "precision": precision_rows,
        "precision_chart": charts.precision_chart(
            [b.label for b in plotted], [b.stated for b in plotted],
            [b.measured for b in plotted], [b.interval for b in plotted],
        ) if plotted else "",
        "delivery": delivery_rows(figures.delivery),
        "delivery_words": comparison_in_words(figures.delivery),
        "delivery_chart": _delivery_chart(figures.delivery),
    }


def _delivery_chart(figures: list[DeliveryModelFigures]) -> str:
    """Median days to first contact by delivery model (none drawn under 5 families)."""
    used = [f for f in figures if f.cases]
    if not used:
        return ""
    return charts.days_chart(
        [f.label for f in used],
        [None if small(f.contacted) is None else f.median_days for f in used],
        [small(f.contacted) for f in used],
        title="Time to first contact, by delivery model",
    )


def render_html(figures: BoardFigures) -> str:
    return _ENGINE.get_template("board_report/report.html").render(Context(context(figures)))


def render_pdf(html: str) -> bytes:
    """The same page as PDF (WeasyPrint; imported here, as it loads the system's Pango).
    Its notes on fonts and CSS are for developers, not for the person making a report."""
    from weasyprint import HTML

    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return HTML(string=html).write_pdf()


def write_board_report(figures: BoardFigures, out_dir: Path) -> BoardReport:
    """Write `board-report-<force>-<from>-<to>.html` and `.pdf` into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"board-report-{figures.force_code}-{figures.date_from}-{figures.date_to}"
    html = render_html(figures)
    html_path, pdf_path = out_dir / f"{stem}.html", out_dir / f"{stem}.pdf"
    html_path.write_text(html, encoding="utf-8")
    pdf_path.write_bytes(render_pdf(html))
    return BoardReport(html=html_path, pdf=pdf_path)
