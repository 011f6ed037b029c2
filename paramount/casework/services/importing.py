"""Import an identification run (`OUT/children.csv`, `OUT/review.csv`, `OUT/manifest.json`,
`OUT/figures.csv`).

Idempotent by construction: a child is found again by any of its identifiers, a reception by
prisoner and booking, and a child appears once per reception (`CaseChild` is unique on
both). Importing the same folder twice, or a run whose window overlaps an earlier one,
updates the evidence of what is already there and opens no second case. A new reception of
a child already known joins the child's open case, or opens a new case that the child's
earlier ones stand beside as history. Review-list rows become review tasks for analysts,
once each. The run's counts per reception day replace the force's for the days it covers.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from paramount.casework.codes import OPEN_STATES, AuditAction, EventCode
from paramount.casework.models import (
    LPA,
    Case,
    CaseChild,
    Child,
    ChildIdentifier,
    DayFigure,
    Force,
    IdentificationRun,
    Prisoner,
    Reception,
    ReviewTask,
    User,
)
from paramount.casework.services.audit import audit, audit_many
from paramount.casework.services.events import record_event

# The contract's columns (paramount.contract.tables.CHILDREN_COLUMNS); carer_* and any other
# columns the engine adds are kept too.
REQUIRED = ("prisoner_number", "booking_id", "child_person_ids", "child_partner_ids")
_CASE_CHILD_FIELDS = (
    "relationship", "confidence", "evidence", "sources", "address", "postcode", "lpa_code",
    "child_age", "carer", "extra",
)


@dataclass
class ImportResult:
    run: IdentificationRun
    already_imported: bool
    counts: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        c = self.counts
        return (
            f"{c['rows']} rows: {c['cases_opened']} new cases, {c['children_added']} children "
            f"added to cases, {c['receptions_linked']} linked to a child's open case, "
            f"{c['updated']} updated, {c['unchanged']} unchanged; {c['review_tasks']} new "
            f"review tasks ({c['review_rows']} review rows)."
        )


def _norm(text: str | None) -> str:
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper())


def _ids(value: str | None) -> list[str]:
    return sorted({v.strip() for v in (value or "").split(";") if v.strip()})


def _date(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    number = _float(value)
    return int(number) if number is not None and number >= 0 else None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def child_identifiers(row: dict[str, str]) -> list[tuple[str, str]]:
    """How a row's child may be recognised: RMS ids, partner ids, and name with date of
    birth (or, for a child known only as a prisoner's contact, name with the prisoner)."""
    keys = [(ChildIdentifier.Kind.RMS, v) for v in _ids(row.get("child_person_ids"))]
    keys += [(ChildIdentifier.Kind.PARTNER, v) for v in _ids(row.get("child_partner_ids"))]
    surname = _norm(row.get("child_surname"))
    forename = _norm((row.get("child_forenames") or "").split(" ")[0])
    dob = _date(row.get("child_date_of_birth"))
    if surname and dob:
        keys.append((ChildIdentifier.Kind.NAME_DOB, f"{surname}|{forename}|{dob.isoformat()}"))
    elif surname and not keys:
        prisoner = (row.get("prisoner_number") or "").strip().upper()
        keys.append((ChildIdentifier.Kind.NAME_DOB, f"{surname}|{forename}|prisoner:{prisoner}"))
    return keys


def household_key(row: dict[str, str], child: Child) -> str:
    """The family's household, hashed: the address if known, else the carer, else the child
    alone."""
    address, postcode = _norm(row.get("address")), _norm(row.get("postcode"))
    carer = _ids(row.get("carer_person_ids")) or _ids(row.get("carer_partner_ids"))
    if postcode and address:
        basis = f"address:{address}|{postcode}"
    elif carer:
        basis = f"carer:{';'.join(carer)}"
    else:
        basis = f"child:{child.pk}"
    return hashlib.sha256(basis.encode()).hexdigest()


def _review_key(row: dict[str, str]) -> str:
    ids = [f"{k}={v}" for k, v in child_identifiers(row)]
    basis = "|".join([(row.get("booking_id") or "").strip(), *sorted(ids)])
    return hashlib.sha256(basis.encode()).hexdigest()


class Importer:
    """One import into one force; `import_row` is also how an accepted review task becomes a
    case."""

    def __init__(self, force: Force, run: IdentificationRun | None, user: User | None) -> None:
        self.force = force
        self.run = run
        self.user = user
        self.counts: Counter = Counter()
        self.lpas: dict[str, LPA] = {lpa.code: lpa for lpa in force.lpas.all()}
        self.touched: list[tuple[str, str]] = []

    def lpa(self, code: str | None, name: str | None = None) -> LPA | None:
        """The force's LPA of that code, made on first sight (named from `lpa_name`)."""
        code = (code or "").strip()[:32]
        if not code:
            return None
        if code not in self.lpas:
            self.lpas[code], _ = LPA.objects.get_or_create(force=self.force, code=code)
        lpa = self.lpas[code]
        name = (name or "").strip()[:200]
        if name and not lpa.name:
            lpa.name = name
            lpa.save(update_fields=["name"])
        return lpa

    def find_child(self, row: dict[str, str]) -> tuple[Child, list[str]]:
        """The row's child: an existing one sharing any identifier (lowest id if several,
        the others returned as possible duplicates), or a new one."""
        keys = child_identifiers(row)
        if not keys:
            raise ValidationError("A row has no way to recognise its child.")
        matches = ChildIdentifier.objects.filter(force=self.force).filter(
            _any_identifier(keys)
        ).select_related("child")
        found = sorted({m.child for m in matches}, key=lambda c: c.pk)
        if found:
            child, others = found[0], [c.pseudonym for c in found[1:]]
        else:
            child, others = Child(force=self.force), []
        child.surname = (row.get("child_surname") or child.surname or "").strip()
        child.forenames = (row.get("child_forenames") or child.forenames or "").strip()
        child.date_of_birth = _date(row.get("child_date_of_birth")) or child.date_of_birth
        child.sex = (row.get("child_sex") or child.sex or "").strip()[:8]
        child.address = (row.get("address") or child.address or "").strip()
        child.postcode = (row.get("postcode") or child.postcode or "").strip()
        child.lpa = self.lpa(row.get("lpa"), row.get("lpa_name")) or child.lpa
        child.save()
        taken = {
            (m.kind, m.value) for m in matches
        }
        for kind, value in keys:
            if (kind, value) not in taken:
                ChildIdentifier.objects.get_or_create(
                    force=self.force, kind=kind, value=value, defaults={"child": child}
                )
        return child, others

    def reception(self, row: dict[str, str]) -> Reception:
        number = (row.get("prisoner_number") or "").strip().upper()
        booking = (row.get("booking_id") or "").strip()
        if not number or not booking:
            raise ValidationError("A row has no prisoner number or booking.")
        prisoner, _ = Prisoner.objects.get_or_create(force=self.force, prisoner_number=number)
        parents = ";".join(_ids(row.get("parent_person_ids")))
        if parents and prisoner.parent_person_ids != parents:
            prisoner.parent_person_ids = parents
            prisoner.save(update_fields=["parent_person_ids"])
        reception, _ = Reception.objects.get_or_create(
            prisoner=prisoner,
            booking_id=booking,
            defaults={"reception_date": _date(row.get("reception_date"))},
        )
        return reception

    @staticmethod
    def case_child_values(row: dict[str, str]) -> dict[str, Any]:
        known = {
            "child_person_ids", "child_partner_ids", "child_surname", "child_forenames",
            "child_date_of_birth", "child_sex", "child_age", "prisoner_number", "booking_id",
            "reception_date", "parent_person_ids", "relationship", "confidence", "evidence",
            "sources", "address", "postcode", "lpa",
        }
        carer = {k: v for k, v in row.items() if k.startswith("carer_") and v}
        extra = {k: v for k, v in row.items() if k not in known and k not in carer and v}
        return {
            "relationship": (row.get("relationship") or "").strip()[:32],
            "confidence": _float(row.get("confidence")),
            "evidence": (row.get("evidence") or "").strip(),
            "sources": (row.get("sources") or "").strip()[:300],
            "address": (row.get("address") or "").strip()[:500],
            "postcode": (row.get("postcode") or "").strip()[:16],
            "lpa_code": (row.get("lpa") or "").strip()[:32],
            "child_age": _int(row.get("child_age")),
            "carer": carer,
            "extra": extra,
        }

    def import_row(self, row: dict[str, str]) -> CaseChild:
        """Place one row: update it where it already is, else join the child's open case,
        else join the household's case for this reception, else open a case."""
        self.counts["rows"] += 1
        child, duplicates = self.find_child(row)
        reception = self.reception(row)
        values = self.case_child_values(row)
        existing = (
            CaseChild.objects.filter(child=child, reception=reception).select_related("case")
            .first()
        )
        if existing is not None:
            changed = [f for f in _CASE_CHILD_FIELDS if getattr(existing, f) != values[f]]
            for name in changed:
                setattr(existing, name, values[name])
            existing.last_run = self.run
            existing.save()
            if changed:
                self.counts["updated"] += 1
                record_event(
                    existing.case, EventCode.EVIDENCE_UPDATED, self.user,
                    payload={"child": child.pseudonym, "fields": changed, "run": _run_id(self.run)},
                )
            else:
                self.counts["unchanged"] += 1
            self.touched.append((existing.case.reference, child.pseudonym))
            return existing

        payload: dict[str, Any] = {
            "child": child.pseudonym,
            "prisoner_number": reception.prisoner.prisoner_number,
            "booking_id": reception.booking_id,
            "run": _run_id(self.run),
        }
        if duplicates:
            payload["possible_duplicate_children"] = duplicates
        open_case = (
            Case.objects.filter(
                force=self.force, state__in=OPEN_STATES, case_children__child=child
            ).order_by("opened_at").first()
        )
        key = household_key(row, child)
        if open_case is not None:
            case, code = open_case, EventCode.RECEPTION_LINKED
            self.counts["receptions_linked"] += 1
        else:
            case = (
                Case.objects.filter(
                    force=self.force, state__in=OPEN_STATES, household_key=key,
                    case_children__reception=reception,
                ).order_by("opened_at").first()
            )
            if case is not None:
                code = EventCode.CHILD_ADDED
                self.counts["children_added"] += 1
            else:
                history = list(
                    Case.objects.filter(case_children__child=child)
                    .values_list("reference", flat=True).distinct()
                )
                case = Case.objects.create(
                    force=self.force,
                    # where the child lives; else where the prisoner lived, which is where
                    # the family most likely is: a case with no area reaches no area's team
                    lpa=self.lpa(row.get("lpa") or row.get("prisoner_lpa")),
                    household_key=key,
                    carer=values["carer"],
                    review_date=timezone.localdate()
                    + timedelta(days=settings.PARAMOUNT_OPEN_REVIEW_DAYS),
                )
                code = EventCode.CASE_OPENED
                if history:
                    payload["previous_cases"] = history
                self.counts["cases_opened"] += 1
        case_child = CaseChild.objects.create(
            case=case, child=child, reception=reception, first_run=self.run,
            last_run=self.run, **values,
        )
        if not case.carer and values["carer"]:
            case.carer = values["carer"]
            case.save(update_fields=["carer", "updated_at"])
        record_event(case, code, self.user, payload=payload, audit_action=AuditAction.COLLECT)
        self.touched.append((case.reference, child.pseudonym))
        return case_child

    def import_review_row(self, row: dict[str, str]) -> bool:
        """A review-list row as an analyst's task, once per reception and child."""
        self.counts["review_rows"] += 1
        _, created = ReviewTask.objects.get_or_create(
            force=self.force,
            key=_review_key(row),
            defaults={
                "run": self.run,
                "lpa_code": (row.get("lpa") or "").strip()[:32],
                "prisoner_number": (row.get("prisoner_number") or "").strip()[:16],
                "booking_id": (row.get("booking_id") or "").strip()[:64],
                "reception_date": _date(row.get("reception_date")),
                "confidence": _float(row.get("confidence")),
                "evidence": (row.get("evidence") or "").strip(),
                "sources": (row.get("sources") or "").strip()[:300],
                "row": row,
            },
        )
        if created:
            self.counts["review_tasks"] += 1
        return created


def _any_identifier(keys: list[tuple[str, str]]):
    from django.db.models import Q

    q = Q()
    for kind, value in keys:
        q |= Q(kind=kind, value=value)
    return q


def _run_id(run: IdentificationRun | None) -> int | None:
    return run.pk if run is not None else None


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationError(f"{path.name} lacks column(s): {', '.join(missing)}")
        return [{k: (v or "") for k, v in row.items() if k} for row in reader]


FIGURE_COLUMNS = ("reception_date", "measure", "parent_sex", "child_age_band", "count")
FIGURE_MEASURES = ("receptions", "parents_found", "children_found", "baseline_children")


def read_figures(path: Path) -> list[tuple[date, str, str, str, int]]:
    """A run's `figures.csv`, checked: a bad value is refused with its row and field."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in FIGURE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValidationError(f"{path.name} lacks column(s): {', '.join(missing)}")
        figures = []
        for number, row in enumerate(reader, start=2):
            day = _date(row["reception_date"])
            count = _int(row["count"])
            problem = (
                "reception_date" if day is None
                else "measure" if row["measure"] not in FIGURE_MEASURES
                else "parent_sex" if row["parent_sex"] not in ("M", "F", "")
                else "child_age_band" if len(row["child_age_band"] or "") > 8
                else "count" if count is None or count < 0
                else None
            )
            if problem:
                raise ValidationError(f"{path.name} row {number}: field {problem} is not valid.")
            assert day is not None and count is not None
            figures.append(
                (day, row["measure"], row["parent_sex"], row["child_age_band"] or "", count)
            )
    return figures


def _replace_figures(
    force: Force, run: IdentificationRun, figures: list[tuple[date, str, str, str, int]]
) -> None:
    """The run's figures become the force's for every day of its window (or, without a
    window in the manifest, the days it counts): a later import of an overlapping run
    replaces a day's figures rather than adding to them."""
    days = {f[0] for f in figures}
    stale = DayFigure.objects.filter(force=force)
    if run.window_from and run.window_to:
        stale = stale.filter(day__gte=run.window_from, day__lte=run.window_to)
    else:
        stale = stale.filter(day__in=days)
    stale.delete()
    DayFigure.objects.bulk_create(
        DayFigure(force=force, run=run, day=day, measure=measure, parent_sex=sex,
                  child_age_band=band, count=count)
        for day, measure, sex, band, count in figures
    )


def import_run(folder: str | Path, *, force: Force, user: User | None = None) -> ImportResult:
    """Import one run folder into `force`, in one transaction (all or nothing)."""
    folder = Path(folder)
    children_csv = folder / "children.csv"
    if not children_csv.is_file():
        raise ValidationError(f"No children.csv in {folder}")
    review_csv = folder / "review.csv"
    manifest_path = folder / "manifest.json"
    manifest: dict[str, Any] = {}
    if manifest_path.is_file():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValidationError("manifest.json is not valid JSON.") from error
    parameters = manifest.get("parameters") or {}
    run_key = hashlib.sha256(
        (_sha256(children_csv) + (_sha256(review_csv) if review_csv.is_file() else "")).encode()
    ).hexdigest()
    rows = _read_csv(children_csv)
    review_rows = _read_csv(review_csv) if review_csv.is_file() else []
    figures_csv = folder / "figures.csv"
    figures = read_figures(figures_csv) if figures_csv.is_file() else None

    with transaction.atomic():
        run, created = IdentificationRun.objects.get_or_create(
            force=force,
            run_key=run_key,
            defaults={
                "window_from": _date(parameters.get("window_from")),
                "window_to": _date(parameters.get("window_to")),
                "method": str(parameters.get("method") or "")[:64],
                "paramount_version": str(manifest.get("paramount_version") or "")[:32],
                "started_at": str(manifest.get("started_at") or "")[:40],
                "children_rows": len(rows),
                "review_rows": len(review_rows),
                "imported_by": user,
            },
        )
        if not created:
            IdentificationRun.objects.filter(pk=run.pk).update(
                times_imported=run.times_imported + 1
            )
        importer = Importer(force, run, user)
        for row in rows:
            importer.import_row(row)
        for row in review_rows:
            importer.import_review_row(row)
        if figures is not None:
            _replace_figures(force, run, figures)
            importer.counts["figure_rows"] = len(figures)
        IdentificationRun.objects.filter(pk=run.pk).update(counts=dict(importer.counts))
        run.refresh_from_db()
        audit(
            user,
            AuditAction.COLLECT,
            "run",
            object_ref=str(run.pk),
            detail={"counts": dict(importer.counts), "already_imported": not created},
        )
        audit_many(user, AuditAction.COMBINE, "case", importer.touched,
                   detail={"run": run.pk, "operation": "import"})
    return ImportResult(run=run, already_imported=not created, counts=importer.counts)
