"""The evaluators' extract (issue 14, item 3): k-anonymous (k >= 5) on its quasi-identifiers
over a realistic force, no direct identifier anywhere in the files, pseudonyms keyed to one
evaluation, the disclosure audited, and the download the evaluator's alone."""

from __future__ import annotations

import csv
import io
import random
import stat
import zipfile
from collections import Counter
from datetime import date, timedelta

import pytest
from casework_factories import child_row, make_world, write_run
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from paramount.casework.codes import (
    AuditAction,
    ContactMethod,
    ContactOutcome,
    DeliveryModel,
    SocialCareStatus,
)
from paramount.casework.models import (
    AuditRecord,
    Case,
    CaseChild,
    Child,
    ChildIdentifier,
    Prisoner,
    Reception,
)
from paramount.casework.selectors.evaluation_extract import (
    HEADER,
    QUASI_IDENTIFIERS,
    k_anonymise,
)
from paramount.casework.services import evaluation_extract as ev
from paramount.casework.services import workflow as wf
from paramount.casework.services.importing import import_run
from paramount.cli import app

SYLLABLES = ("ka", "zu", "mir", "tob", "vel", "rin", "xa", "lom", "qui", "dre", "fen", "jo")
STREETS = ("Imaginary", "Fictive", "Nowhere", "Madeup", "Dreamt")


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def _force_rows(rng: random.Random, families: int = 90) -> list[dict[str, str]]:
    """A realistic month-by-month intake: families of one to four children, two areas, three
    months, ages 0 to 17, mostly known sexes; every name, id and address distinct."""
    rows = []
    for f in range(families):
        surname = _word(rng, 3) + "son"
        lpa = rng.choice(("N1", "N1", "S1"))
        received = date(2025, 1, 1) + timedelta(days=rng.randrange(90))
        size = rng.choices((1, 2, 3, 4), weights=(50, 30, 15, 5))[0]
        number = 10 + f
        for c in range(size):
            age = rng.randrange(18)
            born = received - timedelta(days=365 * age + rng.randrange(1, 360))
            rows.append(  # one household: one address
                child_row(
                    child_ids=f"RMS{7000000 + 10 * f + c}",
                    surname=surname,
                    forenames=_word(rng, 2) + "ette",
                    dob=born.isoformat(),
                    prisoner=f"A{1000 + f}ZQ",
                    booking=f"BK{500000 + f}",
                    received=received.isoformat(),
                    address=f"{number} {STREETS[f % len(STREETS)]} Road, {lpa}town",
                    postcode=f"NT{number} 4QX",
                    lpa=lpa,
                    confidence=f"{rng.uniform(0.5, 1.0):.3f}",
                    child_sex=rng.choice(("F", "M", "F", "M", "")),
                    child_age=str(age),
                    sources=rng.choice(("RMS_RELATIONSHIP", "PRISON_CONTACT;RMS_RELATIONSHIP")),
                )
            )
    return rows


def _work_some(world, rng: random.Random) -> None:
    """Take about half the cases through checks and allocation (a mix of delivery models),
    and contact some of those."""
    models = list(DeliveryModel.values)
    for case in Case.objects.order_by("pk"):
        if rng.random() < 0.5:
            continue
        for cc in case.case_children.all():
            wf.record_child_check(
                user=world["checker"], case_child=cc, social_care_status=SocialCareStatus.NOT_KNOWN
            )
        wf.complete_checks(user=world["checker"], case=case)
        wf.allocate_case(
            user=world["supervisor"], case=case, champion=world["champion"],
            delivery_model=rng.choice(models),
        )  # fmt: skip
        if rng.random() < 0.6:
            wf.record_contact_attempt(
                user=world["champion"], case=case, at=timezone.now() - timedelta(hours=1),
                method=ContactMethod.PHONE,
                outcome=rng.choice((ContactOutcome.NO_ANSWER, ContactOutcome.SPOKE_CALL_BACK)),
            )  # fmt: skip


@pytest.fixture
def force(tmp_path):
    world = make_world()
    rng = random.Random(14)
    import_run(write_run(tmp_path / "run", _force_rows(rng)), force=world.force)
    _work_some(world, rng)
    return world


def _extract(world, key: bytes, user=None) -> tuple[list[dict[str, str]], str, str, object]:
    rows, words = io.StringIO(), io.StringIO()
    result = ev.export_evaluation(rows, words, force=world.force, key=key, user=user)
    text = rows.getvalue()
    return list(csv.DictReader(io.StringIO(text))), text, words.getvalue(), result


