# ruff: noqa: RUF012
"""Two kinds join the email outbox: the set-password link to a new account, and the
supervisors' new-cases email of the daily run (`paramount run`)."""

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
                    ("supervisor_new_cases", "New cases for a supervisor (daily run)"),
                ],
                max_length=24,
            ),
        ),
    ]
