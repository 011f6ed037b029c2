"""Setting a force up: the force, its local policing areas from the extract's `force_area`
table (data contract: `postcode_district`, `lpa`, `lpa_name`; an LPA is a distinct `lpa`
with its `lpa_name`), and its partner organisation.

Idempotent: run again with the same file, nothing changes; a renamed LPA (or force, or a
partner's new address) is updated. An LPA that is no longer in the file is kept, since
cases and accounts may name it. Only the command line (`DEPLOYER`) or an administrator of
every force may do it; every change is audited.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import LPA, Force, PartnerOrganisation
from paramount.casework.selectors.accounts import Actor, Deployer, audit_actor
from paramount.contract.tables import FORCE_AREA

CODE_MAX = LPA._meta.get_field("code").max_length
NAME_MAX = LPA._meta.get_field("name").max_length


class ForceAreaError(ValueError):
    """A `force_area` file Paramount cannot use, naming the file, row and field (row 1 is
    the header; the first data row is row 2, as a spreadsheet shows it)."""

    def __init__(
        self, path: Path, message: str, *, row: int | None = None, field: str | None = None
    ) -> None:
        where = str(path) + (f", row {row}" if row is not None else "")
        where += f", field {field}" if field else ""
        super().__init__(f"{where}: {message}")
        self.path, self.row, self.field = path, row, field


@dataclass(frozen=True)
class Area:
    code: str
    name: str


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(path)
        except Exception as error:  # any unreadable file: say so, not a traceback
            raise ForceAreaError(
                path, f"not a readable Parquet file ({type(error).__name__})"
            ) from None
        rows = [{k: "" if v is None else str(v) for k, v in r.items()} for r in table.to_pylist()]
        return list(table.column_names), rows
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = [h.strip() for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            return header, [{k: (v or "") for k, v in r.items() if k} for r in reader]
    except UnicodeDecodeError:
        raise ForceAreaError(path, "not UTF-8 text (the contract's CSV is UTF-8)") from None
    except csv.Error as error:
        raise ForceAreaError(path, f"not readable as CSV ({error})") from None


def read_force_area(path: Path) -> list[Area]:
    """The LPAs of a `force_area` file (CSV or Parquet), in the order first seen. Refuses a
    missing column, an empty required field, an over-long code or name, and an LPA given
    two names, naming where."""
    if not path.is_file():
        raise ForceAreaError(path, "no such file")
    header, rows = _rows(path)
    missing = [c for c in FORCE_AREA.column_names if c not in header]
    if missing:
        raise ForceAreaError(
            path,
            f"missing column {', '.join(missing)} (force_area needs "
            f"{', '.join(FORCE_AREA.column_names)})",
        )
    required = [c.name for c in FORCE_AREA.columns if not c.nullable]
    names: dict[str, str] = {}  # the LPA's code -> its name
    named_at: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        for column in required:
            if not row.get(column, "").strip():
                raise ForceAreaError(
                    path, "empty, but every row needs it", row=number, field=column
                )
        code, name = row["lpa"].strip(), (row.get("lpa_name") or "").strip()
        for column, value in (("lpa", code), ("lpa_name", name)):
            if any(ord(c) < 32 for c in value):
                raise ForceAreaError(path, "holds a control character", row=number, field=column)
        if len(code) > CODE_MAX:
            raise ForceAreaError(
                path, f"longer than {CODE_MAX} characters", row=number, field="lpa"
            )
        if len(name) > NAME_MAX:
            raise ForceAreaError(
                path, f"longer than {NAME_MAX} characters", row=number, field="lpa_name"
            )
        if code not in names or (name and not names[code]):
            names[code], named_at[code] = name, number
        elif name and names[code] != name:
            raise ForceAreaError(
                path,
                f"LPA {code} is named differently on row {named_at[code]}",
                row=number,
                field="lpa_name",
            )
    if not names:
        raise ForceAreaError(path, "no rows: a force needs at least one area")
    return [Area(code, name) for code, name in names.items()]


@dataclass
class ForceSetup:
    force: Force
    force_created: bool = False
    force_renamed: bool = False
    lpas_created: list[str] = field(default_factory=list)
    lpas_renamed: list[str] = field(default_factory=list)
    lpas_unchanged: int = 0
    lpas_not_in_file: list[str] = field(default_factory=list)
    partner: PartnerOrganisation | None = None
    partner_changed: str = ""  # "created", "updated" or ""

    @property
    def changed(self) -> bool:
        return bool(
            self.force_created
            or self.force_renamed
            or self.lpas_created
            or self.lpas_renamed
            or self.partner_changed
        )


def _check(by: Actor) -> None:
    if isinstance(by, Deployer) or (by.has_role(Role.ADMINISTRATOR) and by.force_id is None):
        return
    audit_actor(by, AuditAction.REFUSED, "force", detail={"service": "set up force"})
    raise PermissionDenied("Only the deployer or an administrator of every force sets up a force.")


def set_up_force(
    *,
    code: str,
    name: str,
    areas: list[Area] | None,
    by: Actor,
    partner_name: str | None = None,
    partner_email: str = "",
) -> ForceSetup:
    """Create or update the force, its LPAs and its partner organisation (see the module)."""
    _check(by)
    code, name = code.strip(), name.strip()
    errors: dict[str, str] = {}
    if not code or len(code) > Force._meta.get_field("code").max_length:
        errors["code"] = "A force code is 1 to 16 characters."
    if not name or len(name) > Force._meta.get_field("name").max_length:
        errors["name"] = "A force name is 1 to 200 characters."
    if partner_name is not None and not partner_name.strip():
        errors["partner"] = "The partner organisation needs a name."
    if partner_email:
        try:
            validate_email(partner_email)
        except ValidationError:
            errors["partner_email"] = "The partner's email address is not valid."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        force = Force.objects.select_for_update().filter(code=code).first()
        result = ForceSetup(force=force)
        if force is None:
            result.force = force = Force.objects.create(code=code, name=name)
            result.force_created = True
            audit_actor(by, AuditAction.CHANGE, "force", object_ref=code, detail={"created": True})
        elif force.name != name:
            force.name = name
            force.save(update_fields=["name"])
            result.force_renamed = True
            audit_actor(by, AuditAction.CHANGE, "force", object_ref=code, detail={"renamed": True})
        if areas is not None:
            _set_up_lpas(force, areas, by, result)
        if partner_name is not None:
            _set_up_partner(force, partner_name.strip(), partner_email, by, result)
    return result


def _set_up_lpas(force: Force, areas: list[Area], by: Actor, result: ForceSetup) -> None:
    existing = {lpa.code: lpa for lpa in LPA.objects.filter(force=force)}
    for area in areas:
        lpa = existing.pop(area.code, None)
        if lpa is None:
            LPA.objects.create(force=force, code=area.code, name=area.name)
            result.lpas_created.append(area.code)
        elif area.name and lpa.name != area.name:
            lpa.name = area.name
            lpa.save(update_fields=["name"])
            result.lpas_renamed.append(area.code)
        else:
            result.lpas_unchanged += 1
    result.lpas_not_in_file = sorted(existing)
    if result.lpas_created or result.lpas_renamed:
        audit_actor(
            by,
            AuditAction.CHANGE,
            "lpa",
            object_ref=force.code,
            detail={"created": result.lpas_created, "renamed": result.lpas_renamed},
        )


def _set_up_partner(force: Force, name: str, email: str, by: Actor, result: ForceSetup) -> None:
    partner = PartnerOrganisation.objects.filter(force=force, name=name).first()
    if partner is None:
        partner = PartnerOrganisation.objects.create(force=force, name=name, email=email)
        result.partner_changed = "created"
    elif email and partner.email != email:
        partner.email = email
        partner.save(update_fields=["email"])
        result.partner_changed = "updated"
    result.partner = partner
    if result.partner_changed:
        # The partner's address is an organisation's, not a person's; kept out all the same.
        audit_actor(
            by,
            AuditAction.CHANGE,
            "partner",
            object_ref=force.code,
            detail={"partner": partner.pk, result.partner_changed: True},
        )
