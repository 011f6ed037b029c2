"""Test data for casework: a force with two LPAs, a user per role, and run folders written
in the shape `paramount identify` writes (fictional people only)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from paramount.casework.codes import Role
from paramount.casework.models import LPA, Force, PartnerOrganisation, User
from paramount.contract.tables import CHILDREN_COLUMNS

PASSWORD = "a-long-test-password-1"


@dataclass
class World:
    force: Force
    other_force: Force
    north: LPA
    south: LPA
    partner: PartnerOrganisation
    users: dict[str, User]

    def __getitem__(self, name: str) -> User:
        return self.users[name]


def make_user(username: str, role: str, force: Force | None, *, lpas=(), organisation=None,
              email: str | None = None) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, force=force,
        email=email if email is not None else f"{username}@force.example",
        first_name=username.title(), organisation=organisation,
    )
    if lpas:
        user.lpas.set(lpas)
    return user


def make_world() -> World:
    force = Force.objects.create(code="TST", name="Test Valley Police")
    other = Force.objects.create(code="OTH", name="Other Shire Police")
    north = LPA.objects.create(force=force, code="N1", name="Northtown")
    south = LPA.objects.create(force=force, code="S1", name="Southtown")
    partner = PartnerOrganisation.objects.create(
        force=force, name="Test Charity", email="referrals@charity.example"
    )
    other_partner = PartnerOrganisation.objects.create(force=other, name="Other Charity")
    users = {
        "analyst": make_user("analyst", Role.ANALYST, force),
        "checker": make_user("checker", Role.CHECKER, force),
        "checker_north": make_user("checker_north", Role.CHECKER, force, lpas=[north]),
        "champion": make_user("champion", Role.CHAMPION, force),
        "champion2": make_user("champion2", Role.CHAMPION, force),
        "champion_south": make_user("champion_south", Role.CHAMPION, force, lpas=[south]),
        "supervisor": make_user("supervisor", Role.SUPERVISOR, force),
        "supervisor_south": make_user("supervisor_south", Role.SUPERVISOR, force, lpas=[south]),
        "partner": make_user("partner", Role.PARTNER, force, organisation=partner),
        "evaluator": make_user("evaluator", Role.EVALUATOR, force),
        "auditor": make_user("auditor", Role.AUDITOR, force),
        "admin": make_user("admin", Role.ADMINISTRATOR, None),
        "other_supervisor": make_user("other_supervisor", Role.SUPERVISOR, other),
        "other_partner": make_user("other_partner", Role.PARTNER, other,
                                   organisation=other_partner),
    }
    return World(force, other, north, south, partner, users)


def child_row(
    *,
    child_ids: str,
    surname: str = "Fictus",
    forenames: str = "Tia",
    dob: str = "2015-09-01",
    prisoner: str = "A1234BC",
    booking: str = "B1001",
    received: str = "2025-03-04",
    address: str = "1 Imaginary Road, Northtown",
    postcode: str = "NT1 1AA",
    lpa: str = "N1",
    confidence: str = "0.97",
    **extra: str,
) -> dict[str, str]:
    row = {c: "" for c in CHILDREN_COLUMNS}
    row.update(
        child_person_ids=child_ids, child_surname=surname, child_forenames=forenames,
        child_date_of_birth=dob, child_sex="F", child_age="9", prisoner_number=prisoner,
        booking_id=booking, reception_date=received, parent_person_ids="P9001",
        relationship="PARENT", confidence=confidence,
        evidence="Recorded as parent at a domestic abuse occurrence (fictional).",
        sources="RMS_RELATIONSHIP", address=address, postcode=postcode, lpa=lpa,
    )
    row.update(extra)
    return row


def write_run(folder: Path, rows: list[dict[str, str]], *, review: list[dict] | None = None,
              window: tuple[date, date] = (date(2025, 1, 1), date(2025, 3, 31))) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    columns = list(CHILDREN_COLUMNS) + sorted(
        {k for r in rows + (review or []) for k in r} - set(CHILDREN_COLUMNS)
    )

    def write(path: Path, data: list[dict]) -> None:
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for r in data:
                writer.writerow({c: r.get(c, "") for c in columns})

    write(folder / "children.csv", rows)
    if review is not None:
        write(folder / "review.csv", review)
    (folder / "manifest.json").write_text(json.dumps({
        "paramount_version": "0.1.0", "started_at": "2025-04-01T09:00:00+01:00",
        "parameters": {"command": "identify", "window_from": window[0].isoformat(),
                       "window_to": window[1].isoformat(), "method": "baseline"},
    }))
    return folder
