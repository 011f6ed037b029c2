"""What a run hands back: `children.csv` (the contract), `worklist.xlsx` (for the analyst)
and `manifest.json` (what was run, on what, producing what)."""

from paramount.outputs.children_csv import write_children_csv
from paramount.outputs.manifest import build_manifest, sha256_file, write_manifest
from paramount.outputs.worklist import write_worklist

__all__ = [
    "build_manifest",
    "sha256_file",
    "write_children_csv",
    "write_manifest",
    "write_worklist",
]
