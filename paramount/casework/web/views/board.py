"""The supervisors' and analysts' button for the board report: the same PDF as
`paramount report`, for their force and a period they choose (by default the last twelve
whole months)."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from paramount.casework.board_report import render_html, render_pdf
from paramount.casework.selectors.board import board_figures
from paramount.casework.web.views.common import page


def default_period(today: date) -> tuple[date, date]:
    """The last twelve whole months before this one."""
    end = today.replace(day=1) - timedelta(days=1)
    month = end.month - 11
    start = date(end.year, month, 1) if month >= 1 else date(end.year - 1, month + 12, 1)
    return start, end


def _period(request: HttpRequest) -> tuple[date, date] | None:
    start, end = default_period(timezone.localdate())
    try:
        if request.GET.get("from"):
            start = date.fromisoformat(request.GET["from"])
        if request.GET.get("to"):
            end = date.fromisoformat(request.GET["to"])
    except ValueError:
        return None
    return (start, end) if start <= end else None


@require_GET
@page
def board_report_pdf(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    if period is None:
        return HttpResponse(
            "The period must be two dates (YYYY-MM-DD), the first not after the second.",
            status=400, content_type="text/plain; charset=utf-8",
        )
    figures = board_figures(request.user, *period)  # refused and audited for other roles
    name = f"board-report-{figures.force_code}-{period[0]}-{period[1]}.pdf"
    response = HttpResponse(render_pdf(render_html(figures)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
