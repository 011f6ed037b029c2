"""A national list shared out by force: each row to the force where the child lives, in that
force's own ids, other forces' ids set apart, the prisoner's force named."""

from __future__ import annotations

import pyarrow as pa

from paramount.outputs.national import child_force, restore_row, split_by_force

FORCES = ("TV", "TVX", "HC")
DISTRICTS = {"OX4": "TV", "SN1": "TVX", "PO1": "HC"}


def row(**values: object) -> dict[str, object]:
    base: dict[str, object] = {
        "child_person_ids": None,
        "child_partner_ids": None,
        "parent_person_ids": None,
        "evidence": "",
        "postcode": None,
        "lpa": None,
        "prisoner_lpa": None,
    }
    return {**base, **values}


def test_a_row_goes_where_the_child_lives_then_its_lpa_then_the_prisoner() -> None:
    assert child_force(row(postcode="sn1 2ab", prisoner_lpa="TV:OXF"), FORCES, DISTRICTS) == "TVX"
    assert child_force(row(postcode="SN12AB"), FORCES, DISTRICTS) == "TVX"
    # a postcode outside the country: the home's LPA says whose it is
    assert child_force(row(postcode="ZZ9 9ZZ", lpa="HC:POR"), FORCES, DISTRICTS) == "HC"
    # no home at all: the prisoner's force lists the child
    assert child_force(row(prisoner_lpa="TV:OXF"), FORCES, DISTRICTS) == "TV"


def test_restore_keeps_own_ids_bare_and_sets_other_forces_apart() -> None:
    restored = restore_row(
        row(
            child_person_ids="TVX:P1;TV:P7",
            parent_person_ids="TV:P3",
            evidence="prisoner matched to police record(s) TV:P3 and TVX:P9",
            lpa="TVX:SWI",
        ),
        "TVX",
        FORCES,
    )
    assert restored["child_person_ids"] == "P1"
    assert restored["child_person_ids_other_forces"] == "TV:P7"
    assert restored["parent_person_ids"] is None
    assert restored["parent_person_ids_other_forces"] == "TV:P3"
    # only this force's own prefix comes off: "TV:" inside "TVX:" is another force's
    assert restored["evidence"] == "prisoner matched to police record(s) TV:P3 and P9"
    assert restored["lpa"] == "SWI"
    # a single force's national run keeps its ids: bare ids are the force's own
    alone = restore_row(row(child_person_ids="P1;P2"), "TV", ("TV",))
    assert alone["child_person_ids"] == "P1;P2" and alone["child_person_ids_other_forces"] is None


def test_split_gives_every_force_a_table_with_both_forces_named() -> None:
    table = pa.Table.from_pylist(
        [
            row(child_person_ids="HC:P1", postcode="PO1 1AA", prisoner_lpa="TV:OXF"),
            row(child_person_ids="TV:P2", postcode="OX4 1AA", prisoner_lpa="TV:OXF"),
        ]
    )
    split = split_by_force(table, FORCES, DISTRICTS)
    assert set(split) == set(FORCES)
    assert split["TVX"].num_rows == 0 and "child_force" in split["TVX"].column_names
    hc = split["HC"].to_pylist()
    assert hc == [
        {
            **row(child_person_ids="P1", postcode="PO1 1AA", prisoner_lpa="TV:OXF"),
            "child_person_ids_other_forces": None,
            "child_partner_ids_other_forces": None,
            "parent_person_ids_other_forces": None,
            "child_force": "HC",
            "prisoner_force": "TV",
        }
    ]
    assert split["TV"].to_pylist()[0]["prisoner_lpa"] == "OXF"
