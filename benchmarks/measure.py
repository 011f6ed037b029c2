"""Run one command and report its wall time and peak resident memory as JSON.

    python benchmarks/measure.py paramount synth --population 100000 --seed 1 --out /tmp/f

The command runs as this process's only child, so `RUSAGE_CHILDREN` after it ends is that
command's own peak memory: the benchmark driver's memory is never counted.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(command: list[str]) -> dict:
    started = time.perf_counter()
    returncode = subprocess.call(command, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": round(seconds, 2), "peak_mb": round(peak_kb / 1024), "exit": returncode}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
