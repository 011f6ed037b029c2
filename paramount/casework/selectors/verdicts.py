"""Reading verdicts: the rows of `verdicts.csv` (the data contract's "What a force's checkers
found"), one per child row (a child, for one reception) whose current verdict is dated on or
after `since`.

The child's ids, names and date of birth are as the runs' `children.csv` gave them and the
import keeps them (`services.importing`): the ids are every RMS and partner id the child is
known by (`ChildIdentifier`, `;`-separated and sorted, as in `children.csv`), the names and
date of birth the latest run's. `stated_confidence` is the run's own confidence for the row.

No audit here: the one caller, `services.verdicts.export_verdicts`, records the disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone

from paramount.casework.codes import REJECTED
from paramount.casework.models import Case, CaseChild, ChildIdentifier, Force, User
from paramount.casework.selectors.scope import visible_cases
from paramount.contract.tables import VERDICT_COLUMNS, VERDICT_EXTRA_COLUMNS

VERDICT_HEADER: tuple[str, ...] = VERDICT_COLUMNS + VERDICT_EXTRA_COLUMNS


@dataclass(frozen=True)
class VerdictRow:
    case_ref: str
    values: dict[str, str]


def _ids(by_child: dict[int, dict[str, list[str]]], child_id: int, kind: str) -> str:
    return ";".join(sorted(by_child.get(child_id, {}).get(kind, [])))


def _confidence(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def verdict_rows(
    *, force: Force, user: User | None = None, since: date | None = None
) -> list[VerdictRow]:
    """The force's child rows with a current verdict, oldest verdict first. With `user`,
    only the cases they may see (`scope.visible_cases`); without, the whole force (the
    command line)."""
    cases = visible_cases(user) if user is not None else Case.objects.all()
    qs = (
        CaseChild.objects.filter(case__in=cases.filter(force=force))
        .exclude(verdict="")
        .select_related("case", "child", "reception__prisoner", "duplicate_of")
    )
    if since is not None:
        start = timezone.make_aware(datetime.combine(since, time.min))
        qs = qs.filter(verdict_at__gte=start)
    found = list(qs.order_by("verdict_at", "pk"))
    child_ids = {cc.child_id for cc in found} | {
        cc.duplicate_of.child_id for cc in found if cc.duplicate_of is not None
    }
    by_child: dict[int, dict[str, list[str]]] = {}
    for child_id, kind, value in ChildIdentifier.objects.filter(
        force=force,
        child_id__in=child_ids,
        kind__in=(ChildIdentifier.Kind.RMS, ChildIdentifier.Kind.PARTNER),
    ).values_list("child_id", "kind", "value"):
        by_child.setdefault(child_id, {}).setdefault(kind, []).append(value)
    rows = []
    for cc in found:
        child, dup = cc.child, cc.duplicate_of
        born = child.date_of_birth
        values = {
            "booking_id": cc.reception.booking_id,
            "prisoner_number": cc.reception.prisoner.prisoner_number,
            "child_person_ids": _ids(by_child, cc.child_id, ChildIdentifier.Kind.RMS),
            "child_partner_ids": _ids(by_child, cc.child_id, ChildIdentifier.Kind.PARTNER),
            "child_surname": child.surname,
            "child_forenames": child.forenames,
            "child_date_of_birth": born.isoformat() if born else "",
            "verdict": cc.verdict,
            "reason": cc.verdict_reason if cc.verdict == REJECTED else "",
            "checked_on": timezone.localdate(cc.verdict_at).isoformat(),
            "duplicate_of_person_ids": "",
            "duplicate_of_partner_ids": "",
            "stated_confidence": _confidence(cc.confidence),
            "force": force.code,
        }
        if dup is not None:
            values["duplicate_of_person_ids"] = _ids(
                by_child, dup.child_id, ChildIdentifier.Kind.RMS
            )
            values["duplicate_of_partner_ids"] = _ids(
                by_child, dup.child_id, ChildIdentifier.Kind.PARTNER
            )
        rows.append(VerdictRow(case_ref=cc.case.reference, values=values))
    return rows
