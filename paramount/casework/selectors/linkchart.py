"""Reading a case for its link chart (the i2 Analyst's Notebook `.anx` file and the import
wizard's CSV, `web.linkchart`): who may (`codes.CHART_EXPORTERS`, within their scope), the
rows it is drawn from (never a rejected child), and the audit record of the export, written
as the read happens, so what is logged is what left."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from paramount.casework.codes import CHART_EXPORTERS, REJECTED, AuditAction
from paramount.casework.models import Case, CaseChild, ChildIdentifier, User
from paramount.casework.selectors.scope import visible_cases
from paramount.casework.services.audit import audit

FORMATS = ("anx", "csv")


@dataclass
class ChartSource:
    """What a chart is drawn from: the case, its children's rows for every reception
    (rejected children left out) and each child's police (RMS) person ids."""

    case: Case
    rows: list[CaseChild]
    person_ids: dict[int, list[str]]  # child id -> RMS person ids, sorted


def may_export_chart(user: User) -> bool:
    return user.is_active and user.role in CHART_EXPORTERS and user.force_id is not None


def chart_source(user: User, reference: str, *, fmt: str) -> ChartSource:
    """The case's chart rows for `user`, audited as an export of personal data in `fmt`;
    a role that may not export is refused (403), a case out of scope is missing (404),
    each refusal audited."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}")
    if not may_export_chart(user):
        audit(
            user,
            AuditAction.REFUSED,
            "link_chart",
            object_ref=str(reference)[:64],
            detail={"selector": "chart_source", "format": fmt},
        )
        raise PermissionDenied("Your role cannot export link charts.")
    case = visible_cases(user).select_related("force").filter(reference=reference).first()
    if case is None:
        audit(
            user,
            AuditAction.REFUSED,
            "link_chart",
            object_ref=str(reference)[:64],
            detail={"selector": "chart_source", "format": fmt},
        )
        raise Case.DoesNotExist("No such case.")
    rows = list(
        case.case_children.exclude(verdict=REJECTED)
        .select_related("child", "reception__prisoner")
        .order_by("pk")
    )
    person_ids: dict[int, list[str]] = {}
    identifiers = ChildIdentifier.objects.filter(
        child_id__in={cc.child_id for cc in rows}, kind=ChildIdentifier.Kind.RMS
    ).order_by("value")
    for child_id, value in identifiers.values_list("child_id", "value"):
        person_ids.setdefault(child_id, []).append(value)
    audit(
        user,
        AuditAction.EXPORT,
        "link_chart",
        case_ref=case.reference,
        recipient=f"{case.reference}-link-chart.{fmt}",
        detail={
            "selector": "chart_source",
            "format": fmt,
            "children": sorted({cc.child.pseudonym for cc in rows}),
            "rows": len(rows),
        },
    )
    return ChartSource(case=case, rows=rows, person_ids=person_ids)
