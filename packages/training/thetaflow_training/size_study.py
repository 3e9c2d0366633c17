"""How many LSTM units the core model needs, decided on training data only.

`python -m thetaflow_training.size_study --features export.csv --out lstm-size-study.json`

For every walk-forward window (and the deployable window) the LSTM is trained at each candidate
size on the window's fit rows and scored on its validation tail: the held-out end of the
*training* window, never a test window. The engine re-runs the 60-step recurrence at every
decision, so its cost grows with units squared; the smallest size whose validation log-loss,
averaged over the windows, is within `TOLERANCE` of the best is the one `lstm.HIDDEN` uses.
The result file is committed and quoted by the walk-forward report.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from . import lstm
from .data import PROFITABLE, core_rows, load_export
from .windows import final_window, walk_forward

CANDIDATES = (4, 8, 16)
# A log-loss gap this small is inside the spread between seeds on a few hundred sequences.
TOLERANCE = 0.005


def study(features_csv: str, seed: int = 7, candidates=CANDIDATES, log=print) -> dict:
    data = load_export(features_csv)
    frame = data.frame
    dates = frame["date"]
    seq_features = lstm.sequence_features(data.features)
    use = core_rows(frame).to_numpy() & frame[PROFITABLE].notna().to_numpy()
    y = frame[PROFITABLE].fillna(0).to_numpy(dtype=np.int64)
    windows = [*walk_forward(dates), final_window(dates)]
    per_window = []
    for w in windows:
        fit_m, val_m, _ = w.masks(dates)
        fit_m, val_m = fit_m & use, val_m & use
        train_days = (dates >= w.train_start) & (dates <= w.fit_end)
        scaler = lstm.Standardiser.fit(frame.loc[train_days, seq_features].to_numpy(dtype=np.float64))
        seqs = lstm.sequences(frame, seq_features, scaler)
        losses = {}
        for h in candidates:
            _, info = lstm.train(seqs[fit_m], y[fit_m], seqs[val_m], y[val_m], seed, hidden=h)
            losses[h] = info["validation_logloss"]
        per_window.append({"window": w.index, "validationFrom": w.fit_end, "trainEnd": w.train_end, "validationLogloss": losses})
        log(f"window {w.index:2d} validation {w.fit_end}..{w.train_end}: " + " ".join(f"{h}u {v:.4f}" for h, v in losses.items()))
    mean = {h: float(np.mean([p["validationLogloss"][h] for p in per_window])) for h in candidates}
    best = min(mean.values())
    chosen = min(h for h in candidates if mean[h] <= best + TOLERANCE)
    return {
        "source": Path(features_csv).name,
        "dataHash": data.data_hash,
        "candidates": list(candidates),
        "tolerance": TOLERANCE,
        "meanValidationLogloss": {str(h): v for h, v in mean.items()},
        "chosen": chosen,
        "windows": [{**p, "validationLogloss": {str(h): v for h, v in p["validationLogloss"].items()}} for p in per_window],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="thetaflow_training.size_study", description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", required=True, help="feature/label CSV written by `thetaflow features`")
    parser.add_argument("--out", required=True, help="write the study (JSON) here")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = study(args.features, args.seed)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    means = ", ".join(f"{h} units {v:.4f}" for h, v in result["meanValidationLogloss"].items())
    print(f"mean validation log-loss: {means}; chosen {result['chosen']} ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