def _identifiers() -> set[str]:
    """Every direct identifier the database holds, as it would be written."""
    values: set[str] = set()
    for child in Child.objects.all():
        values |= {child.forenames, child.surname, child.display_name, child.pseudonym}
        if child.date_of_birth:
            born = child.date_of_birth
            values |= {born.isoformat(), born.strftime("%d/%m/%Y"), born.strftime("%Y%m%d")}
        values |= {child.address, child.postcode}
    for cc in CaseChild.objects.all():
        values |= {cc.address, cc.postcode, cc.postcode.replace(" ", "")}
    values |= set(ChildIdentifier.objects.values_list("value", flat=True))
    values |= set(Prisoner.objects.values_list("prisoner_number", flat=True))
    for ids in Prisoner.objects.values_list("parent_person_ids", flat=True):
        values |= {v.strip() for v in ids.split(";")}
    values |= set(Reception.objects.values_list("booking_id", flat=True))
    values |= set(Case.objects.values_list("reference", flat=True))
    return {v for v in values if v}


@pytest.mark.django_db
def test_k_anonymous_and_nothing_direct_survives(force) -> None:
    world = force
    rows, text, words, result = _extract(world, ev.new_key(), user=world["evaluator"])
    pairs = {(c, k) for c, k in CaseChild.objects.values_list("case_id", "child_id")}
    assert len(pairs) > 120  # a realistic force, not a handful
    assert result.rows == len(rows) > 0
    assert result.rows + result.suppressed == len(pairs)  # nothing lost unaccounted
    assert list(rows[0]) == list(HEADER)

    # k-anonymity: every combination of the quasi-identifiers is shared by 5 rows or more.
    cells = Counter(tuple(r[q] for q in QUASI_IDENTIFIERS) for r in rows)
    assert min(cells.values()) >= 5, min(cells.items(), key=lambda kv: kv[1])
    assert result.generalised == sum(r["generalised"] != "0" for r in rows)
    assert f"Suppressed (left out, still in a cell under 5): {result.suppressed}." in words
    for name in HEADER:
        assert f"| `{name}` |" in words  # every column described

    # No name, date of birth, address, postcode, person id, prisoner number, booking id or
    # case reference, in either file.
    for value in _identifiers():
        assert value not in text, value
        assert value not in words, value
    assert not {"child_surname", "child_forenames", "address", "postcode"} & set(HEADER)

    # The stages a worked case reached are there, with their days.
    allocated = [r for r in rows if r["allocated"] == "1"]
    assert allocated and all(r["days_to_allocated"].isdigit() for r in allocated)
    assert {r["delivery_model"] for r in allocated} <= set(DeliveryModel.values)
    assert all(r["delivery_model"] == "" for r in rows if r["allocated"] == "0")


@pytest.mark.django_db
def test_pseudonyms_join_within_an_evaluation_only(force) -> None:
    world = force
    one, two = ev.new_key(), ev.new_key()
    rows_a, text_a, _, result_a = _extract(world, one)
    _, text_b, _, _ = _extract(world, one)
    rows_c, _, _, result_c = _extract(world, two)
    assert text_a == text_b  # the same key: the same extract, row for row
    assert result_a.evaluation_id != result_c.evaluation_id
    for column in ("child_pseudonym", "case_pseudonym", "prisoner_pseudonym"):
        assert not {r[column] for r in rows_a} & {r[column] for r in rows_c}, column
    # Children per case can be counted: a case's rows share its pseudonym.
    per_case = Counter(r["case_pseudonym"] for r in rows_a)
    assert max(per_case.values()) > 1


@pytest.mark.django_db
def test_the_disclosure_is_audited_and_only_the_evaluator_has_it(force) -> None:
    world = force
    key = ev.new_key()
    for name in ("champion", "supervisor", "analyst", "other_supervisor"):
        with pytest.raises(PermissionDenied):
            _extract(world, key, user=world[name])
        assert AuditRecord.objects.filter(
            action=AuditAction.REFUSED, object_type="evaluation", actor=world[name]
        ).exists()
    _, _, _, result = _extract(world, key, user=world["evaluator"])
    (record,) = AuditRecord.objects.filter(action=AuditAction.DISCLOSE, object_type="evaluation")
    assert record.actor == world["evaluator"]
    assert record.object_ref == result.evaluation_id
    assert record.detail["rows"] == result.rows
    assert record.detail["suppressed"] == result.suppressed
    assert key.hex() not in str(record.detail)
    # The cases whose rows left, each once (the auditor's search finds a case by them).
    assert len(record.detail["refs"]) == len(set(record.detail["refs"])) == result.cases
    assert set(record.detail["refs"]) <= set(Case.objects.values_list("reference", flat=True))


