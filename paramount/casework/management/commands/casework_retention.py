"""`manage.py casework_retention [--dispose] [--today YYYY-MM-DD]`: list reviews due and
dispose of closed cases past their retention."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand

from paramount.casework.selectors.retention import reviews_due
from paramount.casework.services.retention import dispose_due


class Command(BaseCommand):
    help = "List retention reviews due; with --dispose, erase closed cases past review."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dispose", action="store_true")
        parser.add_argument("--today", type=date.fromisoformat, default=None)

    def handle(self, *args, dispose: bool, today: date | None, **options) -> None:
        rows = reviews_due(None, today=today)
        self.stdout.write(f"{len(rows)} case(s) due for review:")
        for row in rows:
            self.stdout.write(
                f"  {row['reference']}  {row['state']:<16} {row['outcome'] or '-':<18} "
                f"review {row['review_date']}  lpa {row['lpa__code'] or '-'}"
            )
        if dispose:
            gone = dispose_due(user=None, today=today)
            self.stdout.write(f"Disposed of {len(gone)} closed case(s); erasure records kept.")
