"""`manage.py casework_notify`: send queued and failed notification emails (run from cron)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from paramount.casework.services.notifications import send_notifications


class Command(BaseCommand):
    help = "Send pending notifications and retry failed ones."

    def handle(self, *args, **options) -> None:
        sent, failed = send_notifications()
        self.stdout.write(f"{sent} sent, {failed} failed.")
