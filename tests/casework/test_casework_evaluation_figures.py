"""The evaluator's figures: every children table counts the same unit (each child once) and adds
up to the same total as the "Children" figure, and so on for cases; no hidden count can be
worked out from a table's total and its shown cells (complementary suppression); tables in
their natural order (stages by the funnel, age bands by age, months by date)."""

from __future__ import annotations

import pytest
from casework_factories import child_row, make_world, write_run
from hypothesis import given
from hypothesis import strategies as st

from paramount.casework.codes import FUNNEL, NotApproachedReason
from paramount.casework.models import Case, CaseChild
from paramount.casework.selectors import reports
from paramount.casework.selectors.reports import AGE_BANDS, protect_counts
from paramount.casework.services import workflow as wf
from paramount.casework.services.importing import import_run

# (table, the summary key of the total it adds up to)
TABLES = (
    ("by_lpa", "cases"),
    ("outcomes", "closed"),
    ("children_by_age_band", "children"),
    ("children_by_sex", "children"),
    ("children_by_month_identified", "children"),
)


def _recoverable(cells: dict, total: int | None) -> bool:
    """What an evaluator can work out: with the total shown, the hidden cells add up to
    total - shown; one hidden cell, or hidden cells (each at least 1) that can only all be 1,
    are thereby known."""
    hidden = [k for k, v in cells.items() if v is None]
    if total is None or not hidden:
        return False
    rest = total - sum(v for v in cells.values() if v is not None)
    return len(hidden) == 1 or rest == len(hidden)


@given(
    st.dictionaries(st.text("abcdefgh", min_size=1, max_size=2), st.integers(0, 60), max_size=8),
    st.integers(2, 10),
)
def test_protection_leaves_no_hidden_count_recoverable(counts, threshold) -> None:
    cells, safe = protect_counts(counts, threshold)
    assert list(cells) == list(counts)  # order kept
    for k, v in counts.items():
        if 0 < v < threshold:
            assert cells[k] is None  # every small count hidden
        elif cells[k] is not None:
            assert cells[k] == v
    total = sum(counts.values())
    if safe:
        assert not _recoverable(cells, total)


def test_the_reported_differencing_is_closed() -> None:
    """109 - 54 - 54 recovered the 1 shown as "fewer than 5"; now a second cell is hidden."""
    cells, safe = protect_counts({"F": 54, "M": 54, "unknown": 1}, 5)
    assert safe and cells["unknown"] is None
    assert sum(v is None for v in cells.values()) == 2
    assert not _recoverable(cells, 109)
    cells, safe = protect_counts({"a": 1, "b": 1, "c": 30}, 5)  # two hidden ones add up to 2
    assert not _recoverable(cells, 32) and cells["c"] is None


NAMES = {
    f"P{i}": name
    for i, name in enumerate(["", "Ada", "Ben", "Cy", "Di", "Ed", "Flo", "Gus", "Hal"])
}


