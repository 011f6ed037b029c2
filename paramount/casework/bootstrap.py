"""Set Django up from plain Python (the `paramount casework` commands, scripts)."""

from __future__ import annotations

import os


def setup_django() -> None:
    """Point Django at the casework settings (unless already pointed) and set it up once."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paramount.casework.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
