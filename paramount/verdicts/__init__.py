"""What a force's checkers found (`verdicts.csv`, contract 1.1), read back into identification.

Public surface:

    read_verdicts(paths) -> VerdictRows             # files or folders; bad rows set aside
    learn_from_verdicts(backend, rows, ...) -> VerdictKnowledge
    write_verdict_report(knowledge, out_dir) -> paths  # problems.csv, precision_by_band.csv

`paramount.run.identify_extract(..., verdicts=[...])` is the whole run with them: the
correction and the held pairs go to the engine (`engine/decision/correction.py`,
`engine/decision/verdict_decided.py`), what was learnt to the manifest.
"""

from paramount.verdicts.learning import VerdictKnowledge, honesty_table, learn_from_verdicts
from paramount.verdicts.reading import Problem, VerdictRows, read_verdicts, verdict_files
from paramount.verdicts.report import write_verdict_report

__all__ = [
    "Problem",
    "VerdictKnowledge",
    "VerdictRows",
    "honesty_table",
    "learn_from_verdicts",
    "read_verdicts",
    "verdict_files",
    "write_verdict_report",
]
