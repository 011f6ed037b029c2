"""Running Paramount for a force day after day: `daily_run` (the `paramount run` command)."""
