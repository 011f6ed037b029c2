"""Build hook: a wheel without the GOV.UK Frontend assets would serve pages with no stylesheet,
so the build refuses to start until `make assets` has copied them into the casework app.

The assets are generated (copied from `node_modules`) and gitignored; `artifacts` in
pyproject.toml puts them in the sdist and the wheel all the same.
"""

from __future__ import annotations

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

REQUIRED = (
    "paramount/casework/static/govuk/govuk-frontend.min.css",
    "paramount/casework/static/govuk/govuk-frontend.min.js",
    "paramount/casework/static/govuk/assets/images/favicon.ico",
)


class StaticAssetsHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if version == "editable":
            # `make setup` installs the checkout editable before it copies the assets, and an
            # editable install serves them from the checkout once copied.
            return
        missing = [p for p in REQUIRED if not (Path(self.root) / p).is_file()]
        if missing:
            raise RuntimeError(
                "GOV.UK Frontend assets are missing (" + ", ".join(missing) + "): run "
                "`make assets` before building, so the package carries its stylesheet."
            )
