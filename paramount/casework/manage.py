"""`python -m paramount.casework.manage ...`: Django's manage.py for the casework project."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a Django management command with the casework settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paramount.casework.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(
        ["paramount casework manage", *(argv if argv is not None else sys.argv[1:])]
    )


if __name__ == "__main__":
    main()
