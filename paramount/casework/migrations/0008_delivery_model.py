# ruff: noqa: RUF012
"""Delivery models (issue 14): how each case is worked with (named champion, neighbourhood
team, charity worker, other), chosen at allocation; its change joins the event log's
vocabulary.

On SQLite (the demo) adding a column with a default rebuilds `casework_case`, which the
event log's delete trigger names (retention's exception, `db_guards.ERASED_CASE`), and SQLite
refuses to rename a table under a trigger that names it. So the trigger is dropped first;
`db_guards.ensure_sqlite_triggers` (post_migrate) makes it again when `migrate` ends.
PostgreSQL adds the column in place.
"""

from django.db import migrations, models


def drop_sqlite_event_trigger(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS casework_caseevent_no_delete")


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0007_day_figures"),
    ]

    operations = [
        migrations.RunPython(drop_sqlite_event_trigger, migrations.RunPython.noop),
        migrations.AddField(
            model_name="case",
            name="delivery_model",
            field=models.CharField(
                choices=[
                    ("named_champion", "Named champion"),
                    ("neighbourhood_team", "Neighbourhood policing team"),
                    ("charity_worker", "Charity worker"),
                    ("other", "Other"),
                ],
                default="named_champion",
                max_length=24,
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="code",
            field=models.CharField(
                choices=[
                    ("case_opened", "Case opened from an identification run"),
                    ("child_added", "Child added to the case"),
                    ("reception_linked", "A further reception linked to a child in the case"),
                    ("evidence_updated", "Evidence updated by a later run"),
                    ("check_recorded", "Check recorded for a child"),
                    ("social_worker_notified", "Allocated social worker told"),
                    ("checks_completed", "Checks completed"),
                    ("not_approached", "Family not to be approached"),
                    ("allocated", "Allocated to a champion"),
                    ("champion_notified", "Champion notified"),
                    ("contact_attempt", "Contact attempt"),
                    ("visit", "Visit"),
                    ("support_offered", "Support offered"),
                    ("agreement_recorded", "Family agreed to referral"),
                    ("refusal_recorded", "Family declined referral"),
                    ("agreement_withdrawn", "Family withdrew agreement"),
                    ("referral_sent", "Referral sent"),
                    ("referral_acknowledged", "Referral acknowledged by the partner"),
                    ("contact_details_updated", "Contact details updated"),
                    ("note", "Note"),
                    ("closed", "Closed"),
                    ("reviewed", "Retention review: kept"),
                    ("verdict_recorded", "Verdict recorded for a child"),
                    ("delivery_model_changed", "How the case is delivered changed"),
                ],
                db_index=True,
                max_length=32,
            ),
        ),
        # Undone, the column's removal rebuilds the table too: drop the trigger first.
        migrations.RunPython(migrations.RunPython.noop, drop_sqlite_event_trigger),
    ]
