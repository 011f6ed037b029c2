"""The lead's dashboard (funnel, days to first contact by area and champion, as charts and
tables) and the evaluator's pseudonymised aggregates."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from paramount.casework.codes import FUNNEL, Outcome, Role
from paramount.casework.selectors import cases as case_selectors
from paramount.casework.selectors import delivery, reports
from paramount.casework.selectors.delivery import DeliveryModelFigures
from paramount.casework.services import evaluation_extract, verdicts
from paramount.casework.web import pictures
from paramount.casework.web.rendering import render
from paramount.casework.web.views.board import default_period
from paramount.casework.web.views.cases import overdue_counts
from paramount.casework.web.views.common import page


def _stage_rows(stages: dict[str, int]) -> list[dict]:
    first = stages.get(FUNNEL[0][0]) or 0
    rows, previous = [], None
    for stage, _code in FUNNEL:
        value = stages.get(stage)
        rows.append(
            {
                "stage": stage.capitalize(),
                "cases": value,
                "of_identified": f"{round(100 * value / first)}%"
                if first and value is not None
                else "",
                "of_previous": f"{round(100 * value / previous)}%"
                if previous and value is not None
                else "",
            }
        )
        previous = value
    return rows


def _share(part: int, whole: int, low: float, high: float, none: str) -> str:
    if not whole:
        return none
    return (f"{part} of {whole} ({round(100 * part / whole)}%; "
            f"95% interval {round(100 * low)}% to {round(100 * high)}%)")


def _days(f: DeliveryModelFigures) -> str:
    if f.median_days is None:
        return "No contact yet"
    text = f"{f.median_days:g} days over {f.contacted} case{'' if f.contacted == 1 else 's'}"
    if f.median_low is None:
        return text + " (too few for an interval)"
    return text + f" (95% interval {f.median_low:g} to {f.median_high:g})"


@require_GET
@page
def dashboard(request: HttpRequest) -> HttpResponse:
    funnel = reports.funnel(request.user)
    times = reports.time_to_first_contact(request.user)
    models = delivery.compare_delivery_models(request.user)
    delivery_rows = [
        {
            "label": f.label,
            "cases": f.cases,
            "reached": _share(f.reached, f.cases, f.reached_low, f.reached_high, "No cases"),
            "accepted": _share(f.accepted, f.offered, f.accepted_low, f.accepted_high,
                               "No offer yet"),
            "days": _days(f),
        }
        for f in models
    ]
    rows = _stage_rows(funnel.stages)
    funnel_chart = pictures.bar_chart(
        [(r["stage"], r["cases"]) for r in rows],
        title="Cases reaching each stage",
        description="; ".join(f"{r['stage']}: {r['cases']}" for r in rows),
    )
    area_rows = [(k or "No area", v["median_days"]) for k, v in times.by_lpa.items()]
    champion_rows = [(k, v["median_days"]) for k, v in times.by_champion.items()]
    area_chart = pictures.bar_chart(
        area_rows,
        unit=" days",
        title="Median days from reception to first contact, by area",
        description="; ".join(f"{k}: {v} days" for k, v in area_rows) or "No contact yet.",
    )
    champion_chart = pictures.bar_chart(
        champion_rows,
        unit=" days",
        title="Median days from reception to first contact, by champion",
        description="; ".join(f"{k}: {v} days" for k, v in champion_rows) or "No contact yet.",
    )
    outcomes = [(Outcome(k).label if k in Outcome.values else k, v)
                for k, v in sorted(funnel.outcomes.items())]
    overdue = None
    if request.user.has_role(Role.SUPERVISOR):
        items = case_selectors.overdue_cases(request.user)
        overdue = {"total": len(items), **overdue_counts(items),
                   "longest": max((c.days_waited for c in items), default=0)}
    board_from, board_to = default_period(timezone.localdate())
    return render(request, "reports/dashboard.html", {
        "board_from": board_from, "board_to": board_to,
        "may_export_verdicts": verdicts.may_export_verdicts(request.user),
        "overdue": overdue,
        "funnel": funnel, "rows": rows, "funnel_chart": funnel_chart, "times": times,
        "area_chart": area_chart if area_rows else None,
        "champion_chart": champion_chart if champion_rows else None,
        "outcomes": outcomes,
        "by_lpa": [(k or "No area", [v.get(stage) for stage, _ in FUNNEL])
                   for k, v in funnel.by_lpa.items()],
        "stages": [s.capitalize() for s, _ in FUNNEL],
        "delivery_rows": delivery_rows,
        "delivery_words": delivery.comparison_in_words(models),
    })


AGE_LABELS = {"0-4": "0 to 4", "5-11": "5 to 11", "12-17": "12 to 17", "unknown": "Not known"}
SEX_LABELS = {"F": "Female", "M": "Male", "U": "Not known", "unknown": "Not recorded"}


@require_GET
@page
def evaluation(request: HttpRequest) -> HttpResponse:
    summary = reports.evaluator_summary(request.user)
    stage_rows = [(k.capitalize(), v) for k, v in summary["stages"].items()]
    chart = pictures.bar_chart(
        [(k, v) for k, v in stage_rows],
        title="Cases reaching each stage",
        description="; ".join(f"{k}: {'hidden' if v is None else v}" for k, v in stage_rows),
        missing="hidden",
    )
    # (title, unit, rows, total): each table's rows add up to its total.
    tables = [
        (
            "Outcomes of closed cases",
            "Closed cases",
            [
                (Outcome(k).label if k in Outcome.values else k, v)
                for k, v in summary["outcomes"].items()
            ],
            summary["closed"],
        ),
        ("Cases by area", "Cases", list(summary["by_lpa"].items()), summary["cases"]),
        (
            "Children by age band when first identified",
            "Children",
            [(AGE_LABELS.get(k, k), v) for k, v in summary["children_by_age_band"].items()],
            summary["children"],
        ),
        (
            "Children by sex",
            "Children",
            [(SEX_LABELS.get(k, k), v) for k, v in summary["children_by_sex"].items()],
            summary["children"],
        ),
        (
            "Children by month first identified",
            "Children",
            list(summary["children_by_month_identified"].items()),
            summary["children"],
        ),
    ]
    return render(
        request,
        "reports/evaluation.html",
        {
            "s": summary,
            "stage_rows": stage_rows,
            "chart": chart,
            "tables": tables,
            "extract_offered": bool(settings.PARAMOUNT_EVALUATION_KEY_FILE),
            "k": evaluation_extract.K,
        },
    )


@require_GET
@page
def evaluation_download(request: HttpRequest) -> HttpResponse:
    """The evaluator's extract and its data dictionary, as one zip, under the evaluation key
    the force set up (`PARAMOUNT_EVALUATION_KEY_FILE`); audited as a disclosure. Any other
    role is refused (and the refusal recorded by the 403 handler)."""
    user = request.user
    if not evaluation_extract.may_export_evaluation(user):
        raise PermissionDenied("Only the force's evaluator takes the evaluation extract.")
    key_file = settings.PARAMOUNT_EVALUATION_KEY_FILE
    if not key_file:
        return render(request, "404.html", status=404)
    try:
        key = evaluation_extract.read_key_file(Path(key_file), user.force)
    except ValidationError as error:
        raise PermissionDenied("The evaluation key is not set up for your force.") from error
    stem = f"evaluation-{user.force.code}-{timezone.localdate():%Y-%m-%d}"
    rows, dictionary = io.StringIO(), io.StringIO()
    evaluation_extract.export_evaluation(rows, dictionary, force=user.force, key=key,
                                         user=user, destination=f"{stem}.zip")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.csv", rows.getvalue())
        archive.writestr(f"{stem}-dictionary.md", dictionary.getvalue())
    response = HttpResponse(packed.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{stem}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@page
def verdicts_csv(request: HttpRequest) -> HttpResponse:
    """The force's verdicts as `verdicts.csv` (the same file as `paramount casework
    export-verdicts`), for an analyst or supervisor; audited as a disclosure."""
    user = request.user
    if not verdicts.may_export_verdicts(user):
        raise PermissionDenied("Your role cannot export the force's verdicts.")
    name = f"verdicts-{user.force.code}-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    verdicts.export_verdicts(response, force=user.force, user=user, destination=name)
    return response