@pytest.mark.django_db
def test_the_download_is_the_evaluators_and_refused_to_a_champion(
    force, tmp_path, settings
) -> None:
    world = force
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    key_file = tmp_path / "evaluation.key"
    eid = ev.write_key_file(key_file, ev.new_key(), world.force)
    client = Client()
    client.force_login(world["evaluator"])
    assert "Download the evaluation extract" not in client.get("/evaluation/").content.decode()
    settings.PARAMOUNT_EVALUATION_KEY_FILE = str(key_file)
    assert "Download the evaluation extract" in client.get("/evaluation/").content.decode()

    client.force_login(world["champion"])
    assert client.get("/evaluation/extract.zip").status_code == 403
    refusal = AuditRecord.objects.filter(
        action=AuditAction.REFUSED, actor=world["champion"], object_ref="evaluation-extract"
    )
    assert refusal.count() == 1
    assert not AuditRecord.objects.filter(action=AuditAction.DISCLOSE).exists()

    client.force_login(world["evaluator"])
    response = client.get("/evaluation/extract.zip")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    (table,) = [n for n in archive.namelist() if n.endswith(".csv")]
    assert [n for n in archive.namelist() if n.endswith("-dictionary.md")]
    rows = list(csv.DictReader(io.StringIO(archive.read(table).decode())))
    assert rows and {r["evaluation_id"] for r in rows} == {eid}
    (record,) = AuditRecord.objects.filter(action=AuditAction.DISCLOSE, object_type="evaluation")
    assert record.actor == world["evaluator"] and record.recipient.endswith(".zip")


@pytest.mark.django_db
def test_export_evaluation_from_the_command_line(force, tmp_path) -> None:
    out, key_file = tmp_path / "extract.csv", tmp_path / "keys" / "evaluation.key"
    key_file.parent.mkdir()
    runner = CliRunner()
    base = ["casework", "export-evaluation", "--out", str(out), "--force", "TST"]
    result = runner.invoke(app, base)
    assert result.exit_code == 2 and not out.exists()  # neither --key nor --key-out
    result = runner.invoke(app, [*base, "--key-out", str(key_file)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (tmp_path / "extract-dictionary.md").is_file()
    first = out.read_text(encoding="utf-8")
    assert key_file.read_text().split('"key": "')[1][:64] not in first
    # A key file is never overwritten; the same key repeats the same extract.
    assert runner.invoke(app, [*base, "--key-out", str(key_file)]).exit_code == 2
    result = runner.invoke(app, [*base, "--key", str(key_file), "--as", "evaluator"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == first
    records = AuditRecord.objects.filter(action=AuditAction.DISCLOSE, object_type="evaluation")
    assert [r.actor_username for r in records.order_by("at", "id")] == ["cli", "evaluator"]
    # Not the champion's to take.
    result = runner.invoke(app, [*base, "--key", str(key_file), "--as", "champion"])
    assert result.exit_code == 2


@given(
    st.lists(
        st.tuples(
            st.sampled_from(("N1", "S1", "E1")),
            st.sampled_from(("2025-01", "2025-02", "2025-05", "2024-12", "unknown")),
            st.sampled_from(("0-4", "5-10", "11-15", "16-17", "unknown")),
            st.sampled_from(("F", "M", "unknown")),
            st.sampled_from(("1", "2", "3+")),
        ),
        max_size=80,
    ),
    st.integers(2, 6),
)
def test_local_recoding_leaves_no_cell_under_k(quasi, k) -> None:
    rows = [dict(zip(QUASI_IDENTIFIERS, q, strict=True), n=i) for i, q in enumerate(quasi)]
    kept, generalised, suppressed = k_anonymise(rows, "TST", k)
    assert len(kept) + suppressed == len(rows)
    assert sorted(r["n"] for r in kept) == sorted(set(r["n"] for r in kept))
    cells = Counter(tuple(r[q] for q in QUASI_IDENTIFIERS) for r in kept)
    assert all(n >= k for n in cells.values())
    assert sum(generalised.values()) == sum(r["generalised"] > 0 for r in kept)