@pytest.fixture
def evaluated(tmp_path):
    """Eight children in seven cases; one child with two receptions (two links, one child)."""
    world = make_world()
    specs = [  # child, sex, age, area, prisoner
        ("P1", "F", "3", "N1", "A1000AA"),
        ("P2", "M", "9", "N1", "A1000AB"),
        ("P3", "F", "14", "S1", "A1000AC"),
        ("P4", "F", "9", "S1", "A1000AD"),
        ("P5", "M", "2", "N1", "A1000AE"),
        ("P6", "F", "16", "N1", "A1000AF"),
        ("P7", "", "7", "S1", "A1000AG"),
    ]
    rows = [
        child_row(
            child_ids=c,
            forenames=NAMES[c],
            dob=f"2012-01-0{i + 1}",
            child_sex=sex,
            child_age=age,
            lpa=lpa,
            prisoner=prisoner,
            booking=f"B{i}",
            address=f"{i} Imaginary Road",
            postcode=f"NT{i} 1AA",
        )
        for i, (c, sex, age, lpa, prisoner) in enumerate(specs)
    ]
    # P8 lives with P2.
    rows.append(
        child_row(
            child_ids="P8",
            forenames=NAMES["P8"],
            dob="2013-05-05",
            child_sex="M",
            child_age="11",
            lpa="N1",
            prisoner="A1000AB",
            booking="B1",
            address="1 Imaginary Road",
            postcode="NT1 1AA",
        )
    )
    import_run(write_run(tmp_path / "one", rows), force=world.force)
    # P1's other parent is received while the case is open: the same case, a second link.
    import_run(
        write_run(
            tmp_path / "two",
            [
                child_row(
                    child_ids="P1",
                    forenames=NAMES["P1"],
                    dob="2012-01-01",
                    child_sex="F",
                    child_age="3",
                    lpa="N1",
                    prisoner="A2000ZZ",
                    booking="B99",
                    address="0 Imaginary Road",
                    postcode="NT0 1AA",
                )
            ],
        ),
        force=world.force,
    )
    # P3's case closes; a recall opens a second case for P3.
    first = CaseChild.objects.get(
        child__identifiers__kind="rms", child__identifiers__value="P3"
    ).case
    wf.record_not_approached(
        user=world["checker"], case=first, reason=NotApproachedReason.ALREADY_SUPPORTED
    )
    import_run(
        write_run(
            tmp_path / "three",
            [
                child_row(
                    child_ids="P3",
                    forenames=NAMES["P3"],
                    dob="2012-01-03",
                    child_sex="F",
                    child_age="14",
                    lpa="S1",
                    prisoner="A1000AC",
                    booking="B77",
                    address="2 Imaginary Road",
                    postcode="NT2 1AA",
                )
            ],
        ),
        force=world.force,
    )
    return world


@pytest.mark.django_db
def test_every_table_adds_up_to_the_same_stated_total(evaluated, settings) -> None:
    assert CaseChild.objects.count() == 10  # the links: more than the children
    assert Case.objects.count() == 8
    settings.PARAMOUNT_EVALUATOR_SUPPRESS_BELOW = 1  # nothing hidden: the true counts
    summary = reports.evaluator_summary(evaluated["evaluator"])
    assert summary["children"] == 8
    for table, total in TABLES:
        assert sum(summary[table].values()) == summary[total], table
    assert summary["cases"] == summary["stages"]["identified"]


@pytest.mark.django_db
def test_no_hidden_count_can_be_worked_out_and_tables_are_in_order(evaluated, settings) -> None:
    for threshold in (2, 3, 5, 10):
        settings.PARAMOUNT_EVALUATOR_SUPPRESS_BELOW = threshold
        summary = reports.evaluator_summary(evaluated["evaluator"])
        for table, total in TABLES:
            cells = summary[table]
            assert not _recoverable(cells, summary[total]), (threshold, table, cells)
            assert all(v is None or not 0 < v < threshold for v in cells.values())
            if summary[total] is not None:
                assert sum(v for v in cells.values() if v is not None) <= summary[total]
        for name in ("cases", "children", "closed"):
            assert summary[name] is None or not 0 < summary[name] < threshold
        if summary["cases"] is None:
            assert summary["stages"]["identified"] is None
    settings.PARAMOUNT_EVALUATOR_SUPPRESS_BELOW = 2
    summary = reports.evaluator_summary(evaluated["evaluator"])
    assert list(summary["stages"]) == [stage for stage, _ in FUNNEL]
    bands = list(summary["children_by_age_band"])
    assert bands == [b for b in AGE_BANDS if b in bands] and bands[:2] == ["0-4", "5-11"]
    months = list(summary["children_by_month_identified"])
    assert months == sorted(months)
    assert list(summary["children_by_sex"])[-1] == "unknown"


@pytest.mark.django_db
def test_evaluation_page_shows_totals_and_hides_by_the_same_rule(evaluated, settings) -> None:
    from django.test import Client

    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    settings.PARAMOUNT_EVALUATOR_SUPPRESS_BELOW = 2
    client = Client()
    client.force_login(evaluated["evaluator"])
    text = client.get("/evaluation/").content.decode()
    assert text.count(">Total<") == 5 and "hidden" in text
    assert text.index("0 to 4") < text.index("5 to 11") < text.index("12 to 17")
    assert text.index(">Identified<") < text.index(">Checked<") < text.index(">Referred<")
