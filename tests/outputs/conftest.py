"""A small, invented children table in the engine's output shape."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from paramount.contract.tables import CHILDREN_COLUMNS


def _row(**kw) -> dict:
    base = {c: None for c in CHILDREN_COLUMNS}
    base.update(
        child_surname="Testperson",
        child_forenames="Robin",
        child_date_of_birth=date(2015, 4, 1),
        child_sex="F",
        child_age=9,
        prisoner_number="A1234BC",
        booking_id="B1",
        reception_date=date(2024, 6, 10),
        parent_person_ids="P1",
        relationship="PARENT",
        confidence=1.0,
        evidence="Prisoner matched to police record P1 by PNC. " * 4,
        sources="RMS_RELATIONSHIP",
        address="1 Example Street, Exampleton",
        postcode="OX4 1AA",
        lpa="OXF",
        lpa_name="Oxford",
        prisoner_name="Sam Testperson",
        method="baseline",
    )
    base.update(kw)
    return base


ROWS = [
    _row(child_person_ids="C2", child_age=12, child_date_of_birth=date(2012, 1, 5)),
    _row(child_person_ids="C1"),
    _row(
        child_person_ids="C3",
        prisoner_number="A0001AA",
        booking_id="B7",
        reception_date=date(2024, 3, 2),
        lpa="RDG",
        lpa_name="Reading / West: [Central]",
        confidence=0.875,
    ),
    _row(child_person_ids="C4", lpa=None, lpa_name=None, address=None, postcode=None),
]


@pytest.fixture
def children() -> pa.Table:
    """Rows out of order, three areas (one with an awkward name), one without an area."""
    table = pa.Table.from_pylist(ROWS)
    # Put an extra column first, as an engine might: the CSV must still lead with the contract.
    names = ["method", *(n for n in table.schema.names if n != "method")]
    return table.select(names)
