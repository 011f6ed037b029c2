"""A tiny synthetic force in DuckDB, shaped as the loader leaves it (contract tables + _row).

Every name, id and date here is invented.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import duckdb

from paramount.contract.identifiers import format_cro, format_pnc
from paramount.contract.tables import EXTRACT_TABLES, create_table_sql
from paramount.engine import DuckDBBackend, IdentificationResult, identify

WINDOW = (date(2024, 1, 1), date(2024, 12, 31))
PNC_A = format_pnc(1998, 394773)  # short form
PNC_A_LONG = format_pnc(1998, 394773, long_form=True)
PNC_B = format_pnc(2003, 12345)
CRO_A = format_cro(2005, 29906)


class Extract:
    """Builds a loaded extract row by row; helpers fill the columns a test does not care about."""

    def __init__(self) -> None:
        self.con = duckdb.connect()
        for table in EXTRACT_TABLES.values():
            self.con.execute(create_table_sql(table))
        self._rows: dict[str, int] = defaultdict(int)
        self._addresses = 0

    def add(self, table: str, **row: Any) -> None:
        self._rows[table] += 1
        cols = [*row, "_row"]
        marks = ", ".join("?" for _ in cols)
        names = ", ".join(f'"{c}"' for c in cols)
        self.con.execute(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', [*row.values(), self._rows[table]]
        )

    # -- the force --------------------------------------------------------------------
    def area(self, district: str, lpa: str, lpa_name: str) -> None:
        self.add("force_area", postcode_district=district, lpa=lpa, lpa_name=lpa_name)

    # -- prison side ------------------------------------------------------------------
    def prisoner(
        self,
        number: str,
        pnc: str | None = None,
        cro: str | None = None,
        postcode: str | None = "OX4 1AB",
        first_name: str = "Sam",
        last_name: str = "Testperson",
    ) -> None:
        self.add(
            "prisoners",
            prisoner_number=number,
            pnc_number=pnc,
            cro_number=cro,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date(1990, 5, 1),
            gender="Male",
            home_postcode=postcode,
            prison_id="BZI",
        )

    def movement(
        self,
        number: str,
        booking: str,
        when: datetime | str,
        movement_type: str = "ADM",
        direction: str = "IN",
        reason: str | None = "N",
    ) -> None:
        if isinstance(when, str):
            when = datetime.fromisoformat(when)
        self.add(
            "prison_movements",
            prisoner_number=number,
            booking_id=booking,
            movement_type=movement_type,
            direction=direction,
            movement_reason_code=reason,
            movement_datetime=when,
            from_agency="COURT1",
            to_agency="BZI",
            to_agency_description="BULLINGDON (HMP)",
        )

    # -- police side ------------------------------------------------------------------
    def person(
        self,
        person_id: str,
        dob: date | None = None,
        pnc: str | None = None,
        cro: str | None = None,
        surname: str = "Testperson",
        forenames: str = "Alex",
        sex: str = "U",
    ) -> None:
        self.add(
            "persons",
            person_id=person_id,
            surname=surname,
            forenames=forenames,
            date_of_birth=dob,
            sex=sex,
            pnc_id=pnc,
            cro_number=cro,
        )

    def relationship(
        self,
        person_id: str,
        related: str,
        code: str,
        source: str | None = "ENCOMPASS",
        recorded_at: date | None = date(2021, 3, 2),
        occurrence_id: str | None = None,
    ) -> None:
        self.add(
            "relationships",
            person_id=person_id,
            related_person_id=related,
            relationship=code,
            source=source,
            occurrence_id=occurrence_id,
            recorded_at=recorded_at,
        )

    def home(
        self,
        person_id: str,
        postcode: str,
        lpa: str | None = None,
        from_date: date | None = date(2015, 1, 1),
        to_date: date | None = None,
        role: str = "HOME",
        line1: str = "1 Example Street",
    ) -> str:
        self._addresses += 1
        address_id = f"AD{self._addresses}"
        self.add(
            "addresses",
            address_id=address_id,
            line1=line1,
            town="Exampleton",
            postcode=postcode,
            lpa=lpa,
            premises_type="DWELLING",
        )
        self.add(
            "person_addresses",
            person_id=person_id,
            address_id=address_id,
            address_role=role,
            from_date=from_date,
            to_date=to_date,
        )
        return address_id

    def received_with_child(
        self,
        prisoner: str = "A1234BC",
        booking: str = "B1",
        when: str = "2024-06-10T10:00:00",
        child_dob: date = date(2015, 4, 1),
        code: str = "PARENT",
    ) -> None:
        """A prisoner (PNC matched to nominal P1) received in the window with one child C1."""
        self.prisoner(prisoner, pnc=PNC_A)
        self.movement(prisoner, booking, when)
        self.person("P1", dob=date(1990, 5, 1), pnc=PNC_A, forenames="Sam")
        self.person("C1", dob=child_dob, surname="Testperson", forenames="Robin", sex="F")
        self.relationship("P1", "C1", code)

    def backend(self) -> DuckDBBackend:
        return DuckDBBackend(self.con)

    def identify(
        self, window: tuple[date, date] = WINDOW, method: str = "baseline"
    ) -> IdentificationResult:
        return identify(self.backend(), window[0], window[1], method=method)

    def rows(self, sql: str) -> list[dict[str, Any]]:
        return self.backend().fetch_rows(sql)
