"""A case's link chart to download: the i2 Analyst's Notebook exchange file (`.anx`) and
the CSV its import wizard reads, for analysts, checkers and supervisors (`codes.
CHART_EXPORTERS`); each download audited as an export (`selectors.linkchart`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from paramount.casework.selectors.linkchart import chart_source
from paramount.casework.web import linkchart
from paramount.casework.web.views.common import page

_TYPES = {"anx": "application/xml", "csv": "text/csv; charset=utf-8"}


@require_GET
@page
def link_chart(request: HttpRequest, reference: str, fmt: str) -> HttpResponse:
    source = chart_source(request.user, reference, fmt=fmt)
    chart = linkchart.build_chart(source)
    if fmt == "anx":
        body: bytes | str = linkchart.anx_document(chart)
    else:
        body = linkchart.import_csv(chart)
    response = HttpResponse(body, content_type=_TYPES[fmt])
    name = f"{source.case.reference}-link-chart.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
