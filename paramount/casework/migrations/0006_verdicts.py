# ruff: noqa: RUF012
"""Verdicts (issue 12): each child row's current verdict (CONFIRMED or REJECTED, the
reason, who and when, the row a DUPLICATE duplicates), kept beside the `verdict_recorded`
events of the case log; the event code joins the log's vocabulary."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0005_outbox_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="casechild",
            name="duplicate_of",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="casework.casechild",
            ),
        ),
        migrations.AddField(
            model_name="casechild",
            name="verdict",
            field=models.CharField(
                blank=True,
                choices=[
                    ("CONFIRMED", "Confirmed: the prisoner's child, or a child in their care"),
                    ("REJECTED", "Rejected: not to be approached about this prisoner"),
                ],
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="casechild",
            name="verdict_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="casechild",
            name="verdict_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="casechild",
            name="verdict_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("NOT_RELATED", "Not related to the prisoner"),
                    ("SIBLING", "The prisoner's brother or sister"),
                    (
                        "OTHER_RELATIVE",
                        "Another relative, not the prisoner's child (a niece, a grandchild)",
                    ),
                    (
                        "RELATIONSHIP_ENDED",
                        "The relationship had ended before the prisoner was received",
                    ),
                    ("ADULT", "18 or over when the prisoner was received"),
                    ("NOT_BORN", "Not yet born when the prisoner was received"),
                    ("DUPLICATE", "The same child as another child listed in this case"),
                    ("OTHER", "Another reason (say why in the note)"),
                ],
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
                ],
                db_index=True,
                max_length=32,
            ),
        ),
        migrations.AddConstraint(
            model_name="casechild",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("verdict", "REJECTED"), models.Q(("verdict_reason", ""), _negated=True)
                    ),
                    models.Q(
                        models.Q(("verdict", "REJECTED"), _negated=True), ("verdict_reason", "")
                    ),
                    _connector="OR",
                ),
                name="casechild_verdict_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="casechild",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("duplicate_of__isnull", True),
                    models.Q(
                        ("verdict_reason", "DUPLICATE"),
                        models.Q(("duplicate_of", models.F("pk")), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="casechild_duplicate_of",
            ),
        ),
    ]
