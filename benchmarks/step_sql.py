"""Every method's steps and their SQL, as JSON: the cheapest check that a refactor changes
no result. Two runs of this before and after a change are byte-identical exactly when every
SQL step of every method is (procedure steps, such as identity resolution, are listed by
name only).

    python benchmarks/step_sql.py > before.json   # on the old commit
    python benchmarks/step_sql.py > after.json    # on the new one
    cmp before.json after.json
"""

from __future__ import annotations

import argparse
import json
from datetime import date

from paramount.engine import METHODS, RunParameters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", default="2025-01-01", help="window start")
    parser.add_argument("--to", dest="end", default="2025-12-31", help="window end")
    args = parser.parse_args()
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    dump = {
        name: {
            "steps": [step.name for step in pipeline.steps],
            "sql": pipeline.sql(RunParameters(window_from=start, window_to=end, method=name)),
        }
        for name, pipeline in METHODS.items()
    }
    print(json.dumps(dump, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
