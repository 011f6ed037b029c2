"""A small family on top of the engine's extract builder, for the route and decision tests.

Every name, id and date here is invented.
"""

from __future__ import annotations

from datetime import date, datetime

from engine_extract import PNC_A, Extract

PRISONER = "A1234BC"
ADULT = f"X:{PRISONER}"  # the prisoner's entity (exact entities)


def received_father(x: Extract, dob: date = date(1985, 5, 1)) -> None:
    """Prisoner A1234BC, PNC-matched to nominal P1 (a man), received 10 June 2024."""
    x.prisoner(PRISONER, pnc=PNC_A)
    x.movement(PRISONER, "B1", "2024-06-10T10:00:00")
    x.person("P1", dob=dob, pnc=PNC_A, forenames="Sam", sex="M")


def child(
    x: Extract,
    pid: str,
    dob: date | None = date(2015, 4, 1),
    forenames: str = "Robin",
    surname: str = "Testperson",
) -> None:
    x.person(pid, dob=dob, surname=surname, forenames=forenames, sex="F")


def address(
    x: Extract,
    address_id: str,
    premises: str = "DWELLING",
    uprn: str | None = None,
    postcode: str = "OX4 1AB",
) -> None:
    x.add(
        "addresses",
        address_id=address_id,
        uprn=uprn,
        line1="1 Example Street",
        town="Exampleton",
        postcode=postcode,
        lpa="OXF",
        premises_type=premises,
    )


def lives(
    x: Extract,
    pid: str,
    address_id: str,
    since: date | None = date(2019, 1, 1),
    until: date | None = None,
    role: str = "HOME",
) -> None:
    x.add(
        "person_addresses",
        person_id=pid,
        address_id=address_id,
        address_role=role,
        from_date=since,
        to_date=until,
    )


def occurrence(
    x: Extract, occ: str, kind: str, *people: tuple[str, str], when: str = "2021-03-02T20:00:00"
) -> None:
    x.add(
        "occurrences",
        occurrence_id=occ,
        occurrence_type=kind,
        reported_at=datetime.fromisoformat(when),
        address_id=None,
        lpa="OXF",
    )
    for pid, role in people:
        x.add("occurrence_persons", occurrence_id=occ, person_id=pid, role=role, child_present=None)


def contact(
    x: Extract, code: str, first: str = "Robin", last: str = "Testperson", dob: date | None = None
) -> None:
    x.add(
        "prisoner_contacts",
        prisoner_number=PRISONER,
        booking_id="B1",
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        relationship_code=code,
        next_of_kin="N",
        emergency_contact="N",
        active="Y",
    )


def evidence(x: Extract, table: str = "pm_evidence") -> list[dict]:
    return x.rows(f"SELECT * FROM {table} ORDER BY route, adult_entity, child_entity, kind")


def decided(x: Extract) -> list[dict]:
    return x.rows("SELECT * FROM pm_decided ORDER BY child_key")
