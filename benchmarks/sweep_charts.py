"""Charts of a world sweep (`world_sweep.py`): how honest the confidence is in every world, and
each world's precision and recall against the targets, before and after a change.

    .venv/bin/python benchmarks/sweep_charts.py --after /work/sweep2/a/sweep.json \\
        /work/sweep2/b/sweep.json --before BEFORE.json --out docs/img/sweep

Writes `OUT-calibration.png` (a reliability diagram: per world, each confidence bin's mean
stated confidence against its share right, the marker's size its rows; the diagonal is an
honest model, the band the issue's 3 points) and `OUT-worlds.png` (precision and recall per
world, with the targets). Readable in black and white: worlds are told apart by marker, not
only by colour. `--before` takes earlier sweep files for the second chart's hollow markers.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

MARKERS = "os^vD<>phX*P"
TARGET_PRECISION, TARGET_RECALL, CALIBRATION_BAND = 0.95, 0.92, 0.03


def _worlds(paths: list[Path]) -> list[dict]:
    worlds = [w for p in paths for w in json.loads(p.read_text())["worlds"]]
    return sorted(worlds, key=lambda w: w["world"])


def _band(ax) -> None:
    ax.fill_between([0.5, 1], [0.5 - CALIBRATION_BAND, 1 - CALIBRATION_BAND],
                    [0.5 + CALIBRATION_BAND, 1 + CALIBRATION_BAND], color="0.88",
                    label="within 3 points")  # fmt: skip
    ax.plot([0.5, 1], [0.5, 1], color="black", linewidth=1, label="stated = right")
    ax.set_xlim(0.5, 1.005)
    ax.set_ylim(0.0, 1.02)
    ax.set_xlabel("confidence stated (mean of the bin)")
    ax.set_ylabel("share of the bin's rows that are right")
    ax.grid(True, color="0.8", linewidth=0.5)


def calibration_chart(worlds: list[dict], out: Path) -> None:
    fig, (pooled, each) = plt.subplots(1, 2, figsize=(13, 6))
    _band(pooled)
    edges = [b["from"] for b in worlds[0]["calibration"]]
    xs, ys, ns = [], [], []
    for lo in edges:
        bins = [b for w in worlds for b in w["calibration"] if b["from"] == lo and b["rows"]]
        n = sum(b["rows"] for b in bins)
        if n:
            xs.append(sum(b["mean_confidence"] * b["rows"] for b in bins) / n)
            ys.append(sum(b["share_right"] * b["rows"] for b in bins) / n)
            ns.append(n)
    pooled.plot(xs, ys, marker="s", color="black", markersize=6, label="all twelve worlds")
    for x, y, n in zip(xs, ys, ns, strict=True):
        pooled.annotate(f"{n} rows", (x, y), textcoords="offset points", xytext=(-10, -16),
                        fontsize=8, ha="right")  # fmt: skip
    pooled.set_title("All worlds pooled, by confidence bin")
    pooled.legend(fontsize=8, loc="lower right")
    _band(each)
    for i, w in enumerate(worlds):
        bins = [b for b in w["calibration"] if b["rows"] > 0]
        each.scatter(
            [b["mean_confidence"] for b in bins],
            [b["share_right"] for b in bins],
            s=[12 + 2 * b["rows"] for b in bins],
            marker=MARKERS[i % len(MARKERS)],
            facecolors="none",
            edgecolors=plt.cm.tab20(i % 20),
            linewidths=1.2,
            label=f"world {w['world']}",
        )
    each.set_title("Each world and bin (marker area: rows in the bin)")
    each.legend(fontsize=7, ncol=2, loc="lower right")
    fig.suptitle("Is the confidence honest? Stated against right, on worlds never developed on")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def worlds_chart(after: list[dict], before: list[dict], out: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=False)
    for ax, key, target, name in (
        (axes[0], "precision", TARGET_PRECISION, "precision"),
        (axes[1], "recall", TARGET_RECALL, "recall of identifiable affected children"),
    ):
        xs = [str(w["world"]) for w in after]
        if before:
            prior = {w["world"]: w[key] for w in before}
            ax.scatter(xs, [prior.get(w["world"]) for w in after], marker="o",
                       facecolors="none", edgecolors="0.4", label="before")  # fmt: skip
        ax.scatter(xs, [w[key] for w in after], marker="s", color="black", label="after")
        ax.axhline(target, color="black", linestyle="--", linewidth=1, label=f"target {target}")
        ax.set_title(name)
        ax.set_xlabel("world")
        ax.set_ylim(0.8, 1.0)
        ax.grid(True, axis="y", color="0.8", linewidth=0.5)
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("Twelve worlds never developed on, each identified as a new force would be")
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--after", type=Path, nargs="+", required=True, help="sweep.json files")
    ap.add_argument("--before", type=Path, nargs="*", default=[], help="earlier sweep.json")
    ap.add_argument("--out", type=Path, default=Path("docs/img/sweep"))
    args = ap.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    after = _worlds(args.after)
    calibration_chart(after, args.out.with_name(args.out.name + "-calibration.png"))
    worlds_chart(after, _worlds(args.before), args.out.with_name(args.out.name + "-worlds.png"))
    print(f"wrote {args.out}-calibration.png and {args.out}-worlds.png")


if __name__ == "__main__":
    main()
