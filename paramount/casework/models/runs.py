"""Identification runs imported into casework (the engine's `manifest.json`, summarised)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from paramount.casework.models.organisation import Force


class IdentificationRun(models.Model):
    """One `paramount identify` output folder. Keyed by the sha256 of its `children.csv`,
    so importing the same folder again finds this row instead of making another."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="runs")
    run_key = models.CharField(max_length=64)
    window_from = models.DateField(null=True, blank=True)
    window_to = models.DateField(null=True, blank=True)
    method = models.CharField(max_length=64, blank=True)
    paramount_version = models.CharField(max_length=32, blank=True)
    started_at = models.CharField(max_length=40, blank=True)
    children_rows = models.PositiveIntegerField(default=0)
    review_rows = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    times_imported = models.PositiveIntegerField(default=1)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["force", "run_key"], name="run_unique_key"),
        )

    def __str__(self) -> str:
        return f"{self.method} {self.window_from}..{self.window_to}"


class DayFigure(models.Model):
    """One count of a run's `figures.csv` (`paramount.engine.figures`): on one reception
    day, receptions of the force, parents and children found, or what the original process
    would have found, by the parent's sex and the child's age band. A day's figures are the
    latest imported run's that covers it (overlapping runs never count a day twice), so the
    board report and the national table sum them into months and quarters."""

    force = models.ForeignKey(Force, on_delete=models.PROTECT, related_name="day_figures")
    run = models.ForeignKey(IdentificationRun, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    measure = models.CharField(max_length=24)
    parent_sex = models.CharField(max_length=1, blank=True)
    child_age_band = models.CharField(max_length=8, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=["force", "day", "measure", "parent_sex", "child_age_band"],
                name="dayfigure_unique",
            ),
        )
        indexes = (models.Index(fields=["force", "measure", "day"], name="dayfigure_lookup"),)
