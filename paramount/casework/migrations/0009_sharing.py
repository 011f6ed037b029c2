# ruff: noqa: RUF012
"""Sharing beyond the charity (issue 14): the recipients a family's agreement names (the
child's school's designated safeguarding lead, the health visitor or school nurse) and each
disclosure to them; their email joins the outbox's kinds and two events join the log's."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0008_delivery_model"),
    ]

    operations = [
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
                    (
                        "recipient_agreed",
                        "Family agreed to share with the school or health service",
                    ),
                    (
                        "shared_with_recipient",
                        "Shared with the school or health service (family's agreement)",
                    ),
                ],
                db_index=True,
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("champion_allocated", "Case allocated to a champion"),
                    ("social_worker", "Allocated social worker told"),
                    ("referral", "Referral to the partner"),
                    ("set_password", "Set-password link to a new account"),
                    ("supervisor_new_cases", "New cases for a supervisor (daily run)"),
                    ("recipient_share", "Shared with a school or health service"),
                ],
                max_length=24,
            ),
        ),
        migrations.CreateModel(
            name="AgreementRecipient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("charity", "The charity (referral)"),
                            ("school_dsl", "The child's school (designated safeguarding lead)"),
                            ("health", "The health visitor or school nurse"),
                        ],
                        max_length=16,
                    ),
                ),
                ("organisation", models.CharField(max_length=200)),
                ("contact_name", models.CharField(blank=True, max_length=200)),
                ("email", models.EmailField(max_length=254)),
                ("may_share", models.JSONField(default=list)),
                ("agreed_at", models.DateTimeField()),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "agreement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="recipients",
                        to="casework.referralagreement",
                    ),
                ),
                ("children", models.ManyToManyField(related_name="+", to="casework.casechild")),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("agreement_id", "kind", "id"),
            },
        ),
        migrations.CreateModel(
            name="Disclosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "recipient_kind",
                    models.CharField(
                        choices=[
                            ("charity", "The charity (referral)"),
                            ("school_dsl", "The child's school (designated safeguarding lead)"),
                            ("health", "The health visitor or school nurse"),
                        ],
                        max_length=16,
                    ),
                ),
                ("organisation", models.CharField(max_length=200)),
                ("contact_name", models.CharField(blank=True, max_length=200)),
                ("email", models.EmailField(max_length=254)),
                ("children", models.JSONField(default=list)),
                ("items", models.JSONField(default=list)),
                ("shared_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "agreement",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="disclosures",
                        to="casework.referralagreement",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="disclosures",
                        to="casework.case",
                    ),
                ),
                (
                    "notification",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="casework.notification",
                    ),
                ),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.RESTRICT,
                        related_name="disclosures",
                        to="casework.agreementrecipient",
                    ),
                ),
                (
                    "shared_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ("shared_at", "id"),
            },
        ),
        migrations.AddConstraint(
            model_name="agreementrecipient",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "charity"), _negated=True),
                name="agreementrecipient_not_charity",
            ),
        ),
    ]
