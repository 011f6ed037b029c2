# ruff: noqa: RUF012
"""Day figures (issue 14): each imported run's counts per reception day (receptions,
parents and children found, the baseline's count), for the board report and national figures."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_verdicts"),
    ]

    operations = [
        migrations.CreateModel(
            name="DayFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                ("measure", models.CharField(max_length=24)),
                ("parent_sex", models.CharField(blank=True, max_length=1)),
                ("child_age_band", models.CharField(blank=True, max_length=8)),
                ("count", models.PositiveIntegerField()),
                (
                    "force",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="day_figures",
                        to="casework.force",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="casework.identificationrun",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["force", "measure", "day"], name="dayfigure_lookup")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("force", "day", "measure", "parent_sex", "child_age_band"),
                        name="dayfigure_unique",
                    )
                ],
            },
        ),
    ]
