# ruff: noqa: RUF012
"""Accounts: the set-password link joins the email outbox's kinds."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0004_family_contact"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("champion_allocated", "Case allocated to a champion"),
                    ("social_worker", "Allocated social worker told"),
                    ("referral", "Referral to the partner"),
                    ("set_password", "Set-password link to a new account"),
                ],
                max_length=24,
            ),
        ),
    ]
