"""`paramount casework force create` and `paramount casework user ...`: a force set up from
its force_area table (twice: nothing changes), accounts made from the command line whose
set-password email arrives and works, clear errors, and the audit as "cli"."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.test import Client
from typer.testing import CliRunner

from paramount.casework.codes import AuditAction, Role
from paramount.casework.models import LPA, AuditRecord, Force, PartnerOrganisation, User
from paramount.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()

AREAS = [
    {"postcode_district": "NT1", "lpa": "N1", "lpa_name": "Northtown"},
    {"postcode_district": "NT2", "lpa": "N1", "lpa_name": "Northtown"},
    {"postcode_district": "ST1", "lpa": "S1", "lpa_name": "Southtown"},
]


def write_areas(
    path: Path, rows: list[dict], columns=("postcode_district", "lpa", "lpa_name")
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def force_create(areas: Path, *extra: str):
    return runner.invoke(
        app,
        ["casework", "force", "create", "TST", "Test Valley Police", "--areas", str(areas), *extra],
    )


def test_force_create_from_force_area_is_idempotent(tmp_path) -> None:
    areas = write_areas(tmp_path / "force_area.csv", AREAS)
    partner = ["--partner", "Test Charity", "--partner-email", "referrals@charity.example"]
    first = force_create(areas, *partner)
    assert first.exit_code == 0, first.output
    assert "created" in first.output and "2 created" in first.output
    force = Force.objects.get(code="TST")
    assert force.name == "Test Valley Police"
    assert dict(LPA.objects.filter(force=force).values_list("code", "name")) == {
        "N1": "Northtown",
        "S1": "Southtown",
    }
    assert PartnerOrganisation.objects.get(force=force).email == "referrals@charity.example"
    records = AuditRecord.objects.count()

    second = force_create(areas, *partner)
    assert second.exit_code == 0, second.output
    assert "Nothing changed." in second.output
    assert LPA.objects.count() == 2 and PartnerOrganisation.objects.count() == 1
    assert AuditRecord.objects.count() == records  # no change, nothing to audit

    # An LPA renamed in the extract is renamed; one no longer there is kept.
    renamed = [dict(AREAS[0], lpa_name="North Town"), dict(AREAS[1], lpa_name="North Town")]
    third = force_create(write_areas(tmp_path / "force_area.csv", renamed))
    assert third.exit_code == 0, third.output
    assert "1 renamed" in third.output and "Kept, though not in force_area.csv: S1" in (
        third.output
    )
    assert (
        LPA.objects.get(code="N1").name == "North Town" and LPA.objects.filter(code="S1").exists()
    )
    assert (
        AuditRecord.objects.filter(
            actor__isnull=True, actor_username="cli", object_type="lpa"
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    ("rows", "columns", "expected"),
    [
        (AREAS, ("postcode_district", "lpa_name"), "missing column lpa"),
        ([AREAS[0], dict(AREAS[2], lpa="")], None, "row 3, field lpa: empty"),
        (
            [AREAS[0], dict(AREAS[1], lpa_name="Elsewhere")],
            None,
            "row 3, field lpa_name: LPA N1 is named differently on row 2",
        ),
        ([dict(AREAS[0], lpa="X" * 40)], None, "row 2, field lpa: longer than 32"),
        (
            [dict(AREAS[0], lpa_name="North\x00town")],
            None,
            "row 2, field lpa_name: holds a control character",
        ),
        ([], None, "no rows"),
    ],
)
def test_force_create_names_the_file_row_and_field_of_a_bad_force_area(
    tmp_path, rows, columns, expected
) -> None:
    path = write_areas(
        tmp_path / "force_area.csv", rows, columns or ("postcode_district", "lpa", "lpa_name")
    )
    result = force_create(path)
    assert result.exit_code == 2
    assert str(path) in result.output and expected in result.output
    assert not Force.objects.exists()  # nothing half done


def test_force_create_refuses_a_missing_file(tmp_path) -> None:
    result = force_create(tmp_path / "nope.csv")
    assert result.exit_code == 2 and "no such file" in result.output


def _set_up(tmp_path) -> Force:
    assert (
        force_create(
            write_areas(tmp_path / "force_area.csv", AREAS), "--partner", "Test Charity"
        ).exit_code
        == 0
    )
    return Force.objects.get(code="TST")


def test_user_create_emails_a_link_that_sets_the_password_then_signs_in(
    tmp_path, smtp_server, django_capture_on_commit_callbacks, settings
) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = True
    _set_up(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        result = runner.invoke(
            app,
            [
                "casework",
                "user",
                "create",
                "sup_north",
                "--role",
                "supervisor",
                "--force",
                "TST",
                "--email",
                "sup.north@force.example",
                "--lpa",
                "N1",
            ],
        )
    assert result.exit_code == 0, result.output
    assert "A set-password email was sent" in result.output
    assert "sup.north@force.example" not in result.output
    account = User.objects.get(username="sup_north")
    assert account.role == Role.SUPERVISOR and [a.code for a in account.lpas.all()] == ["N1"]
    assert not account.has_usable_password()
    assert AuditRecord.objects.filter(
        actor_username="cli", action=AuditAction.CHANGE, object_ref="sup_north"
    ).exists()

    [message] = smtp_server.to("sup.north@force.example")
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://testserver(/accounts/set-password/\S+/)", body).group(1)
    person = Client()
    step = person.get(link)
    assert step.status_code == 302
    password = "granite-meadow-compass-9"
    done = person.post(step["Location"], {"password": password, "confirm": password})
    assert done.status_code == 302
    signed = Client().post("/accounts/login/", {"username": "sup_north", "password": password})
    assert signed.status_code == 302 and signed["Location"].startswith("/accounts/setup/")


def test_a_first_administrator_with_a_printed_link(tmp_path) -> None:
    result = runner.invoke(
        app,
        ["casework", "user", "create", "first_admin", "--role", "administrator", "--print-link"],
    )
    assert result.exit_code == 0, result.output
    link = re.search(r"http://testserver(/accounts/set-password/\S+/)", result.output).group(1)
    assert Client().get(link).status_code == 302
    account = User.objects.get(username="first_admin")
    assert account.force is None and account.role == Role.ADMINISTRATOR
    again = runner.invoke(app, ["casework", "user", "send-link", "first_admin", "--print-link"])
    assert again.exit_code == 0 and "/accounts/set-password/" in again.output
    assert AuditRecord.objects.filter(
        actor_username="cli", object_ref="first_admin", detail__set_password_link="printed"
    ).exists()


def test_user_commands_refuse_unknowns_clearly(tmp_path) -> None:
    _set_up(tmp_path)
    base = ["casework", "user", "create", "someone", "--email", "s@force.example"]
    cases = [
        (["--role", "wizard", "--force", "TST"], "unknown role 'wizard'"),
        (["--role", "analyst", "--force", "NOPE"], "unknown force 'NOPE'"),
        (["--role", "analyst"], "--force CODE is needed"),
        (["--role", "analyst", "--force", "TST", "--lpa", "ZZ"], "unknown LPA 'ZZ'"),
        (
            ["--role", "partner", "--force", "TST", "--organisation", "Nobody"],
            "unknown partner organisation 'Nobody'",
        ),
        (["--role", "partner", "--force", "TST"], "partner user needs an organisation"),
        (
            ["--role", "analyst", "--force", "TST", "--organisation", "Test Charity"],
            "Only a partner account has a partner organisation",
        ),
    ]
    for extra, message in cases:
        result = runner.invoke(app, base + extra)
        assert result.exit_code == 2, (extra, result.output)
        assert message in result.output, (extra, result.output)
    assert not User.objects.filter(username="someone").exists()
    result = runner.invoke(app, ["casework", "user", "deactivate", "nobody"])
    assert result.exit_code == 2 and "no account 'nobody'" in result.output
    result = runner.invoke(app, ["casework", "user", "list", "--force", "NOPE"])
    assert result.exit_code == 2


def test_user_list_and_deactivate(tmp_path) -> None:
    _set_up(tmp_path)
    for args in (
        ["champ", "--role", "champion", "--lpa", "S1"],
        ["partner1", "--role", "partner", "--organisation", "Test Charity"],
    ):
        result = runner.invoke(
            app,
            [
                "casework",
                "user",
                "create",
                *args,
                "--force",
                "TST",
                "--email",
                f"{args[0]}@force.example",
            ],
        )
        assert result.exit_code == 0, result.output
    listing = runner.invoke(app, ["casework", "user", "list", "--force", "TST"])
    assert listing.exit_code == 0, listing.output
    assert re.search(r"champ\s+champion\s+TST\s+S1\s+yes\s+not yet", listing.output)
    assert "partner1" in listing.output and "@" not in listing.output  # no emails
    assert AuditRecord.objects.filter(actor_username="cli", action=AuditAction.LIST).exists()
    result = runner.invoke(app, ["casework", "user", "deactivate", "champ"])
    assert result.exit_code == 0 and "deactivated" in result.output
    assert not User.objects.get(username="champ").is_active
    assert AuditRecord.objects.filter(
        actor_username="cli", object_ref="champ", detail__active=False
    ).exists()


def test_force_create_reads_a_parquet_force_area(tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "force_area.parquet"
    pq.write_table(pa.Table.from_pylist(AREAS), path)
    result = force_create(path)
    assert result.exit_code == 0, result.output
    assert sorted(LPA.objects.values_list("code", flat=True)) == ["N1", "S1"]
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet")
    result = force_create(broken)
    assert result.exit_code == 2 and "not a readable Parquet file" in result.output


def test_the_manage_command_sets_up_through_the_same_service() -> None:
    from django.core.management import call_command

    call_command("casework_force", "TST", "Test Valley Police", "--partner", "Test Charity")
    force = Force.objects.get(code="TST")
    assert PartnerOrganisation.objects.filter(force=force, name="Test Charity").exists()
    assert AuditRecord.objects.filter(actor_username="cli", object_type="force").exists()


def test_user_create_says_when_email_is_not_set_up(tmp_path, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    _set_up(tmp_path)
    result = runner.invoke(
        app,
        [
            "casework",
            "user",
            "create",
            "ana",
            "--role",
            "analyst",
            "--force",
            "TST",
            "--email",
            "ana@force.example",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Email is not set up" in result.output
